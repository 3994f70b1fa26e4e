using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>A decode graph built over a loaded model's weights and a 64-cell cache, attending 32 cells, for tests that
/// inspect its nodes rather than compute it.</summary>
internal sealed class BuiltGraph : IDisposable
{
    private readonly KvCache _cache;
    private readonly GgmlContext _context;

    public BuiltGraph(Model model, int tokens, int outputs, bool flash, KvCacheType cacheType = KvCacheType.F32)
    {
        var hp = model.Hyperparameters;
        _cache = new KvCache(hp, model.Backend, 64, cacheType, transposedValues: !flash);
        var size = DecoderGraph.GraphSize(hp.BlockCount);
        _context = GgmlContext.Create(2 * size, size);
        Graph = _context.NewGraph(size);
        Io = DecoderGraph.Build(_context, Graph, model.Architecture, hp, model.Weights, _cache, tokens, outputs, 32, flash);
    }

    /// <summary>The graph, not allocated.</summary>
    public GgmlGraph Graph { get; }

    /// <summary>Its inputs and logits.</summary>
    public DecoderGraphIo Io { get; }

    /// <summary>Its nodes in execution order.</summary>
    public IReadOnlyList<GgmlTensor> Nodes => [.. Enumerable.Range(0, Graph.NodeCount).Select(Graph.Node)];

    public void Dispose()
    {
        _context.Dispose();
        _cache.Dispose();
    }
}
