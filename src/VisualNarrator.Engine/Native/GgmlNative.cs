using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// Raw P/Invoke declarations for the ggml C API shipped inside LLamaSharp.Backend.Cpu 0.30.0 (ggml 0.18.0).
/// </summary>
/// <remarks>
/// Call <see cref="GgmlLibrary.EnsureLoaded"/> before any of these: the library names below only resolve
/// through the resolver it installs, which maps them onto the copies LLamaSharp already loaded.
/// Rules kept throughout:
/// <list type="bullet">
/// <item>Every <c>const char*</c> return is an <see cref="IntPtr"/>: a <c>string</c> return would make the
/// marshaller free memory that ggml owns.</item>
/// <item>C <c>bool</c> is one byte: marshalled as <see cref="UnmanagedType.U1"/>.</item>
/// <item><c>enum ggml_type</c> travels as <see cref="uint"/> (it becomes <c>VisualNarrator.Gguf.GgmlType</c> at merge).</item>
/// <item>Enums that the header marks as packed (<c>ggml_backend_dev_type</c>, <c>ggml_backend_buffer_usage</c>)
/// come back as <see cref="uint"/> and callers keep only the low byte.</item>
/// </list>
/// </remarks>
internal static unsafe partial class GgmlNative
{
    /// <summary>Core tensors, ops, graphs, quantization, buffers and devices.</summary>
    internal const string BaseLibrary = "ggml-base";

    /// <summary>The backend registry (device enumeration, init by type).</summary>
    internal const string RegistryLibrary = "ggml";

    /// <summary>The CPU backend itself.</summary>
    internal const string CpuLibrary = "ggml-cpu";

    /// <summary><c>struct ggml_init_params</c>, passed by value (24 bytes: size_t, void*, bool + padding).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct InitParams
    {
        public nuint MemSize;
        public IntPtr MemBuffer;
        public byte NoAlloc; // C bool
    }

    // ---- context ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_init(InitParams parameters);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_free(IntPtr ctx);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_used_mem(IntPtr ctx);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_get_mem_size(IntPtr ctx);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_tensor_overhead();
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_graph_overhead_custom(nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);

    // ---- types ----
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_type_size(uint type);
    [LibraryImport(BaseLibrary)] internal static partial long ggml_blck_size(uint type);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_row_size(uint type, long ne);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_type_name(uint type);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_is_quantized(uint type);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_version();

