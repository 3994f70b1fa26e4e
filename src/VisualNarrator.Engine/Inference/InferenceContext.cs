using System.Numerics;
using System.Runtime.InteropServices;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Placement;

namespace VisualNarrator.Engine.Inference;

/// <summary>Settings of an inference context.</summary>
/// <param name="ContextSize">KV-cache cells shared by all sequences (0, the default: the model's context length,
/// resolved by <see cref="CellsFor"/> and nowhere else).</param>
/// <param name="CacheType">KV-cache element type.</param>
/// <param name="MaxBatchTokens">Most tokens one decode call may take (prompts longer than this are fed in chunks).</param>
/// <param name="FlashAttention">Use ggml's fused attention kernel (true; llama.cpp's CPU default) or mul_mat + soft_max
/// (false); results differ in rounding only. Null (the default) chooses per model: see <see cref="FlashFor"/>.</param>
public sealed record InferenceOptions(int ContextSize = 0, KvCacheType CacheType = KvCacheType.F16, int MaxBatchTokens = 512,
    bool? FlashAttention = null)
{
    /// <summary>Whether a model with <paramref name="hp"/> attends with the fused kernel: <see cref="FlashAttention"/>
    /// when set; otherwise yes, except for a model on the CPU alone (<paramref name="cpuOnly"/>) whose head size is not a
    /// multiple of 64, such as opt-2.7b's 80. ggml's CPU kernels take a row 64 halves at a time (AVX-512) and the rest
    /// one by one; the fused kernel pays that rest twice per head and cell (score and value), mul_mat attention once per
    /// cell and never for the values, which it reads as rows over the cells. Measured on opt-2.7b: decode steps 8-9%
    /// faster; at head size 64 the fused kernel is the faster one.</summary>
    public bool FlashFor(ModelHyperparameters hp, bool cpuOnly)
    {
        ArgumentNullException.ThrowIfNull(hp);
        return FlashAttention ?? !(cpuOnly && hp.HeadDim % 64 != 0);
    }

    /// <summary>The KV-cache cells these settings give a model with <paramref name="hp"/>: <see cref="ContextSize"/>, or
    /// the model's context length when it is 0.</summary>
    public int CellsFor(ModelHyperparameters hp)
    {
        ArgumentNullException.ThrowIfNull(hp);
        return ContextSize == 0 ? hp.ContextLength : ContextSize;
    }
}

/// <summary>Thrown when a decode request cannot be served (bad token, position or sequence, batch too large, cache
/// full). Nothing was sent to native code and the context is unchanged.</summary>
public sealed class DecodeException(string message) : Exception(message);

/// <summary>
/// Runs batches of tokens through a model with a KV cache. Several sequences can be decoded in one graph; each token
/// attends only to earlier positions of its own sequence. Not thread-safe: one caller (the scheduler) drives it.
/// </summary>
public sealed class InferenceContext : IDisposable
{
    private readonly Model _model;
    private readonly GgmlGraphAllocator? _allocator;
    private readonly GgmlScheduler? _scheduler;
    private readonly int _graphSize;
    private float[] _logits = [];
    private float[] _mask = [];
    private Half[] _maskHalf = [];
    private long[] _cells = [];
    private long[] _valueElements = [];
    private int[] _outputRows = [];
    private int _outputs;
    private GgmlContext? _graphContext;
    private (GgmlGraph Graph, DecoderGraphIo Io)? _graph;
    private (int, int, int, int?) _graphKey;
    private readonly bool _flash;

