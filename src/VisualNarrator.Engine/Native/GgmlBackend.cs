using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>An initialized ggml backend (a compute stream on one device).</summary>
public sealed unsafe class GgmlBackend : IDisposable
{
    private IntPtr handle;
    private readonly delegate* unmanaged<IntPtr, int, void> setThreads;
    private int threads;
    private GgmlThreadpool? threadpool;

    private GgmlBackend(IntPtr handle, GgmlDevice device)
    {
        this.handle = handle;
        Device = device;
        Name = GgmlNative.Str(GgmlNative.ggml_backend_name(handle));
        // Thread count is a backend-specific extension, looked up by name as llama.cpp does.
        var reg = GgmlNative.ggml_backend_dev_backend_reg(device.Handle);
        if (reg != IntPtr.Zero)
            setThreads = (delegate* unmanaged<IntPtr, int, void>)GgmlNative.ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads");
    }

    /// <summary>
    /// Initializes the backend of the device named <paramref name="device"/> (see <see cref="GgmlDevice.Find"/>),
    /// with <paramref name="threads"/> CPU threads where the backend uses them (0: one per logical processor).
    /// </summary>
    /// <exception cref="Inference.InvalidSettingException">No such device; the message lists those available.</exception>
    public static GgmlBackend Create(string device = "cpu", int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var dev = GgmlDevice.Find(device);
        var h = GgmlNative.ggml_backend_dev_init(dev.Handle, null);
        if (h == IntPtr.Zero) throw new InvalidOperationException($"ggml could not initialize a backend on {dev}.");
        var backend = new GgmlBackend(h, dev);
        if (backend.SupportsThreads)
        {
            backend.Threads = threads == 0 ? Environment.ProcessorCount : threads;
            backend.PersistentThreadpool = GgmlNative.ggml_backend_is_cpu(h);
        }
        return backend;
    }

    /// <summary>Backend name, e.g. <c>CPU</c>.</summary>
    public string Name { get; }

    /// <summary>The device it runs on.</summary>
    public GgmlDevice Device { get; }