    // ---- tensors ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_tensor_1d(IntPtr ctx, uint type, long ne0);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_tensor_2d(IntPtr ctx, uint type, long ne0, long ne1);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_tensor_3d(IntPtr ctx, uint type, long ne0, long ne1, long ne2);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_tensor_4d(IntPtr ctx, uint type, long ne0, long ne1, long ne2, long ne3);
    [LibraryImport(BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial IntPtr ggml_set_name(IntPtr tensor, string name);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_get_name(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_nbytes(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial long ggml_nelements(IntPtr tensor);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_is_contiguous(IntPtr tensor);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_is_transposed(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_set_input(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_set_output(IntPtr tensor);

    // ---- ops ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_get_rows(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_set_rows(IntPtr ctx, IntPtr a, IntPtr b, IntPtr c);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_norm(IntPtr ctx, IntPtr a, float eps);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_add(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_mul(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_mul_mat(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_relu(IntPtr ctx, IntPtr a);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_gelu(IntPtr ctx, IntPtr a);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_scale(IntPtr ctx, IntPtr a, float s);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_view_1d(IntPtr ctx, IntPtr a, long ne0, nuint offset);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_view_2d(IntPtr ctx, IntPtr a, long ne0, long ne1, nuint nb1, nuint offset);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_view_3d(IntPtr ctx, IntPtr a, long ne0, long ne1, long ne2, nuint nb1, nuint nb2, nuint offset);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_reshape_2d(IntPtr ctx, IntPtr a, long ne0, long ne1);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_reshape_3d(IntPtr ctx, IntPtr a, long ne0, long ne1, long ne2);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_permute(IntPtr ctx, IntPtr a, int axis0, int axis1, int axis2, int axis3);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_cont(IntPtr ctx, IntPtr a);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_transpose(IntPtr ctx, IntPtr a);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_cpy(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_soft_max_ext(IntPtr ctx, IntPtr a, IntPtr mask, float scale, float maxBias);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_flash_attn_ext(IntPtr ctx, IntPtr q, IntPtr k, IntPtr v, IntPtr mask, float scale, float maxBias, float logitSoftcap);
    /// <summary><paramref name="prec"/>: GGML_PREC_DEFAULT 0, GGML_PREC_F32 10.</summary>
    [LibraryImport(BaseLibrary)] internal static partial void ggml_flash_attn_ext_set_prec(IntPtr a, int prec);

    // ---- graphs ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_graph_custom(IntPtr ctx, nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_build_forward_expand(IntPtr graph, IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_graph_node(IntPtr graph, int i);
    [LibraryImport(BaseLibrary)] internal static partial int ggml_graph_n_nodes(IntPtr graph);
    [LibraryImport(BaseLibrary)] internal static partial int ggml_graph_size(IntPtr graph);

    // ---- quantization ----
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_quantize_chunk(uint type, float* src, void* dst, long start, long nrows, long nPerRow, float* imatrix);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_quantize_requires_imatrix(uint type);

    // ---- ggml-alloc ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_gallocr_new(IntPtr bufferType);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_gallocr_free(IntPtr galloc);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_gallocr_reserve(IntPtr galloc, IntPtr graph);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_gallocr_alloc_graph(IntPtr galloc, IntPtr graph);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_gallocr_get_buffer_size(IntPtr galloc, int bufferId);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_alloc_ctx_tensors(IntPtr ctx, IntPtr backend);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_alloc_ctx_tensors_from_buft(IntPtr ctx, IntPtr bufferType);

    // ---- ggml-backend: buffers and tensors ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_buft_name(IntPtr bufferType);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_buffer_free(IntPtr buffer);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_backend_buffer_get_size(IntPtr buffer);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_buffer_name(IntPtr buffer);
    /// <summary><paramref name="usage"/>: ANY 0, WEIGHTS 1, COMPUTE 2.</summary>
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_buffer_set_usage(IntPtr buffer, int usage);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_buffer_clear(IntPtr buffer, byte value);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_tensor_set(IntPtr tensor, void* data, nuint offset, nuint size);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_tensor_get(IntPtr tensor, void* data, nuint offset, nuint size);

    // ---- ggml-backend: backends ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_name(IntPtr backend);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_free(IntPtr backend);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_synchronize(IntPtr backend);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_get_default_buffer_type(IntPtr backend);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_get_device(IntPtr backend);
    /// <summary>Returns enum ggml_status: ALLOC_FAILED -2, FAILED -1, SUCCESS 0, ABORTED 1.</summary>
    [LibraryImport(BaseLibrary)] internal static partial int ggml_backend_graph_compute(IntPtr backend, IntPtr graph);

    // ---- ggml-backend: devices (ggml-base) ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_dev_name(IntPtr device);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_dev_description(IntPtr device);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_dev_memory(IntPtr device, nuint* free, nuint* total);
    /// <summary>Packed enum in the header: keep the low byte. CPU 0, GPU 1, IGPU 2, ACCEL 3 in this build.</summary>
    [LibraryImport(BaseLibrary)] internal static partial uint ggml_backend_dev_type(IntPtr device);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_dev_backend_reg(IntPtr device);
    [LibraryImport(BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial IntPtr ggml_backend_dev_init(IntPtr device, string? parameters);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_dev_buffer_type(IntPtr device);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_reg_name(IntPtr reg);
    [LibraryImport(BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial IntPtr ggml_backend_reg_get_proc_address(IntPtr reg, string name);

    // ---- ggml-backend: registry (libggml) ----
    [LibraryImport(RegistryLibrary)] internal static partial nuint ggml_backend_dev_count();
    [LibraryImport(RegistryLibrary)] internal static partial IntPtr ggml_backend_dev_get(nuint index);
    [LibraryImport(RegistryLibrary)] internal static partial nuint ggml_backend_reg_count();
    [LibraryImport(RegistryLibrary)] internal static partial IntPtr ggml_backend_init_by_type(int type, IntPtr parameters);
    /// <summary>Loads a backend library (e.g. <c>libggml-vulkan.so</c>) and registers its devices; null on failure.</summary>
    [LibraryImport(RegistryLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial IntPtr ggml_backend_load(string path);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_backend_reg_dev_count(IntPtr reg);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_reg_dev_get(IntPtr reg, nuint index);

    // ---- ggml-backend: scheduler (graphs split over several backends; the last backend must be the CPU) ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_sched_new(IntPtr* backends, IntPtr* bufferTypes, int count, nuint graphSize,
        [MarshalAs(UnmanagedType.U1)] bool parallel, [MarshalAs(UnmanagedType.U1)] bool opOffload);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_sched_free(IntPtr sched);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_backend_sched_reserve(IntPtr sched, IntPtr graph);
    /// <summary>Writes one size per backend (in scheduler order) that the graph's compute buffers would need; allocates nothing.</summary>
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_sched_reserve_size(IntPtr sched, IntPtr graph, nuint* sizes);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_backend_sched_alloc_graph(IntPtr sched, IntPtr graph);
    /// <summary>Returns enum ggml_status, as <see cref="ggml_backend_graph_compute"/>.</summary>
    [LibraryImport(BaseLibrary)] internal static partial int ggml_backend_sched_graph_compute(IntPtr sched, IntPtr graph);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_sched_reset(IntPtr sched);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_sched_synchronize(IntPtr sched);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_backend_sched_get_buffer_size(IntPtr sched, IntPtr backend);
    [LibraryImport(BaseLibrary)] internal static partial int ggml_backend_sched_get_n_splits(IntPtr sched);

    /// <summary>Only needed for builds with dynamically loaded backends; this package links the CPU backend in.</summary>
    [LibraryImport(RegistryLibrary)] internal static partial void ggml_backend_load_all();

    // ---- CPU backend (libggml-cpu) ----
    [LibraryImport(CpuLibrary)] internal static partial void ggml_backend_cpu_set_n_threads(IntPtr backend, int threads);
    [LibraryImport(CpuLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_backend_is_cpu(IntPtr backend);

    // ---- libc: ggml backends read their settings (e.g. GGML_VK_VISIBLE_DEVICES) with getenv, which does not see
    // Environment.SetEnvironmentVariable on Linux ----
    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)] internal static partial int setenv(string name, string value, int overwrite);

    /// <summary>UTF-8 C string owned by ggml, copied to a managed string.</summary>
    internal static string Str(IntPtr p) => p == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(p) ?? "";
}
