using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

// ggml-backend's scheduler: one graph split over several backends (the last must be the CPU).
internal static unsafe partial class GgmlNative
{
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
}