    /// <summary>Creates a context with its own KV cache.</summary>
    public InferenceContext(Model model, InferenceOptions? options = null)
    {
        _model = model;
        Options = options ?? new InferenceOptions();
        _flash = Options.FlashFor(model.Hyperparameters, cpuOnly: model.DeviceBackend is null);
        var cells = Options.CellsFor(model.Hyperparameters);
        if (cells < 1) throw new InvalidSettingException("--context", $"the context size must be positive, got {cells}");
        if (Options.MaxBatchTokens < 1) throw new ArgumentOutOfRangeException(nameof(options), $"MaxBatchTokens must be positive, got {Options.MaxBatchTokens}");
        CheckCacheFits(model.Hyperparameters, cells, Options.CacheType);
        _graphSize = DecoderGraph.GraphSize(model.Hyperparameters.BlockCount);
        if (model.DeviceBackend is null)
        {
            Cache = new KvCache(model.Hyperparameters, model.Backend, cells, Options.CacheType, transposedValues: !_flash);
            _allocator = model.Backend.CreateGraphAllocator();
            return;
        }

        // On a device the model was planned for some context settings; a bigger context would overrun that plan.
        var needs = MemoryNeeds.Of(model.File, model.Hyperparameters, Options);
        var planned = model.PlannedNeeds!;
        if (needs.KvBytesPerLayer > planned.KvBytesPerLayer || needs.ComputeBytes > planned.ComputeBytes)
            throw new InvalidSettingException("--context",
                $"this context needs {OffloadPlanner.MiB(needs.KvBytes)} of KV cache and {OffloadPlanner.MiB(needs.ComputeBytes)} of compute buffer, " +
                $"more than the {OffloadPlanner.MiB(planned.KvBytes)} and {OffloadPlanner.MiB(planned.ComputeBytes)} {model.Offload!.Device} was planned for; " +
                "load the model with these inference settings (ModelLoadOptions.Inference)");
        Cache = new KvCache(model.Hyperparameters, model.LayerBackend, cells, Options.CacheType, transposedValues: !_flash);
        try
        {
            _scheduler = new GgmlScheduler([model.DeviceBackend, model.Backend], 2 * _graphSize);
            WarmUp();
        }
        catch
        {
            _scheduler?.Dispose();
            Cache.Dispose();
            throw;
        }
    }

    /// <summary>Compute-buffer bytes reserved per backend (device first, then the CPU); empty on the CPU-only path,
    /// whose allocator grows as graphs need.</summary>
    public IReadOnlyList<(string Backend, ulong Bytes)> ComputeBuffers =>
        _scheduler is { } s ? [.. s.Backends.Select(b => (b.Device.Name, s.BufferSize(b)))] : [];

    /// <summary>Splits of the last graph over the backends (1: one backend ran it all).</summary>
    public int GraphSplits => _scheduler?.SplitCount ?? 1;

    /// <summary>
    /// Sizes every device buffer before the first request, so that none is freed or grows while the context is in
    /// use: freeing a Vulkan buffer and then computing a graph that binds different buffers crashed Mesa's software
    /// Vulkan driver (llvmpipe) in its queue thread. The scheduler's compute buffers are reserved for the largest graph
    /// (a full batch attending every cell), which is computed with every logits row read back so the device's staging
    /// buffer reaches its largest size too. Then smaller batches are computed, largest first: the device backend sizes
    /// its split-K scratch from the batch width (it splits only narrow batches, more rows needing more room), so the
    /// first narrow batch it splits allocates the most and no later one makes it grow; one to eight tokens are the
    /// widths of decoding that many sequences at once, each with its own kernels.
    /// </summary>
    private void WarmUp()
    {
        var largest = Math.Min(Options.MaxBatchTokens, Cache.Cells);
        foreach (var tokens in WarmUpBatches(largest))
        {
            // Every row's logits for the largest batch and for steps of up to eight sequences; the batches between
            // read eight rows, so copies of eight rows come before the smaller ones and the staging buffer they pass
            // through does not grow on the way down.
            var outputs = tokens == largest ? tokens : Math.Min(tokens, MaxDecodeWidth);
            ComputeFullCache(tokens, outputs, reserve: tokens == largest);
        }
        Cache.ZeroMemory();
    }

    /// <summary>Widest batch that <see cref="WarmUp"/> computes as a step of that many sequences.</summary>
    private const int MaxDecodeWidth = 8;

    /// <summary>Batch sizes computed at creation, in order: the largest, then powers of two from 64 down to 16, then
    /// eight down to one (each below the largest).</summary>
    internal static IEnumerable<int> WarmUpBatches(int largest) =>
        new[] { largest }.Concat(new[] { 64, 32, 16 }.Concat(Enumerable.Range(1, MaxDecodeWidth).Reverse()).Where(n => n < largest));

