using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Inference;

/// <summary>Element type of the KV cache.</summary>
public enum KvCacheType
{
    /// <summary>Half precision (default; half the memory).</summary>
    F16,
    /// <summary>Single precision (exact comparisons in tests).</summary>
    F32,
}

/// <summary>
/// A unified key/value cache: per layer one K tensor of [n_embd, cells] and one V tensor of [n_embd, cells], or of
/// [cells, n_embd] when the values are held transposed for mul_mat attention, in a backend buffer, shared by all
/// sequences. Each cell remembers which sequence and position it holds; a token may attend a cell of its own sequence
/// at an earlier or equal position, which the decode mask encodes. Freeing a sequence frees its cells at once.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly List<(GgmlContext Context, GgmlBackendBuffer Buffer)> _parts = [];
    private readonly GgmlTensor[] _k, _v;
    private readonly int[] _cellSequence; // -1 = free
    private readonly int[] _cellPosition;

    /// <summary>Creates a cache of <paramref name="cells"/> cells for the model's layers and width; with
    /// <paramref name="transposedValues"/> it holds the values as [cells, n_embd] (attention without flash attention).</summary>
    public KvCache(ModelHyperparameters hp, GgmlBackend backend, int cells, KvCacheType type, bool transposedValues = false)
        : this(hp, _ => backend, cells, type, transposedValues)
    {
    }

    /// <summary>Creates a cache whose layer <c>i</c> lives on the backend <paramref name="layerBackend"/> names for it
    /// (next to that layer's weights when a model is split over devices).</summary>
    public KvCache(ModelHyperparameters hp, Func<int, GgmlBackend> layerBackend, int cells, KvCacheType type, bool transposedValues = false)
    {
        ArgumentNullException.ThrowIfNull(hp);
        ArgumentNullException.ThrowIfNull(layerBackend);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cells);
        Cells = cells;
        Type = type;
        TransposedValues = transposedValues;
        var ggmlType = type == KvCacheType.F16 ? GgmlType.F16 : GgmlType.F32;
        ElementBytes = type == KvCacheType.F16 ? 2u : 4u;
        _k = new GgmlTensor[hp.BlockCount];
        _v = new GgmlTensor[hp.BlockCount];
        var backends = Enumerable.Range(0, hp.BlockCount).Select(layerBackend).ToArray();
        var cpuOnly = backends.All(b => b.IsCpu);
        ValueRowLength = transposedValues && cpuOnly ? SetSpreadRow(cells, (int)ElementBytes) : cells;
        var wide = (hp.HeadDim + DotProductStep - 1) / DotProductStep * DotProductStep;
        KeyReadWidth = transposedValues && cpuOnly && wide <= 2 * hp.HeadDim ? wide : hp.HeadDim;
        var contexts = new Dictionary<GgmlBackend, GgmlContext>();
        try
        {
            if (KeyReadWidth > hp.HeadDim)
                ViewsOfOneStore(contexts[backends[0]] = GgmlContext.Create(1 + 2 * hp.BlockCount), hp, cells, ggmlType);
            else
                TensorsPerLayer(contexts, backends, hp, cells, ggmlType);
            // Cells beyond those in use are still multiplied (then masked); zeros keep them finite.
            foreach (var (backend, context) in contexts)
            {
                var buffer = backend.AllocateZeroedTensors(context);
                _parts.Add((context, buffer));
                // Attention reads a head's keys and values one row (the model's width) apart, so on 4 KiB pages nearly
                // every cell it reads is a TLB miss of its own; huge pages take those away.
                if (backend.IsCpu) buffer.PreferHugePages();
            }
        }
        catch
        {
            foreach (var (_, buffer) in _parts) buffer.Dispose();
            foreach (var context in contexts.Values) context.Dispose();
            throw;
        }
        _cellSequence = new int[cells];
        _cellPosition = new int[cells];
        Array.Fill(_cellSequence, -1);
    }

    /// <summary>Every layer's K and V as tensors of their own, in a context per backend.</summary>
    private void TensorsPerLayer(Dictionary<GgmlBackend, GgmlContext> contexts, GgmlBackend[] backends, ModelHyperparameters hp, int cells, GgmlType type)
    {
        for (var i = 0; i < hp.BlockCount; i++)
        {
            var backend = backends[i];
            if (!contexts.TryGetValue(backend, out var context))
                contexts[backend] = context = GgmlContext.Create(2 * hp.BlockCount);
            _k[i] = context.NewTensor(type, hp.EmbeddingLength, cells).SetName($"cache_k_l{i}");
            _v[i] = TransposedValues
                ? context.NewTensor(type, ValueRowLength, hp.EmbeddingLength).SetName($"cache_v_l{i}")
                : context.NewTensor(type, hp.EmbeddingLength, cells).SetName($"cache_v_l{i}");
        }
    }

    /// <summary>
    /// Every layer's K and V as views of one tensor, each K followed by its V. A single query reads each head's keys
    /// <see cref="KeyReadWidth"/> wide, past the end of the last head's, and ggml checks a view's size as if it were
    /// dense (width × heads × cells) against the tensor it points into: with K alone that check fails once the cache
    /// is nearly full. Widening to at most twice the head size keeps even the last layer's K inside its V.
    /// </summary>
    private void ViewsOfOneStore(GgmlContext context, ModelHyperparameters hp, int cells, GgmlType type)
    {
        ulong Lines(ulong bytes) => (bytes + GgmlBackendBuffer.CacheLine - 1) / GgmlBackendBuffer.CacheLine * GgmlBackendBuffer.CacheLine;
        var width = (ulong)hp.EmbeddingLength;
        var keyBytes = Lines(width * (ulong)cells * ElementBytes);
        var valueBytes = Lines(width * (ulong)ValueRowLength * ElementBytes);
        var store = context.NewTensor(type, checked((long)((keyBytes + valueBytes) * (ulong)hp.BlockCount / ElementBytes))).SetName("cache_kv");
        for (var i = 0; i < hp.BlockCount; i++)
        {
            var offset = (ulong)i * (keyBytes + valueBytes);
            _k[i] = context.View(store, hp.EmbeddingLength, cells, width * ElementBytes, offset).SetName($"cache_k_l{i}");
            _v[i] = context.View(store, ValueRowLength, hp.EmbeddingLength, (ulong)ValueRowLength * ElementBytes, offset + keyBytes)
                .SetName($"cache_v_l{i}");
        }
    }

    /// <summary>Elements ggml's f16 (and f32) vector dot product takes a step with AVX-512; it adds the rest of a row one
    /// element at a time, in double precision.</summary>
    internal const int DotProductStep = 64;

    /// <summary>
    /// Elements of a cell's keys that mul_mat attention reads per head for a single query. Then ggml runs one vector dot
    /// product per cell and head, which takes 64 elements a step and adds the rest one at a time in double precision:
    /// for opt-2.7b's head size 80 that tail cost more than the 64 before it. On a CPU cache with values transposed
    /// (mul_mat attention) this is the head size rounded up to 64, where that at most doubles it; the elements past a
    /// head are the next head's keys (or the layer's values), multiplied by the zeros the query is padded with. Otherwise
    /// the head size.
    /// </summary>
    public int KeyReadWidth { get; }

    /// <summary>Number of cells (token slots over all sequences).</summary>
    public int Cells { get; }

    /// <summary>Element type.</summary>
    public KvCacheType Type { get; }

    /// <summary>Whether the values are held as [cells, n_embd]: each head dimension's values over the cells one row.</summary>
    public bool TransposedValues { get; }

    /// <summary>Elements from one row of a transposed V cache to the next: the cell count, on the CPU padded to an odd
    /// number of 64-byte cache lines. A decode step writes and mul_mat attention reads one short stretch of every row;
    /// rows a multiple of 4 KiB apart (2048 F16 cells) would all fall into the same few sets of the CPU's caches and
    /// evict each other.</summary>
    public int ValueRowLength { get; }

    /// <summary>The row length of at least <paramref name="cells"/> elements that spans an odd number of cache lines.</summary>
    internal static int SetSpreadRow(int cells, int elementBytes)
    {
        var perLine = GgmlBackendBuffer.CacheLine / elementBytes;
        var lines = (cells + perLine - 1) / perLine;
        return (lines | 1) * perLine;
    }

    /// <summary>Bytes per element.</summary>
    public uint ElementBytes { get; }

    /// <summary>Backend bytes the cache occupies.</summary>
    public ulong BufferBytes => _parts.Aggregate(0UL, (sum, p) => sum + p.Buffer.Size);

    /// <summary>Cells currently free.</summary>
    public int FreeCells => _cellSequence.Count(s => s < 0);

    internal (GgmlTensor K, GgmlTensor V) Layer(int layer) => (_k[layer], _v[layer]);

    internal int SequenceOf(int cell) => _cellSequence[cell];

    internal int PositionOf(int cell) => _cellPosition[cell];

    /// <summary>Number of cells holding <paramref name="sequence"/>.</summary>
    public int Count(int sequence) => _cellSequence.Count(s => s == sequence);

    /// <summary>Claims one free cell per token (lowest first) and records its sequence and position; returns false and
    /// claims nothing when there are not enough free cells.</summary>
    internal bool TryClaim(ReadOnlySpan<int> sequences, ReadOnlySpan<int> positions, Span<long> cellsOut)
    {
        var found = 0;
        for (var c = 0; c < Cells && found < sequences.Length; c++)
            if (_cellSequence[c] < 0) cellsOut[found++] = c;
        if (found < sequences.Length) return false;
        for (var i = 0; i < sequences.Length; i++)
        {
            _cellSequence[cellsOut[i]] = sequences[i];
            _cellPosition[cellsOut[i]] = positions[i];
        }
        return true;
    }

    /// <summary>Returns claimed cells to the free pool (used when a decode fails after claiming).</summary>
    internal void Release(ReadOnlySpan<long> cells)
    {
        foreach (var c in cells) _cellSequence[c] = -1;
    }

    /// <summary>Frees every cell of <paramref name="sequence"/>.</summary>
    public void RemoveSequence(int sequence)
    {
        for (var c = 0; c < Cells; c++)
            if (_cellSequence[c] == sequence) _cellSequence[c] = -1;
    }

    /// <summary>Frees every cell.</summary>
    public void Clear() => Array.Fill(_cellSequence, -1);

    /// <summary>Sets every key and value to zero (after a warm-up graph wrote into free cells).</summary>
    internal void ZeroMemory()
    {
        foreach (var (_, buffer) in _parts) buffer.Clear(0);
    }

    /// <summary>One past the highest cell in use.</summary>
    internal int UsedExtent()
    {
        for (var c = Cells - 1; c >= 0; c--)
            if (_cellSequence[c] >= 0) return c + 1;
        return 0;
    }

    /// <summary>Frees the cache memory.</summary>
    public void Dispose()
    {
        foreach (var (context, buffer) in _parts)
        {
            buffer.Dispose();
            context.Dispose();
        }
    }
}
