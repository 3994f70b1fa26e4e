using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>The OPT graph against an independent double-precision C# forward pass, on tiny random models.</summary>
public sealed class OptEngineTests(TestModels models) : IClassFixture<TestModels>
{
    private static readonly int[] Prompt = [2, 300, 17, 99, 45, 280, 7, 150, 64, 201, 33];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PromptLogits_MatchReference(bool tied)
    {
        var path = models.Get("opt", TestModels.TinyOpt, tied: tied);
        var reference = new ReferenceForward(path);
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F32));
        var batch = new DecodeBatch();
        batch.AddSequence(Prompt, 0, 0);
        ctx.Decode(batch);
        LogitsAssert.Close(reference.LastLogits(Prompt), ctx.Logits(0), 1e-3f);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void PostLnAndProjection_MatchReference(bool tied, bool flash)
    {
        var hp = TestModels.TinyPostLnProjected;
        var path = models.Get("opt", hp, tied: tied);
        var file = VisualNarrator.Gguf.GgufFile.Open(path);
        Assert.False(file.GetBool("opt.layer_norm_before", true));
        Assert.Equal(32, file.GetInteger("opt.token_embedding_length"));
        Assert.NotNull(file.FindTensor("proj_in.weight"));
        Assert.Null(file.FindTensor("output_norm.weight"));

        var reference = new ReferenceForward(path);
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F32, FlashAttention: flash));
        var batch = new DecodeBatch();
        batch.AddSequence(Prompt[..6], 0, 0);
        ctx.Decode(batch);
        var ids = Prompt[..6].ToList();
        for (var step = 0; step < 3; step++)
        {
            LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), flash ? 3e-2f : 1e-3f);
            ids.Add(Greedy.ArgMax(ctx.Logits(0)));
            batch.Clear();
            batch.Add(ids[^1], ids.Count - 1, 0, true);
            ctx.Decode(batch);
        }
        LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), flash ? 3e-2f : 1e-3f);
    }

    [Fact]
    public void IncrementalDecode_EqualsFullRecomputation()
    {
        var path = models.Get("opt", TestModels.Wider);
        var reference = new ReferenceForward(path);
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 128, CacheType: KvCacheType.F32));
        var batch = new DecodeBatch();
        batch.AddSequence(Prompt[..4], 0, 0);
        ctx.Decode(batch);
        var ids = Prompt[..4].ToList();
        for (var step = 0; step < 8; step++)
        {
            LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), 1e-3f);
            var next = Greedy.ArgMax(ctx.Logits(0));
            ids.Add(next);
            batch.Clear();
            batch.Add(next, ids.Count - 1, 0, true);
            ctx.Decode(batch);
        }
        LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), 1e-3f);
    }

    [Fact]
    public void F16Cache_StaysCloseToF32()
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        var reference = new ReferenceForward(path).LastLogits(Prompt);
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F16));
        var batch = new DecodeBatch();
        batch.AddSequence(Prompt, 0, 0);
        ctx.Decode(batch);
        LogitsAssert.Close(reference, ctx.Logits(0), 2e-2f);
    }

    [Fact]
    public void FlashAttention_MatchesReference()
    {
        var path = models.Get("opt", TestModels.Wider);
        var reference = new ReferenceForward(path);
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 128, FlashAttention: true));
        var batch = new DecodeBatch();
        batch.AddSequence(Prompt[..5], 0, 0);
        ctx.Decode(batch);
        var ids = Prompt[..5].ToList();
        for (var step = 0; step < 4; step++)
        {
            LogitsAssert.Close(reference.LastLogits(ids), ctx.Logits(0), 3e-2f);
            ids.Add(Greedy.ArgMax(ctx.Logits(0)));
            batch.Clear();
            batch.Add(ids[^1], ids.Count - 1, 0, true);
            ctx.Decode(batch);
        }
    }
}