    /// <summary>Computes a batch of <paramref name="tokens"/> attending every cell (zeroed afterwards by the caller)
    /// and reads the logits of its last <paramref name="outputs"/> tokens back; with <paramref name="reserve"/> it
    /// first sizes the scheduler for it.</summary>
    private void ComputeFullCache(int tokens, int outputs, bool reserve)
    {
        var hp = _model.Hyperparameters;
        var kv = Cache.Cells;
        var flash = _flash;
        using var context = GgmlContext.Create(2 * _graphSize, _graphSize);
        var graph = context.NewGraph(_graphSize);
        var io = DecoderGraph.Build(context, graph, _model.Architecture, hp, _model.Weights, Cache, tokens, outputs, kv, flash);
        if (reserve) _scheduler!.Reserve(graph);
        _scheduler!.Allocate(graph);
        io.Tokens.SetData<int>(new int[tokens]);
        io.Positions.SetData<int>(Enumerable.Range(0, tokens).Select(i => i % hp.ContextLength).ToArray());
        SetCells(io, Enumerable.Range(0, tokens).Select(i => (long)i).ToArray());
        // An all-zero mask lets every token attend every (zeroed) cell: finite values, the full amount of work.
        if (flash) io.Mask.SetData<Half>(new Half[kv * GgmlContext.FlashAttentionMaskRows(tokens)]);
        else io.Mask.SetData<float>(new float[kv * tokens]);
        io.OutputRows?.SetData<int>(Enumerable.Range(tokens - outputs, outputs).ToArray());
        _scheduler.Compute(graph);
        io.Logits.GetData(new float[(long)outputs * hp.VocabSize].AsSpan());
    }

    /// <summary>Refuses a cache larger than this machine's memory before anything is allocated: a context size such
    /// as 2^31-1 would otherwise end in an allocation failure deep in native code or in the OOM killer.</summary>
    private static void CheckCacheFits(ModelHyperparameters hp, int cells, KvCacheType type)
    {
        var elementBytes = type == KvCacheType.F16 ? 2m : 4m;
        var bytes = 2m * hp.BlockCount * hp.EmbeddingLength * cells * elementBytes;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (memory > 0 && bytes > memory)
            throw new InvalidSettingException("--context",
                $"a KV cache of {cells} cells needs {bytes / (1 << 20):F0} MiB, more than this machine's {memory >> 20} MiB of memory; choose a smaller context size");
    }

    /// <summary>The settings.</summary>
    public InferenceOptions Options { get; }

    /// <summary>The model.</summary>
    public Model Model => _model;

    /// <summary>The KV cache (free sequences through it).</summary>
    public KvCache Cache { get; }

    /// <summary>Vocabulary size: the length of each logits row.</summary>
    public int VocabSize => _model.Hyperparameters.VocabSize;

    /// <summary>Logits of the <paramref name="output"/>-th token (in batch order) that asked for them in the last decode.</summary>
    public ReadOnlySpan<float> Logits(int output)
    {
        if ((uint)output >= (uint)_outputs) throw new ArgumentOutOfRangeException(nameof(output), $"the last decode produced {_outputs} logits rows");
        return _logits.AsSpan(output * VocabSize, VocabSize);
    }

    /// <summary>Decodes a batch: writes its keys and values into the cache and computes logits for the tokens that
    /// want them. Validates everything first; on a <see cref="DecodeException"/> nothing changed.</summary>
    public void Decode(DecodeBatch batch)
    {
        Validate(batch);
        var n = batch.Count;
        EnsureCapacity(n, batch.OutputCount);
        var cells = _cells.AsSpan(0, n);
        if (!Cache.TryClaim(batch.Sequences, batch.Positions, cells))
            throw new DecodeException($"the KV cache is full: {n} tokens need cells, {Cache.FreeCells} of {Cache.Cells} are free (raise the context size or free sequences)");
        try
        {
            Run(batch, cells);
        }
        catch
        {
            Cache.Release(cells);
            throw;
        }
    }

