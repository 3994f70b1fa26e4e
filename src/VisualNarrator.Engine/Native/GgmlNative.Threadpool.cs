using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

internal static unsafe partial class GgmlNative
{
    /// <summary>
    /// <c>struct ggml_threadpool_params</c> (ggml.h, ggml 0.18.0, x64): <c>bool cpumask[GGML_MAX_N_THREADS = 512]</c>,
    /// <c>int n_threads</c>, <c>enum ggml_sched_priority prio</c>, <c>uint32_t poll</c>, <c>bool strict_cpu</c>,
    /// <c>bool paused</c>, padded to 528 bytes. Checked against <c>ggml_threadpool_params_init</c> by
    /// <see cref="GgmlThreadpool.CheckLayout"/> before first use.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = ThreadpoolParamsSize)]
    internal struct ThreadpoolParams
    {
        /// <summary>First byte of <c>cpumask</c>; all zero means the inherited affinity.</summary>
        [FieldOffset(0)] public byte CpuMask0;
        [FieldOffset(512)] public int Threads;
        /// <summary><c>enum ggml_sched_priority</c>: LOW -1, NORMAL 0, MEDIUM 1, HIGH 2, REALTIME 3.</summary>
        [FieldOffset(516)] public int Priority;
        /// <summary>0: workers wait on a condition variable; 1..100: spin that much before waiting.</summary>
        [FieldOffset(520)] public uint Poll;
        [FieldOffset(524)] public byte StrictCpu; // C bool
        [FieldOffset(525)] public byte Paused;    // C bool
    }

    internal const int ThreadpoolParamsSize = 528;
    internal const int ThreadpoolParamsThreadsOffset = 512;
    internal const int ThreadpoolParamsPriorityOffset = 516;
    internal const int ThreadpoolParamsPollOffset = 520;
    internal const int ThreadpoolParamsStrictCpuOffset = 524;
    internal const int ThreadpoolParamsPausedOffset = 525;

    // ---- threadpool (params in ggml-base, the pool itself in ggml-cpu) ----
    [LibraryImport(BaseLibrary)] internal static partial void ggml_threadpool_params_init(void* parameters, int threads);
    [LibraryImport(CpuLibrary)] internal static partial IntPtr ggml_threadpool_new(ThreadpoolParams* parameters);
    [LibraryImport(CpuLibrary)] internal static partial void ggml_threadpool_free(IntPtr threadpool);
    [LibraryImport(CpuLibrary)] internal static partial void ggml_backend_cpu_set_threadpool(IntPtr backend, IntPtr threadpool);
}
