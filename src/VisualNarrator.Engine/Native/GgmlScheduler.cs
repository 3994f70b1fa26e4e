namespace VisualNarrator.Engine.Native;

/// <summary>
/// ggml's backend scheduler: runs one graph over several backends (e.g. a GPU and the CPU), placing each op next to
/// its weights and copying tensors between devices at split boundaries, as llama.cpp does for <c>-ngl</c>.
/// </summary>
/// <remarks>
/// Reserve the largest graph once (<see cref="Reserve"/>) before the first allocation: compute buffers then never
/// grow, and device buffers are never freed while the scheduler is in use (growing a buffer between graphs crashed
/// Mesa's software Vulkan driver). Inputs must be set after <see cref="Allocate"/>, before every compute.
/// </remarks>
public sealed unsafe class GgmlScheduler : IDisposable
{
    private IntPtr handle;
    private readonly GgmlBackend[] backends;

    /// <summary>Creates a scheduler over <paramref name="backends"/>, in priority order; the last must be the CPU.</summary>
    /// <param name="backends">Backends, highest priority first.</param>
    /// <param name="graphSize">Most nodes plus leafs of any graph it will run.</param>
    public GgmlScheduler(IReadOnlyList<GgmlBackend> backends, int graphSize)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(graphSize);
        if (backends.Count == 0 || backends[^1].Device.Type != GgmlDeviceType.Cpu)
            throw new ArgumentException("the scheduler's last backend must be the CPU", nameof(backends));
        this.backends = [.. backends];
        var handles = stackalloc IntPtr[backends.Count];
        for (var i = 0; i < backends.Count; i++) handles[i] = backends[i].Handle;
        // op_offload off: ops run where their weights are, so the memory plan is what the device actually holds.
        handle = GgmlNative.ggml_backend_sched_new(handles, null, backends.Count, (nuint)graphSize, false, false);
        if (handle == IntPtr.Zero) throw new InvalidOperationException("ggml_backend_sched_new failed");
    }

    private IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle == IntPtr.Zero, this);
            return handle;
        }
    }

    /// <summary>The backends, highest priority first.</summary>
    public IReadOnlyList<GgmlBackend> Backends => backends;

    /// <summary>Splits of the last graph (1 when it runs on one backend).</summary>
    public int SplitCount => GgmlNative.ggml_backend_sched_get_n_splits(Handle);

    /// <summary>Bytes per backend (in <see cref="Backends"/> order) the graph's compute buffers need; allocates nothing.</summary>
    public ulong[] MeasureSizes(GgmlGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var sizes = stackalloc nuint[backends.Length];
        GgmlNative.ggml_backend_sched_reserve_size(Handle, graph.Handle, sizes);
        var result = new ulong[backends.Length];
        for (var i = 0; i < result.Length; i++) result[i] = sizes[i];
        return result;
    }

    /// <summary>Allocates compute buffers big enough for <paramref name="graph"/> (the largest graph to come).</summary>
    public void Reserve(GgmlGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!GgmlNative.ggml_backend_sched_reserve(Handle, graph.Handle))
            throw new InvalidOperationException("ggml_backend_sched_reserve failed (out of device memory?)");
    }

    /// <summary>Compute-buffer bytes reserved on <paramref name="backend"/>.</summary>
    public ulong BufferSize(GgmlBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return GgmlNative.ggml_backend_sched_get_buffer_size(Handle, backend.Handle);
    }

    /// <summary>Forgets the previous graph's placement and allocates <paramref name="graph"/>; set inputs after this.</summary>
    public void Allocate(GgmlGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        GgmlNative.ggml_backend_sched_reset(Handle);
        if (!GgmlNative.ggml_backend_sched_alloc_graph(Handle, graph.Handle))
            throw new InvalidOperationException("ggml_backend_sched_alloc_graph failed (out of device memory?)");
    }

    /// <summary>Runs an allocated graph; throws if ggml reports failure.</summary>
    public void Compute(GgmlGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.CheckAllocated();
        var status = GgmlNative.ggml_backend_sched_graph_compute(Handle, graph.Handle);
        if (status != 0)
            throw new InvalidOperationException($"ggml_backend_sched_graph_compute returned status {status} " +
                status switch { -2 => "(allocation failed)", -1 => "(failed)", 1 => "(aborted)", _ => "" });
    }

    /// <summary>Waits for the backends to finish, then frees the scheduler and its compute buffers (once).</summary>
    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h == IntPtr.Zero) return;
        // No device buffer may be freed while a device queue still works on it.
        GgmlNative.ggml_backend_sched_synchronize(h);
        GgmlNative.ggml_backend_sched_free(h);
    }
}