    /// <summary>The native <c>ggml_backend_t</c>.</summary>
    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle == IntPtr.Zero, this);
            return handle;
        }
    }

    /// <summary>Whether this is ggml's CPU backend (its buffers are in the process's own memory).</summary>
    internal bool IsCpu => GgmlNative.ggml_backend_is_cpu(Handle);

    /// <summary>Whether the backend takes a thread count (CPU does; GPUs do not).</summary>
    public bool SupportsThreads => setThreads != null;

    /// <summary>Threads used for compute.</summary>
    /// <exception cref="NotSupportedException">Setting it on a backend without threads.</exception>
    public int Threads
    {
        get => threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 512); // GGML_MAX_N_THREADS
            if (!SupportsThreads) throw new NotSupportedException($"Backend {Name} has no thread setting.");
            setThreads(Handle, value);
            threads = value;
            activeThreads = value;
            if (threadpool is not null && threadpool.Threads != value) PersistentThreadpool = true; // resize
        }
    }

    private int activeThreads;

    /// <summary>Threads the next graphs compute with: <see cref="Threads"/>, or fewer after <see cref="UseThreads"/>.</summary>
    public int ActiveThreads => activeThreads;

    /// <summary>
    /// Computes the next graphs with <paramref name="value"/> of the <see cref="Threads"/> threads. The persistent
    /// threadpool keeps its size (ggml wakes only as many of its threads as a graph is planned for; the rest sleep), so
    /// this is cheap enough to change between graphs, as llama.cpp switches between its batch and decode counts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 or above <see cref="Threads"/>.</exception>
    public void UseThreads(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, threads);
        if (value == activeThreads) return;
        setThreads(Handle, value);
        activeThreads = value;
    }

    /// <summary>
    /// Whether the CPU backend computes graphs with a persistent <see cref="GgmlThreadpool"/> of <see cref="Threads"/>
    /// threads (on by default for CPU) instead of a pool ggml creates for every graph. False on other backends.
    /// </summary>
    /// <exception cref="NotSupportedException">Turning it on for a backend other than CPU.</exception>
    public bool PersistentThreadpool
    {
        get => threadpool is not null;
        set
        {
            if (value && !IsCpu) throw new NotSupportedException($"Backend {Name} has no threadpool.");
            var next = value ? GgmlThreadpool.Create(threads) : null;
            if (next is not null || threadpool is not null) GgmlThreadpool.Attach(Handle, next);
            threadpool?.Dispose(); // detached above, so the backend no longer uses it
            threadpool = next;
        }
    }

    /// <summary>
    /// Gives every tensor of <paramref name="context"/> memory in one new buffer of this backend
    /// (e.g. weights or a KV cache). The buffer must outlive the tensors' use.
    /// </summary>
    public GgmlBackendBuffer AllocateTensors(GgmlContext context, GgmlBufferUsage usage = GgmlBufferUsage.Any)
    {
        ArgumentNullException.ThrowIfNull(context);
        var buffer = GgmlNative.ggml_backend_alloc_ctx_tensors(context.Handle, Handle);
        if (buffer == IntPtr.Zero)
            throw new InvalidOperationException("ggml allocated no buffer: the context has no tensors without memory, or the device is out of memory.");
        var result = new GgmlBackendBuffer(buffer);
        result.Usage = usage;
        return result;
    }

    /// <summary>
    /// As <see cref="AllocateTensors"/>, with the tensors' memory zero-filled. On the CPU the memory comes zeroed from
    /// the operating system (<c>calloc</c>, which maps large blocks fresh): a page becomes resident only when first
    /// written, instead of every page being written with zeros up front, which took 0.6 ms per MiB here (a 384 MiB KV
    /// cache, 240 ms of a load), and the caller can still ask for huge pages under it. Other backends allocate and clear.
    /// </summary>
    public GgmlBackendBuffer AllocateZeroedTensors(GgmlContext context, GgmlBufferUsage usage = GgmlBufferUsage.Any)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!IsCpu)
        {
            var buffer = AllocateTensors(context, usage);
            buffer.Clear(0);
            return buffer;
        }
        var zeroed = GgmlBackendBuffer.ZeroedOnHost([.. context.Tensors]);
        zeroed.Usage = usage;
        return zeroed;
    }

    /// <summary>A graph allocator using this backend's default buffer type.</summary>
    public GgmlGraphAllocator CreateGraphAllocator() => new(GgmlNative.ggml_backend_get_default_buffer_type(Handle));

    /// <summary>Runs <paramref name="graph"/>, which must be allocated; throws if ggml reports failure.</summary>
    public void Compute(GgmlGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.CheckAllocated();
        var status = GgmlNative.ggml_backend_graph_compute(Handle, graph.Handle);
        if (status != 0)
            throw new InvalidOperationException($"ggml_backend_graph_compute on {Name} returned status {status} " +
                status switch { -2 => "(allocation failed)", -1 => "(failed)", 1 => "(aborted)", _ => "" });
    }

    /// <summary>Waits until work queued on the backend has finished (GPU backends run asynchronously).</summary>
    public void Synchronize() => GgmlNative.ggml_backend_synchronize(Handle);

    /// <summary>Frees the backend (once).</summary>
    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) GgmlNative.ggml_backend_free(h);
        threadpool?.Dispose(); // after the backend that used it
        threadpool = null;
    }
}

/// <summary>What a backend buffer holds; schedulers use it to place ops next to weights.</summary>
public enum GgmlBufferUsage
{
    /// <summary>Unspecified.</summary>
    Any = 0,

    /// <summary>Model weights.</summary>
    Weights = 1,

    /// <summary>Intermediate results.</summary>
    Compute = 2,
}

