using System.Diagnostics;
using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Tests.Native;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;
using Xunit;

namespace VisualNarrator.Engine.Tests.Inference;

/// <summary>An automatic thread count gives way to other work, in other processes or this one; a given one does not.</summary>
[Collection("ggml")]
public sealed class LoadAwareThreadsTests(TestModels models) : IClassFixture<TestModels>
{
    [Fact]
    public void UseThreads_LowersTheActiveCount_WithoutResizingThePool_AndGivesTheSameLogits()
    {
        var path = models.Get("opt", TestModels.Wider, GgmlType.F16);
        using var two = Model.Load(path, new ModelLoadOptions(Threads: 2));
        two.Backend.UseThreads(1);
        Assert.Equal(2, two.Backend.Threads);
        Assert.Equal(1, two.Backend.ActiveThreads);
        Assert.True(two.Backend.PersistentThreadpool);
        Assert.Throws<ArgumentOutOfRangeException>(() => two.Backend.UseThreads(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => two.Backend.UseThreads(0));
        using var one = Model.Load(path, new ModelLoadOptions(Threads: 1));

        var lowered = GgmlThreadpoolTests.DecodeLogits(two);
        var single = GgmlThreadpoolTests.DecodeLogits(one);

        Assert.Equal(1, two.ComputeThreads); // a given count is never adjusted, so the lowered one stays
        Assert.Equal(single.Length, lowered.Length);
        for (var i = 0; i < single.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(single[i]) == BitConverter.SingleToInt32Bits(lowered[i]),
                $"logit {i}: {lowered[i]} on 1 of 2 pool threads, {single[i]} on a 1-thread pool");
    }

    [SkippableFact]
    public void AutomaticCount_DropsToOneThread_WhileOtherProcessesKeepEveryCoreBusy_AndAGivenCountStays()
    {
        using var automatic = LoadAutomatic(out var path);
        using var given = Model.Load(path, new ModelLoadOptions(Threads: 2));
        using var automaticCtx = new InferenceContext(automatic, new InferenceOptions(ContextSize: 64));
        using var givenCtx = new InferenceContext(given, new InferenceOptions(ContextSize: 64));

        var busy = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Process.Start("sh", ["-c", "while :; do :; done"])).ToList();
        try
        {
            DecodeUntilOneThread(automatic, automaticCtx, givenCtx);
        }
        finally
        {
            foreach (var p in busy)
            {
                p.Kill();
                p.WaitForExit();
                p.Dispose();
            }
        }

        Assert.Equal(1, automatic.ComputeThreads);
        Assert.Equal(2, given.ComputeThreads);
    }

    [SkippableFact]
    public void AutomaticCount_DropsToOneThread_WhileOtherThreadsOfThisProcessKeepEveryCoreBusy()
    {
        // Other work in the same process (a server's other requests, bench --contention's threads) takes cores from ours
        // as much as another process does, so it must count; only the engine's own compute threads must not.
        using var automatic = LoadAutomatic(out _);
        using var ctx = new InferenceContext(automatic, new InferenceOptions(ContextSize: 64));

        using (new BackgroundLoad(Environment.ProcessorCount))
            DecodeUntilOneThread(automatic, ctx);

        Assert.Equal(1, automatic.ComputeThreads);
    }

    /// <summary>A model whose automatic count is at least 2 (skips the test where there is no count to lower).</summary>
    private Model LoadAutomatic(out string path)
    {
        Skip.If(ThreadPolicy.PhysicalCores() < 2, "one core: there is no count to lower");
        // About 10 MB of F32 weights: more than 4 MiB, so the automatic count is at least 2.
        path = models.Get("opt", TestModels.Wider with { FeedForwardLength = 4096 }, GgmlType.F32);
        var model = Model.Load(path);
        if (model.ThreadChoice!.Threads >= 2) return model;
        model.Dispose();
        throw new SkipException("the automatic count is 1 here");
    }

    /// <summary>Decodes in every context for three of the sampler's intervals (the first span may start before the
    /// busy work), then on until <paramref name="automatic"/> computes on one thread or 20 s have passed.</summary>
    private static void DecodeUntilOneThread(Model automatic, params InferenceContext[] contexts)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < 3 * CpuActivity.Interval || automatic.ComputeThreads != 1 && clock.Elapsed < TimeSpan.FromSeconds(20))
            foreach (var ctx in contexts) Decode(ctx);
    }

    private static void Decode(InferenceContext ctx)
    {
        ctx.Cache.Clear();
        var batch = new DecodeBatch();
        batch.AddSequence(GgmlThreadpoolTests.Prompt, 0, 0);
        ctx.Decode(batch);
    }
}