    private void Validate(DecodeBatch batch)
    {
        var hp = _model.Hyperparameters;
        if (batch.Count == 0) throw new DecodeException("the batch is empty");
        if (batch.Count > Options.MaxBatchTokens)
            throw new DecodeException($"the batch has {batch.Count} tokens, more than MaxBatchTokens {Options.MaxBatchTokens}");
        if (batch.OutputCount == 0) throw new DecodeException("no token in the batch asks for logits");
        for (var i = 0; i < batch.Count; i++)
        {
            if ((uint)batch.Tokens[i] >= (uint)hp.VocabSize)
                throw new DecodeException($"token #{i} is id {batch.Tokens[i]}, outside the vocabulary [0, {hp.VocabSize})");
            if ((uint)batch.Positions[i] >= (uint)hp.ContextLength)
                throw new DecodeException($"token #{i} is at position {batch.Positions[i]}, outside the model's context [0, {hp.ContextLength})");
            if (batch.Sequences[i] < 0)
                throw new DecodeException($"token #{i} has sequence id {batch.Sequences[i]}; ids must be >= 0");
        }
    }

    private void EnsureCapacity(int tokens, int outputs)
    {
        if (_cells.Length < tokens) _cells = new long[tokens];
        if (_outputRows.Length < outputs) _outputRows = new int[outputs];
        if (_logits.Length < outputs * VocabSize) _logits = new float[outputs * VocabSize];
    }

    private void Run(DecodeBatch batch, ReadOnlySpan<long> cells)
    {
        var n = batch.Count;
        var outputs = batch.OutputCount;
        // Attend over a prefix of the cache, rounded up so graph shapes (and allocations) change rarely. mul_mat attention
        // rounds to a whole dot-product step: its value products run along the cells.
        var flash = _flash;
        var granule = flash ? 32 : KvCache.DotProductStep;
        var nKv = Math.Min(Cache.Cells, (Math.Max(1, Cache.UsedExtent()) + granule - 1) / granule * granule);
        var o = 0;
        for (var t = 0; t < n; t++)
            if (batch.WantLogits[t]) _outputRows[o++] = t;

        // A prompt wider than any decode step, in one run of cells, has its values copied into a transposed cache in
        // one block; value by value, ggml writes each as a row of its own (decode steps keep reusing one graph).
        int? valueRun = !flash && n > MaxDecodeWidth && IsRun(cells) ? (int)cells[0] : null;
        var (graph, io) = GraphFor(n, outputs, nKv, valueRun);
        io.Tokens.SetData(batch.Tokens);
        io.Positions.SetData(batch.Positions);
        SetCells(io, cells);
        // Flash attention reads an f16 mask with padding rows (64 rows for a decode step). It is written as f16
        // directly: filling a float mask and converting it value by value took about 50 µs a step.
        if (flash) io.Mask.SetData<Half>(BuildMask(ref _maskHalf, batch, nKv, (int)GgmlContext.FlashAttentionMaskRows(n), Half.Zero, Half.NegativeInfinity));
        else io.Mask.SetData<float>(BuildMask(ref _mask, batch, nKv, n, 0f, float.NegativeInfinity));
        io.OutputRows?.SetData<int>(_outputRows.AsSpan(0, outputs));
        var callerCpu = _model.AdjustThreads(n);
        if (_scheduler is { } scheduler) scheduler.Compute(graph);
        else _model.Backend.Compute(graph);
        _model.GraphComputed(callerCpu);
        io.Logits.GetData(_logits.AsSpan(0, outputs * VocabSize));
        ThrowIfNonFinite(_logits.AsSpan(0, outputs * VocabSize));
        _outputs = outputs;
    }

    /// <summary>The attention mask: a row of <paramref name="nKv"/> cells per token of the batch, <paramref name="attend"/>
    /// where the cell holds the token's own sequence at its position or earlier, <paramref name="masked"/> elsewhere;
    /// rows past the batch (flash attention's padding) stay masked.</summary>
    private ReadOnlySpan<T> BuildMask<T>(ref T[] buffer, DecodeBatch batch, int nKv, int rows, T attend, T masked)
    {
        var length = nKv * rows;
        if (buffer.Length < length) buffer = new T[Math.Max(length, buffer.Length * 2)];
        var mask = buffer.AsSpan(0, length);
        mask.Fill(masked);
        for (var t = 0; t < batch.Count; t++)
        {
            int seq = batch.Sequences[t], pos = batch.Positions[t];
            var row = mask.Slice(t * nKv, nKv);
            for (var c = 0; c < nKv; c++)
                if (Cache.SequenceOf(c) == seq && Cache.PositionOf(c) <= pos) row[c] = attend;
        }
        return mask;
    }

