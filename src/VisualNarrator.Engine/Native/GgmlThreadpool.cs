using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// A persistent ggml CPU threadpool (<c>ggml_threadpool_t</c>), attached to a CPU backend so that graphs reuse one
/// set of worker state instead of ggml building a throwaway pool for every graph.
/// </summary>
/// <remarks>
/// Workers wait on a condition variable between graphs and at barriers (<see cref="Poll"/> 0) rather than spinning:
/// on a machine shared with other work a spinning worker takes a core from the thread it waits for. Free the pool
/// only after the backend it is attached to (a backend keeps using the pool until it is freed).
/// </remarks>
public sealed unsafe class GgmlThreadpool : SafeHandle
{
    private GgmlThreadpool(int threads, uint poll) : base(IntPtr.Zero, ownsHandle: true)
    {
        Threads = threads;
        Poll = poll;
    }

    /// <summary>Polling level this pool was created with (0: wait on a condition variable, up to 100: spin first).</summary>
    public uint Poll { get; }

    /// <summary>The most threads a graph computed with this pool can use.</summary>
    public int Threads { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Creates a pool of <paramref name="threads"/> threads (the caller's thread is one of them).</summary>
    /// <param name="threads">1 to 512 (GGML_MAX_N_THREADS).</param>
    /// <param name="poll">0 (default): idle workers sleep; 1..100: how long they spin before sleeping.</param>
    /// <exception cref="InvalidOperationException">ggml could not create the pool.</exception>
    public static GgmlThreadpool Create(int threads, uint poll = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 512);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(poll, 100u);
        GgmlLibrary.EnsureLoaded();
        CheckLayout();

        GgmlNative.ThreadpoolParams p;
        GgmlNative.ggml_threadpool_params_init(&p, threads); // zeroed cpumask: inherited affinity, normal priority
        p.Poll = poll;
        var pool = new GgmlThreadpool(threads, poll);
        var h = GgmlNative.ggml_threadpool_new(&p);
        if (h == IntPtr.Zero) throw new InvalidOperationException($"ggml_threadpool_new failed for {threads} threads.");
        pool.SetHandle(h);
        return pool;
    }

    /// <summary>Attaches the pool to a CPU backend, or detaches (<paramref name="pool"/> null) so ggml goes back
    /// to a pool per graph. The backend must be a CPU backend (ggml aborts otherwise).</summary>
    internal static void Attach(IntPtr cpuBackend, GgmlThreadpool? pool)
    {
        if (!GgmlNative.ggml_backend_is_cpu(cpuBackend))
            throw new InvalidOperationException("A ggml threadpool can only be attached to the CPU backend.");
        GgmlNative.ggml_backend_cpu_set_threadpool(cpuBackend, pool is null ? IntPtr.Zero : pool.DangerousGetHandle());
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        GgmlNative.ggml_threadpool_free(handle);
        return true;
    }

    private static int layoutChecked;

    /// <summary>
    /// Checks <see cref="GgmlNative.ThreadpoolParams"/> against what <c>ggml_threadpool_params_init</c> writes: the
    /// thread count, priority, poll and flags at their offsets, a zeroed cpumask, and nothing written past 528 bytes.
    /// </summary>
    /// <exception cref="InvalidOperationException">This ggml build lays the struct out differently.</exception>
    public static void CheckLayout()
    {
        if (Volatile.Read(ref layoutChecked) == 1) return;
        if (sizeof(GgmlNative.ThreadpoolParams) != GgmlNative.ThreadpoolParamsSize)
            throw new InvalidOperationException($"ggml_threadpool_params marshals as {sizeof(GgmlNative.ThreadpoolParams)} bytes, expected {GgmlNative.ThreadpoolParamsSize}.");
        const int sentinelBytes = 256;
        var buffer = stackalloc byte[GgmlNative.ThreadpoolParamsSize + sentinelBytes];
        new Span<byte>(buffer, GgmlNative.ThreadpoolParamsSize + sentinelBytes).Fill(0xA5);
        GgmlNative.ggml_threadpool_params_init(buffer, 7);

        string? problem = null;
        if (*(int*)(buffer + GgmlNative.ThreadpoolParamsThreadsOffset) != 7) problem = "n_threads is not at offset 512";
        else if (*(int*)(buffer + GgmlNative.ThreadpoolParamsPriorityOffset) != 0) problem = "prio (NORMAL = 0) is not at offset 516";
        else if (*(uint*)(buffer + GgmlNative.ThreadpoolParamsPollOffset) > 100) problem = "poll (0..100) is not at offset 520";
        else if (buffer[GgmlNative.ThreadpoolParamsStrictCpuOffset] != 0 || buffer[GgmlNative.ThreadpoolParamsPausedOffset] != 0)
            problem = "strict_cpu and paused (false) are not at offsets 524 and 525";
        else if (new ReadOnlySpan<byte>(buffer, 512).ContainsAnyExcept((byte)0)) problem = "cpumask[512] is not zeroed at offset 0";
        else if (new ReadOnlySpan<byte>(buffer + GgmlNative.ThreadpoolParamsSize, sentinelBytes).ContainsAnyExcept((byte)0xA5))
            problem = $"ggml_threadpool_params_init wrote past {GgmlNative.ThreadpoolParamsSize} bytes";
        if (problem is not null)
            throw new InvalidOperationException($"struct ggml_threadpool_params in this ggml build does not match the declared layout: {problem}.");
        Volatile.Write(ref layoutChecked, 1);
    }
}
