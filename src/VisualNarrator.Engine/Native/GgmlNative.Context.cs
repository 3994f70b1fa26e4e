using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

// ggml contexts (the arena tensors and graphs live in) and element types.
internal static unsafe partial class GgmlNative
{
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
}