    /// <summary>NaN or infinite logits come from the weights (corrupt or overflowing), never from the request; they
    /// are reported as the model's fault instead of being sampled from.</summary>
    private void ThrowIfNonFinite(ReadOnlySpan<float> logits)
    {
        // A vector at a time first (x - x is 0 for every finite x, NaN for NaN and infinities): eight rows of logits
        // are 400 thousand values, checked after every decode step. The scalar loop then finds the first bad value.
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(logits);
        var start = 0;
        while (start < vectors.Length && Vector.EqualsAll(vectors[start] - vectors[start], Vector<float>.Zero)) start++;
        for (var i = start * Vector<float>.Count; i < logits.Length; i++)
            if (!float.IsFinite(logits[i]))
                throw new ModelOutputException(_model.File.Path,
                    $"the model computed {(float.IsNaN(logits[i]) ? "NaN" : "infinite")} logits (row {i / VocabSize}, token id {i % VocabSize}); " +
                    "its weights are corrupt or overflow");
    }

    /// <summary>Whether the cells are consecutive and ascending.</summary>
    private static bool IsRun(ReadOnlySpan<long> cells)
    {
        for (var i = 1; i < cells.Length; i++)
            if (cells[i] != cells[0] + i) return false;
        return true;
    }

    /// <summary>Sets the cells the batch's keys and values go to and, for a transposed V cache written value by
    /// value, the element of each value.</summary>
    private void SetCells(DecoderGraphIo io, ReadOnlySpan<long> cells)
    {
        io.CacheRows.SetData(cells);
        if (io.ValueElements is not { } elements) return;
        var embd = _model.Hyperparameters.EmbeddingLength;
        var length = embd * cells.Length;
        if (_valueElements.Length < length) _valueElements = new long[length];
        var index = _valueElements.AsSpan(0, length);
        for (var t = 0; t < cells.Length; t++)
            for (var j = 0; j < embd; j++)
                index[t * embd + j] = (long)j * Cache.ValueRowLength + cells[t];
        elements.SetData<long>(index);
    }

    /// <summary>The graph for this batch shape: decode steps repeat the same shape (one token per sequence, the same
    /// 32-cell bucket of the cache), so the last graph and its allocation are reused instead of rebuilt.</summary>
    private (GgmlGraph Graph, DecoderGraphIo Io) GraphFor(int tokens, int outputs, int nKv, int? valueRun)
    {
        var key = (tokens, outputs, nKv, valueRun);
        if (_graph is { } cached && _graphKey == key) return cached;
        _graph = null;
        var previous = _graphContext;
        _graphContext = GgmlContext.Create(2 * _graphSize, _graphSize);
        var graph = _graphContext.NewGraph(_graphSize);
        var io = DecoderGraph.Build(_graphContext, graph, _model.Architecture, _model.Hyperparameters, _model.Weights, Cache, tokens, outputs, nKv, _flash, valueRun);
        // The scheduler forgets the previous graph's tensors in Allocate, so their context is freed after it.
        if (_scheduler is { } scheduler) scheduler.Allocate(graph);
        else _allocator!.Allocate(graph);
        previous?.Dispose();
        _graph = (graph, io);
        _graphKey = key;
        return (graph, io);
    }

    /// <summary>Whether this context attends with ggml's fused kernel: <see cref="InferenceOptions.FlashAttention"/>,
    /// or the choice <see cref="InferenceOptions.FlashFor"/> makes for the model.</summary>
    public bool FlashAttention => _flash;

    /// <summary>Frees the cache and the graph allocator.</summary>
    public void Dispose()
    {
        _scheduler?.Dispose();
        _graphContext?.Dispose();
        _allocator?.Dispose();
        Cache.Dispose();
    }
}
