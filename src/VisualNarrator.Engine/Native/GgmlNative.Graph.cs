using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

// Compute graphs and their allocation (ggml-alloc), and quantization of rows.
internal static unsafe partial class GgmlNative
{
    // ---- graphs ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_graph_custom(IntPtr ctx, nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_build_forward_expand(IntPtr graph, IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_graph_node(IntPtr graph, int i);
    [LibraryImport(BaseLibrary)] internal static partial int ggml_graph_n_nodes(IntPtr graph);
    [LibraryImport(BaseLibrary)] internal static partial int ggml_graph_size(IntPtr graph);

    // ---- ggml-alloc ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_gallocr_new(IntPtr bufferType);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_gallocr_free(IntPtr galloc);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_gallocr_alloc_graph(IntPtr galloc, IntPtr graph);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_gallocr_get_buffer_size(IntPtr galloc, int bufferId);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_alloc_ctx_tensors(IntPtr ctx, IntPtr backend);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_backend_alloc_ctx_tensors_from_buft(IntPtr ctx, IntPtr bufferType);

    // ---- quantization ----
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_quantize_chunk(uint type, float* src, void* dst, long start, long nrows, long nPerRow, float* imatrix);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_quantize_requires_imatrix(uint type);

    // ---- row conversion (libggml-cpu: SIMD, e.g. F16C; its scalar tails read tables that ggml_cpu_init fills) ----
    [LibraryImport(CpuLibrary)] internal static partial void ggml_cpu_init();
    [LibraryImport(CpuLibrary)] internal static partial void ggml_cpu_fp16_to_fp32(ushort* x, float* y, long n);
    [LibraryImport(CpuLibrary)] internal static partial void ggml_cpu_bf16_to_fp32(ushort* x, float* y, long n);
}
