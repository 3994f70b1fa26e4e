using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Serving;

/// <summary>Continuous batching: narrations decoded together equal the same narrations alone; cancellation frees the
/// slot at once; a full queue answers busy.</summary>
public sealed class NarrationSchedulerTests(TestModels models) : IClassFixture<TestModels>
{
    private static readonly string[] Scenes =
    [
        "Describe this image: a busy city street", "Describe this image: a sunset over mountains",
        "What do you see in this picture: people and trees", "Generate a caption: a city light",
        "This image shows the street", "Describe this image: trees with light", "Generate a caption: a busy image",
        "This image shows people on a street",
    ];

    private static SamplingSettings Greedy(int n = 12) => SamplingSettings.Greedy with { MaxNewTokens = n };

    private static async Task<NarrationResult> Drain(NarrationStream stream)
    {
        var text = "";
        await foreach (var piece in stream) text += piece.Text;
        var result = await stream.Completion;
        Assert.Equal(result.Text, text);
        return result;
    }

    [Fact]
    public async Task EightConcurrentGreedyNarrations_EqualTheSameRunOneAtATime()
    {
        using var model = Model.Load(models.Get("opt", TestModels.Wider));
        var alone = new List<string>();
        using (var single = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 1, Inference = new(ContextSize: 256, CacheType: KvCacheType.F32) }))
            foreach (var scene in Scenes)
                alone.Add((await Drain(single.Submit(new NarrationRequest(scene, Greedy())))).Text);

        using var batched = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 8, PrefillChunkTokens = 4, Inference = new(ContextSize: 512, CacheType: KvCacheType.F32) });
        var together = await Task.WhenAll(Scenes.Select(s => Drain(batched.Submit(new NarrationRequest(s, Greedy())))));
        Assert.Equal(alone, together.Select(r => r.Text));
        Assert.True(alone.Distinct().Count() > 1, "different prompts should narrate differently");
    }

    [Fact]
    public async Task SameSeedAndSettings_SameText_AloneOrBatched()
    {
        using var model = Model.Load(models.Get("opt", TestModels.Wider));
        var settings = SamplingSettings.SeedModel with { MaxNewTokens = 10, Seed = 1234 };
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 4, Inference = new(ContextSize: 512) });
        var alone = (await Drain(scheduler.Submit(new NarrationRequest(Scenes[0], settings)))).Text;
        var batch = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Drain(scheduler.Submit(new NarrationRequest(i == 2 ? Scenes[0] : Scenes[i + 3], settings)))));
        Assert.Equal(alone, batch[2].Text);
        var otherSeed = (await Drain(scheduler.Submit(new NarrationRequest(Scenes[0], settings with { Seed = 99, Temperature = 5f })))).Text;
        Assert.NotEqual(alone, otherSeed);
    }

    [Fact]
    public async Task CancelledRequest_FreesItsSlot_AndTheOthersFinishUnchanged()
    {
        // The holding model: the victim cannot run out of tokens before the cancel lands, however late this test's
        // reader gets the CPU. With 60 tokens of the Wider model it could, and the test failed once in a full run.
        using var model = Model.Load(models.Get("opt", TestModels.Holding, seed: TestModels.HoldingSeed));
        var expected = new List<string>();
        using (var single = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 1, Inference = new(ContextSize: 256, CacheType: KvCacheType.F32) }))
            foreach (var scene in Scenes[..3])
                expected.Add((await Drain(single.Submit(new NarrationRequest(scene, Greedy(30))))).Text);

        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 4, Inference = new(ContextSize: 2048, CacheType: KvCacheType.F32) });
        using var cancel = new CancellationTokenSource();
        var victim = scheduler.Submit(new NarrationRequest(Scenes[7], Greedy(1800) with { StopStrings = [] }), cancel.Token);
        var others = Scenes[..3].Select(s => scheduler.Submit(new NarrationRequest(s, Greedy(30)))).ToArray();
        var seen = 0;
        await foreach (var _ in victim)
            if (++seen == 3) cancel.Cancel();
        var cancelled = await victim.Completion;
        Assert.Equal(FinishReason.Cancelled, cancelled.Finish);
        Assert.InRange(cancelled.Timings.GeneratedTokens, 3, 1799);
        // Its slot is free before the others are done: a newcomer is admitted and finishes.
        var newcomer = await Drain(scheduler.Submit(new NarrationRequest(Scenes[4], Greedy(5))));
        Assert.Equal(FinishReason.Length, newcomer.Finish);
        var results = await Task.WhenAll(others.Select(Drain));
        Assert.Equal(expected, results.Select(r => r.Text));
        Assert.Equal(0, scheduler.ActiveCount);
    }

    [Fact]
    public void FullQueue_AnswersBusy_AndInvalidSettingsNameTheField()
    {
        using var model = Model.Load(models.Get("opt", TestModels.Wider));
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 1, QueueCapacity = 2, Inference = new(ContextSize: 128) });
        using var cancel = new CancellationTokenSource();
        var noEos = Greedy(100) with { StopStrings = [] };
        var streams = Enumerable.Range(0, 3).Select(_ => scheduler.Submit(new NarrationRequest(Scenes[0], noEos), cancel.Token)).ToList();
        // One slot and two queue places are taken: the next request is refused until one frees.
        var busy = Assert.Throws<ServerBusyException>(() => scheduler.Submit(new NarrationRequest(Scenes[1], Greedy(40))));
        Assert.Contains("busy", busy.Message);
        Assert.Contains(streams, s => s.QueuePosition > 0);
        cancel.Cancel();
        Assert.All(streams, s => Assert.Equal(FinishReason.Cancelled, s.Completion.Result.Finish));

        var bad = Assert.Throws<NarrationRejectedException>(() => scheduler.Submit(new NarrationRequest(Scenes[0], Greedy() with { TopP = 1.5f })));
        Assert.Contains("TopP", bad.Message);
        var tooLong = Assert.Throws<NarrationRejectedException>(() => scheduler.Submit(new NarrationRequest(Scenes[0], Greedy(127))));
        Assert.Equal("MaxNewTokens", tooLong.Field);
        Assert.Contains("MaxNewTokens = 127 leaves no room", tooLong.Message);
        var empty = Assert.Throws<NarrationRejectedException>(() => scheduler.Submit(new NarrationRequest(" \t\n", Greedy())));
        Assert.Equal(NarrationRejectedException.PromptField, empty.Field);
    }

    [Fact]
    public async Task Pieces_CarryProbabilitiesAndAlternatives_AndTimings()
    {
        using var model = Model.Load(models.Get("opt", TestModels.TinyOpt));
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { Inference = new(ContextSize: 128) });
        var stream = scheduler.Submit(new NarrationRequest(Scenes[0], SamplingSettings.SeedModel with { MaxNewTokens = 6 }, Alternatives: 3));
        var pieces = new List<NarrationPiece>();
        await foreach (var p in stream) pieces.Add(p);
        var result = await stream.Completion;
        var generated = pieces.Where(p => p.TokenId >= 0).ToList();
        Assert.NotEmpty(generated);
        Assert.All(generated, p =>
        {
            Assert.InRange(p.Probability, 0f, 1f);
            Assert.InRange(p.Alternatives.Count, 1, 3);
            Assert.Equal(p.Alternatives.OrderByDescending(a => a.Probability).Select(a => a.Probability), p.Alternatives.Select(a => a.Probability));
        });
        Assert.Equal(stream.PromptTokens, result.Timings.PromptTokens);
        Assert.True(result.Timings.TimeToFirstToken <= result.Timings.Total);
    }
}
