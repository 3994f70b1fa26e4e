using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>Which attention a context uses by default, and mul_mat attention over a transposed V cache whose values are
/// written value by value (cells that are not one run) rather than as one block.</summary>
public sealed class AttentionChoiceTests(TestModels models) : IClassFixture<TestModels>
{
    private static readonly int[] Prompt = [2, 300, 17, 99, 45, 280, 7, 150, 64, 201, 33, 12];

    [Theory]
    [InlineData(2560, 32, true, null, false)]  // opt-2.7b: head size 80
    [InlineData(2048, 32, true, null, true)]   // opt-1.3b: 64
    [InlineData(5120, 40, true, null, true)]   // opt-13b: 128
    [InlineData(128, 4, true, null, false)]    // the built-in model: 32
    [InlineData(2560, 32, false, null, true)]  // on a GPU
    [InlineData(2560, 32, true, true, true)]
    [InlineData(2048, 32, true, false, false)]
    public void FlashAttention_ByDefault_IsOffOnlyOnTheCpuForHeadSizesNotAMultipleOf64(int width, int heads, bool cpuOnly, bool? setting, bool expected)
    {
        var hp = new ModelHyperparameters("opt", 2048, width, 4 * width, 2, heads, 1e-5f, 0);
        Assert.Equal(expected, new InferenceOptions(FlashAttention: setting).FlashFor(hp, cpuOnly));
    }

    [Fact]
    public void Context_HoldsItsValuesTransposed_ExactlyWhenItAttendsWithoutTheFusedKernel()
    {
        using var model = Model.Load(models.Get("opt", TestModels.TinyOpt));
        Assert.NotEqual(0, TestModels.TinyOpt.HeadDim % 64);
        using var auto = new InferenceContext(model, new InferenceOptions(ContextSize: 32));
        using var flash = new InferenceContext(model, new InferenceOptions(ContextSize: 32, FlashAttention: true));
        Assert.False(auto.FlashAttention);
        Assert.True(auto.Cache.TransposedValues);
        Assert.True(flash.FlashAttention);
        Assert.False(flash.Cache.TransposedValues);
    }

    /// <summary>With head size 80 (opt-2.7b's) a single query reads each head's keys 128 wide, over the next head's keys
    /// (and the last head's over the layer's values), with q padded by zeros: decode steps still give the reference
    /// logits, up to the last cell of the cache.</summary>
    [Theory]
    [InlineData(KvCacheType.F32, 1e-3f)]
    [InlineData(KvCacheType.F16, 2e-2f)]
    public void WidenedKeyReads_GiveTheReferenceLogits_UpToAFullCache(KvCacheType type, float tolerance)
    {
        var hp = new ModelHyperparameters("opt", 64, 160, 320, 2, 2, 1e-5f, 0);
        var path = models.Get("opt", hp);
        var reference = new ReferenceForward(path);
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: Prompt.Length + 4, CacheType: type, FlashAttention: false));
        Assert.Equal(128, ctx.Cache.KeyReadWidth);
        var batch = new DecodeBatch();
        batch.AddSequence(Prompt, 0, 0);
        ctx.Decode(batch);
        var ids = Prompt.ToList();
        while (ids.Count < ctx.Cache.Cells)
        {
            LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), tolerance);
            ids.Add(Greedy.ArgMax(ctx.Logits(0)));
            batch.Clear();
            batch.Add(ids[^1], ids.Count - 1, 0, true);
            ctx.Decode(batch);
        }
        Assert.Equal(0, ctx.Cache.FreeCells);
        LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), tolerance);
    }

    /// <summary>A prompt wider than a decode step whose cells are every other one (a second sequence holds the rest,
    /// a third's were freed) is written value by value; its logits, and those of the steps after it, match the
    /// reference forward pass as a prompt in one run of cells does (OptEngineTests).</summary>
    [Fact]
    public void ScatteredCells_GiveTheReferenceLogits()
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        var reference = new ReferenceForward(path);
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F32, FlashAttention: false));
        var batch = new DecodeBatch();
        for (var i = 0; i < Prompt.Length; i++)
        {
            batch.Add(Prompt[^(i + 1)], i, 1, false);
            batch.Add(Prompt[i], i, 2, i == Prompt.Length - 1);
        }
        ctx.Decode(batch);
        ctx.Cache.RemoveSequence(1);

        batch.Clear();
        batch.AddSequence(Prompt, 0, 0);
        ctx.Decode(batch);
        Assert.Equal(Prompt.Length, ctx.Cache.Count(0));
        var ids = Prompt.ToList();
        for (var step = 0; step < 3; step++)
        {
            LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), 1e-3f);
            ids.Add(Greedy.ArgMax(ctx.Logits(0)));
            batch.Clear();
            batch.Add(ids[^1], ids.Count - 1, 0, true);
            ctx.Decode(batch);
        }
        LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), 1e-3f);
    }
}