/// <summary>A backend buffer owning tensor memory; freeing it leaves its tensors dangling, so dispose it last.</summary>
public sealed unsafe class GgmlBackendBuffer : IDisposable
{
    private IntPtr handle;
    private GgmlBufferUsage usage;
    private void* owned; // host memory under a buffer made over it, freed after the buffer

    internal GgmlBackendBuffer(IntPtr handle) => this.handle = handle;

    /// <summary>Alignment ggml's CPU buffers need (TENSOR_ALIGNMENT), and all its graph allocator gives a tensor.</summary>
    internal const int CpuAlignment = 32;

    /// <summary>Bytes of a CPU cache line (x86-64 and ARM64 alike); memory laid out for threads or cache sets is padded
    /// to whole lines.</summary>
    internal const int CacheLine = 64;

    /// <summary>A CPU buffer over <paramref name="size"/> bytes at <paramref name="pointer"/>, memory the caller owns
    /// and keeps alive longer than the buffer (disposing the buffer does not free it).</summary>
    /// <exception cref="ArgumentException">The pointer is not <see cref="CpuAlignment"/>-byte aligned.</exception>
    internal static GgmlBackendBuffer OverHostMemory(byte* pointer, ulong size)
    {
        // ggml asserts the alignment, which would end the process.
        if ((nuint)pointer % CpuAlignment != 0)
            throw new ArgumentException($"host memory at 0x{(nuint)pointer:x} is not {CpuAlignment}-byte aligned", nameof(pointer));
        GgmlLibrary.EnsureLoaded();
        var buffer = GgmlNative.ggml_backend_cpu_buffer_from_ptr(pointer, (nuint)size);
        if (buffer == IntPtr.Zero) throw new InvalidOperationException("ggml could not make a CPU buffer over host memory");
        return new GgmlBackendBuffer(buffer);
    }

