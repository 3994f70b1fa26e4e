using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Generation;

/// <summary>Several sequences decoded in one graph behave exactly as each decoded alone.</summary>
public sealed class BatchedDecodeTests(TestModels models) : IClassFixture<TestModels>
{
    private static readonly int[][] Prompts =
    [
        [2, 300, 17, 99, 45],
        [2, 12, 280],
        [2, 201, 33, 7, 150, 64, 90, 11],
        [2, 77],
    ];

    [Fact]
    public void SequencesTogether_GiveTheSameGreedyTokensAsAlone()
    {
        var path = models.Get("opt", TestModels.Wider);
        using var model = Model.Load(path);
        const int steps = 10;
        var alone = Prompts.Select(p => DecodeGreedily(model, [p], steps)[0]).ToArray();
        var together = DecodeGreedily(model, Prompts, steps);
        for (var i = 0; i < Prompts.Length; i++) Assert.Equal(alone[i], together[i]);
        // Different prompts must lead somewhere different, or the comparison proves little.
        Assert.True(alone.Select(a => string.Join(",", a)).Distinct().Count() > 1);
    }

    [Fact]
    public void FreedSequence_ReleasesItsCells_AndOthersContinueUnchanged()
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 32, CacheType: KvCacheType.F32));
        var batch = new DecodeBatch();
        batch.AddSequence(Prompts[0], 0, 0);
        batch.AddSequence(Prompts[2], 0, 1);
        ctx.Decode(batch);
        Assert.Equal(32 - Prompts[0].Length - Prompts[2].Length, ctx.Cache.FreeCells);
        ctx.Cache.RemoveSequence(1);
        Assert.Equal(32 - Prompts[0].Length, ctx.Cache.FreeCells);
        Assert.Equal(0, ctx.Cache.Count(1));

        // Sequence 0 continues exactly as if it had been alone.
        var next = Greedy.ArgMax(ctx.Logits(0));
        batch.Clear();
        batch.Add(next, Prompts[0].Length, 0, true);
        ctx.Decode(batch);
        var continued = ctx.Logits(0).ToArray();
        var alone = DecodeGreedily(model, [Prompts[0]], 2);
        Assert.Equal(alone[0][1], Greedy.ArgMax(continued));
    }

    /// <summary>Greedy decode of all prompts at once, one sequence each, all tokens of a step in one batch.</summary>
    private static List<int[]> DecodeGreedily(Model model, int[][] prompts, int steps)
    {
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 128, CacheType: KvCacheType.F32));
        var batch = new DecodeBatch();
        for (var s = 0; s < prompts.Length; s++) batch.AddSequence(prompts[s], 0, s);
        ctx.Decode(batch);
        var outputs = prompts.Select(_ => new List<int>()).ToList();
        for (var step = 0; step < steps; step++)
        {
            for (var s = 0; s < prompts.Length; s++) outputs[s].Add(Greedy.ArgMax(ctx.Logits(s)));
            batch.Clear();
            for (var s = 0; s < prompts.Length; s++) batch.Add(outputs[s][^1], prompts[s].Length + step, s, true);
            ctx.Decode(batch);
        }
        return [.. outputs.Select(o => o.ToArray())];
    }
}
