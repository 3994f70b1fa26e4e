using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>Every tensor a decode graph allocates starts on a 64-byte cache line. ggml's CPU allocator aligns to 32
/// bytes only, and an input of a few bytes (a decode step's token ids, a prompt's one output row) used to put every
/// activation after it half a line off, so the threads of a matmul wrote into shared lines. Each case below had most
/// of its tensors 32 bytes off before the inputs were rounded up to whole lines.</summary>
public sealed class CacheLineAlignmentTests(TestModels models) : IClassFixture<TestModels>
{
    [Theory]
    [InlineData(1, 1, false)]  // a decode step
    [InlineData(1, 1, true)]
    [InlineData(4, 4, false)]  // four sequences' steps
    [InlineData(4, 4, true)]
    [InlineData(13, 1, false)] // a prompt, logits for its last token only
    [InlineData(13, 3, true)]
    public void AllocatedTensors_StartOnACacheLine(int tokens, int outputs, bool flash)
    {
        using var model = Model.Load(models.Get("opt", TestModels.Wider));
        using var built = new BuiltGraph(model, tokens, outputs, flash, KvCacheType.F16);
        using var allocator = model.Backend.CreateGraphAllocator();
        allocator.Allocate(built.Graph);

        // Views live in memory of another tensor (an input's, the cache's); the rest is the graph's own.
        var own = built.Nodes.Where(t => t.ViewBase().Base == t.Handle).ToList();
        Assert.Contains(own, t => t.OpName == "MUL_MAT");
        var off = own.Select(t => (t.Name, Offset: (long)t.Field<IntPtr>(GgmlTensor.DataOffset) % GgmlBackendBuffer.CacheLine))
            .Where(t => t.Offset != 0).ToList();
        Assert.True(off.Count == 0, $"{off.Count} of {own.Count} tensors off a line, e.g. {string.Join(", ", off.Take(5))}");

        // The inputs keep their real shapes for the caller to fill.
        Assert.Equal(tokens, built.Io.Tokens.Ne(0));
        Assert.Equal(tokens, built.Io.CacheRows.Ne(0));
        Assert.Equal(outputs == tokens ? null : outputs, built.Io.OutputRows?.Ne(0));
    }
}