    /// <summary>A CPU buffer over zero-filled memory of its own (freed with the buffer) holding <paramref name="tensors"/>
    /// (of a no_alloc context, not yet allocated) one after another, each at a <see cref="CpuAlignment"/>-byte boundary;
    /// views among them point into their sources.</summary>
    internal static GgmlBackendBuffer ZeroedOnHost(IReadOnlyList<GgmlTensor> tensors)
    {
        var offsets = new ulong[tensors.Count];
        ulong size = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].IsView) continue;
            offsets[i] = size;
            size = checked(size + (tensors[i].Nbytes + CpuAlignment - 1) / CpuAlignment * CpuAlignment);
        }
        // calloc gives 16-byte alignment; the extra bytes let the buffer start at the next 32-byte boundary.
        var memory = NativeMemory.AllocZeroed(checked((nuint)(Math.Max(size, 1) + CpuAlignment)));
        GgmlBackendBuffer? buffer = null;
        try
        {
            var start = (byte*)(((nuint)memory + CpuAlignment - 1) / CpuAlignment * CpuAlignment);
            buffer = OverHostMemory(start, Math.Max(size, 1));
            buffer.owned = memory;
            for (var i = 0; i < tensors.Count; i++)
                if (!tensors[i].IsView) buffer.Place(tensors[i], start + offsets[i]);
            foreach (var view in tensors.Where(t => t.IsView)) // after their sources have data
                if (GgmlNative.ggml_backend_view_init(view.Handle) != 0)
                    throw new InvalidOperationException($"ggml could not point view '{view.Name}' into its source");
            return buffer;
        }
        catch
        {
            if (buffer is not null) buffer.Dispose();
            else NativeMemory.Free(memory);
            throw;
        }
    }

    /// <summary>Places <paramref name="tensor"/> (of a no_alloc context, not yet allocated) at <paramref name="address"/>
    /// inside this buffer.</summary>
    internal void Place(GgmlTensor tensor, byte* address)
    {
        // ggml asserts all of these, which would end the process.
        var start = (byte*)GgmlNative.ggml_backend_buffer_get_base(Handle);
        if (tensor.IsAllocated || address < start || address + tensor.Nbytes > start + Size)
            throw new ArgumentException($"tensor '{tensor.Name}' ({tensor.Nbytes} bytes) is allocated already or does not fit at offset {address - start} of a {Size}-byte buffer");
        var status = GgmlNative.ggml_backend_tensor_alloc(Handle, tensor.Handle, address);
        if (status != 0) throw new InvalidOperationException($"ggml could not place tensor '{tensor.Name}' in its buffer (status {status})");
    }

    /// <summary>The native <c>ggml_backend_buffer_t</c>.</summary>
    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle == IntPtr.Zero, this);
            return handle;
        }
    }

    /// <summary>Size in bytes.</summary>
    public ulong Size => GgmlNative.ggml_backend_buffer_get_size(Handle);

    /// <summary>Buffer name as ggml reports it, e.g. <c>CPU</c>.</summary>
    public string Name => GgmlNative.Str(GgmlNative.ggml_backend_buffer_name(Handle));

    /// <summary>What the buffer holds.</summary>
    public GgmlBufferUsage Usage
    {
        get => usage;
        set
        {
            GgmlNative.ggml_backend_buffer_set_usage(Handle, (int)value);
            usage = value;
        }
    }

    /// <summary>
    /// Asks for transparent huge pages under this buffer's memory, which must be the CPU's (a CPU buffer, or the CPU's
    /// repack buffer), before anything is written to it (pages already written keep their size). Decode streams every
    /// weight and most of the KV cache once per token: on 4 KiB pages that is a TLB miss every 4 KiB or less, each a
    /// two-level page walk inside a virtual machine; 2 MiB pages take nearly all of them away. A hint: false where the
    /// kernel declines (huge pages off).
    /// </summary>
    internal bool PreferHugePages() =>
        MemoryAdvice.PreferHugePages((void*)GgmlNative.ggml_backend_buffer_get_base(Handle), Size);

    /// <summary>Sets every byte of the buffer to <paramref name="value"/> (e.g. zero a fresh KV cache).</summary>
    public void Clear(byte value = 0) => GgmlNative.ggml_backend_buffer_clear(Handle, value);

    /// <summary>Frees the buffer (once), then the memory it was made over if it owns it.</summary>
    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h == IntPtr.Zero) return;
        GgmlNative.ggml_backend_buffer_free(h);
        if (owned != null) NativeMemory.Free(owned);
        owned = null;
    }
}

/// <summary>
/// ggml's graph allocator: gives a graph's intermediate tensors memory in one reusable buffer,
/// reusing memory of tensors no longer needed.
/// </summary>
public sealed class GgmlGraphAllocator : IDisposable
{
    private IntPtr handle;

    internal GgmlGraphAllocator(IntPtr bufferType)
    {
        if (bufferType == IntPtr.Zero) throw new InvalidOperationException("Backend has no default buffer type.");
        handle = GgmlNative.ggml_gallocr_new(bufferType);
        if (handle == IntPtr.Zero) throw new InvalidOperationException("ggml_gallocr_new failed.");
    }

    /// <summary>The native <c>ggml_gallocr_t</c>.</summary>
    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle == IntPtr.Zero, this);
            return handle;
        }
    }

    /// <summary>Bytes of the compute buffer reserved so far.</summary>
    public ulong BufferSize => GgmlNative.ggml_gallocr_get_buffer_size(Handle, 0);

    /// <summary>Gives the graph's tensors memory. Set input data after this, then compute.</summary>
    public void Allocate(GgmlGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!GgmlNative.ggml_gallocr_alloc_graph(Handle, graph.Handle))
            throw new InvalidOperationException("ggml_gallocr_alloc_graph failed (out of device memory?).");
    }

    /// <summary>Frees the allocator and its buffer (once).</summary>
    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) GgmlNative.ggml_gallocr_free(h);
    }
}
