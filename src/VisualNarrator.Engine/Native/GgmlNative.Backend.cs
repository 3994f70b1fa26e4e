using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

// ggml-backend: buffers, backends, devices, the backend registry and the CPU backend.
internal static unsafe partial class GgmlNative
{
    // ---- ggml-backend: buffers and tensors ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_buft_name(IntPtr bufferType);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_buft_alloc_buffer(IntPtr bufferType, nuint size);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_backend_buft_is_host(IntPtr bufferType);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_buffer_get_type(IntPtr buffer);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_buffer_free(IntPtr buffer);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_backend_buffer_get_size(IntPtr buffer);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_buffer_name(IntPtr buffer);
    /// <summary><paramref name="usage"/>: ANY 0, WEIGHTS 1, COMPUTE 2.</summary>
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_buffer_set_usage(IntPtr buffer, int usage);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_backend_buffer_clear(IntPtr buffer, byte value);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_backend_buffer_is_host(IntPtr buffer);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_buffer_get_base(IntPtr buffer);
    /// <summary>Places a tensor of a no_alloc context at <paramref name="addr"/> inside <paramref name="buffer"/>;
    /// returns enum ggml_status (SUCCESS 0).</summary>
    [LibraryImport(BaseLibrary)] internal static partial int ggml_backend_tensor_alloc(IntPtr buffer, IntPtr tensor, void* addr);
    /// <summary>Points a view at its (allocated) source's data and buffer; returns enum ggml_status (SUCCESS 0).</summary>
    [LibraryImport(BaseLibrary)] internal static partial int ggml_backend_view_init(IntPtr tensor);
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
    /// <summary>Whether the device can run <paramref name="op"/> with its sources where their buffers are (an
    /// unallocated source counts as anywhere).</summary>
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_backend_dev_supports_op(IntPtr device, IntPtr op);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_backend_dev_supports_buft(IntPtr device, IntPtr bufferType);
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

    /// <summary>Only needed for builds with dynamically loaded backends; this package links the CPU backend in.</summary>
    [LibraryImport(RegistryLibrary)] internal static partial void ggml_backend_load_all();

    // ---- CPU backend (libggml-cpu) ----
    [LibraryImport(CpuLibrary)] internal static partial void ggml_backend_cpu_set_n_threads(IntPtr backend, int threads);
    /// <summary>A CPU buffer over memory the caller owns (freeing the buffer leaves it alone); <paramref name="ptr"/>
    /// must be 32-byte aligned (ggml asserts it).</summary>
    [LibraryImport(CpuLibrary)] internal static partial IntPtr ggml_backend_cpu_buffer_from_ptr(void* ptr, nuint size);
    [LibraryImport(CpuLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_backend_is_cpu(IntPtr backend);

    /// <summary>Name under which the CPU backend registry exports its extra buffer types (reached through
    /// <see cref="ggml_backend_reg_get_proc_address"/>, as llama.cpp does): a function
    /// <c>ggml_backend_buffer_type_t * (ggml_backend_dev_t)</c> returning a null-terminated array.</summary>
    internal const string GetExtraBufferTypesProc = "ggml_backend_dev_get_extra_bufts";

    /// <summary>The CPU repack buffer type's name (ggml-cpu repack.cpp). Its buffers rearrange Q4_0 / Q4_K / IQ4_NL
    /// weights on <c>ggml_backend_tensor_set</c>, which must write a whole tensor at once (offset 0, every byte) and
    /// may only be given a tensor the type has a kernel for: ggml dereferences the null kernel of any other and ends
    /// the process. They have no get_tensor (reading one back crashes) and are not host buffers.</summary>
    internal const string CpuRepackBufferTypeName = "CPU_REPACK";
}
