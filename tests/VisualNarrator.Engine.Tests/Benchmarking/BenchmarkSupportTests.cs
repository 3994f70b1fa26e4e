using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;
using Xunit;

namespace VisualNarrator.Engine.Tests.Benchmarking;

public sealed class BenchmarkSupportTests(TestModels models) : IClassFixture<TestModels>
{
    [Fact]
    public void Cache_ReusesACompleteModel()
    {
        var path = models.Get("opt", TestModels.TinyOpt, GgmlType.F16);
        Assert.True(BenchmarkCache.TryReuse(path, out var problem));
        Assert.Null(problem);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Cache_DeletesAndRefusesATruncatedModel()
    {
        var source = models.Get("opt", TestModels.TinyOpt, GgmlType.F16);
        var partial = models.PathFor("partial-f16.gguf");
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(partial, bytes[..(bytes.Length * 2 / 3)]); // as a killed quantizer leaves it
        Assert.False(BenchmarkCache.TryReuse(partial, out var problem));
        Assert.Contains(partial, problem);
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void Cache_MissingFileIsNotReused()
    {
        Assert.False(BenchmarkCache.TryReuse(models.PathFor("absent.gguf"), out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void BackgroundLoad_RunsItsThreadsUntilDisposed()
    {
        var load = new BackgroundLoad(2);
        Assert.Equal(2, load.Threads);
        Assert.True(SpinWait.SpinUntil(() => load.Iterations > 0, TimeSpan.FromMinutes(2)), "the busy threads did no work");
        load.Dispose();
        var after = load.Iterations;
        Thread.Sleep(50);
        Assert.Equal(after, load.Iterations); // joined: no thread runs after Dispose
    }

    [Fact]
    public void BackgroundLoad_OfZeroThreadsDoesNothing()
    {
        using var load = new BackgroundLoad(0);
        Assert.Equal(0, load.Threads);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackgroundLoad(-1));
    }

    [Fact]
    public void Median_IsTheMiddleValue_OrTheMeanOfTheMiddleTwo()
    {
        Assert.Equal(3.0, BenchmarkPlan.Median([9.0, 1.0, 3.0]));
        Assert.Equal(2.5, BenchmarkPlan.Median([4.0, 1.0, 2.0, 3.0]));
        Assert.Equal(7.0, BenchmarkPlan.Median([7.0]));
    }

    [Fact]
    public void Median_OfRounds_TakesEachFiguresMedian_AndTheLargestPeakRss()
    {
        static BenchmarkResult Round(double load, double rate, long rss) =>
            new("narrator", "m.gguf", 100, 2, load, rate, rate / 2, 10 / rate, new Dictionary<int, double> { [1] = rate, [4] = 3 * rate }, rss);
        var rounds = new[] { Round(0.9, 10, 300), Round(0.2, 40, 500), Round(0.4, 20, 400) };

        var median = BenchmarkResult.Median(rounds);

        Assert.Equal(0.4, median.LoadSeconds);
        Assert.Equal(20, median.PrefillTokensPerSecond);
        Assert.Equal(10, median.DecodeTokensPerSecond);
        Assert.Equal(0.5, median.SecondsPerDescription);
        Assert.Equal(new Dictionary<int, double> { [1] = 20, [4] = 60 }, median.AggregateDecode);
        Assert.Equal(500, median.PeakRssBytes);
        Assert.Equal(("narrator", "m.gguf", 100L, 2), (median.Engine, median.Model, median.FileBytes, median.Threads));
        Assert.Equal(rounds, median.Rounds);
        Assert.Null(BenchmarkResult.Median([rounds[0]]).Rounds);
        Assert.Throws<ArgumentException>(() => BenchmarkResult.Median([]));
    }

    private static BenchmarkResult Rates(string engine, double load, double prefill) =>
        new(engine, "m.gguf", 100, 2, load, prefill, prefill / 4, 40 / prefill, new Dictionary<int, double> { [1] = prefill / 4 }, 1 << 20);

    [Fact]
    public void EngineRatio_IsTheRatioOfMedians_WithItsRangeRoundByRound()
    {
        var ours = BenchmarkResult.Median([Rates("narrator", 0.2, 10), Rates("narrator", 0.4, 12), Rates("narrator", 0.3, 11)]);
        var theirs = BenchmarkResult.Median([Rates("llama.cpp", 0.4, 11), Rates("llama.cpp", 0.4, 11), Rates("llama.cpp", 0.6, 10)]);

        var prefill = EngineRatio.Of(ours, theirs, r => r.PrefillTokensPerSecond, higherIsBetter: true);
        Assert.Equal(1.0, prefill.Ratio, 12);                // 11 / 11
        Assert.Equal(10.0 / 11, prefill.Lowest!.Value, 12);  // round 1
        Assert.Equal(11.0 / 10, prefill.Highest!.Value, 12); // round 3, not the best round of each engine (12 / 10)

        // Lower is better for seconds: the anchor's time over ours, round by round.
        var load = EngineRatio.Of(ours, theirs, r => r.LoadSeconds, higherIsBetter: false);
        Assert.Equal(0.4 / 0.3, load.Ratio, 12);
        Assert.Equal(1.0, load.Lowest!.Value, 12);
        Assert.Equal(2.0, load.Highest!.Value, 12);
    }

    [Fact]
    public void EngineRatio_HasNoRange_WithoutRoundsToPairOnBothSides()
    {
        var single = Rates("narrator", 0.2, 10);
        var three = BenchmarkResult.Median([Rates("llama.cpp", 0.4, 11), Rates("llama.cpp", 0.4, 11), Rates("llama.cpp", 0.6, 10)]);
        var two = BenchmarkResult.Median([Rates("narrator", 0.2, 10), Rates("narrator", 0.4, 12)]);

        Assert.Equal(new EngineRatio(10.0 / 11, null, null), EngineRatio.Of(single, three, r => r.PrefillTokensPerSecond, true));
        Assert.Null(EngineRatio.Of(three, single, r => r.PrefillTokensPerSecond, true).Lowest);
        Assert.Null(EngineRatio.Of(two, three, r => r.PrefillTokensPerSecond, true).Highest);
    }

    [Fact]
    public void Rounds_SurviveTheJsonAChildPrintsForItsParent()
    {
        var median = BenchmarkResult.Median([Rates("narrator", 0.2, 10), Rates("narrator", 0.4, 12), Rates("narrator", 0.3, 11)]);

        var read = System.Text.Json.JsonSerializer.Deserialize<BenchmarkResult[]>(System.Text.Json.JsonSerializer.Serialize(new[] { median }))!.Single();

        Assert.Equal([10.0, 12.0, 11.0], read.Rounds!.Select(r => r.PrefillTokensPerSecond));
        Assert.Equal(2.5, read.Rounds![0].AggregateDecode[1]);
        Assert.All(read.Rounds!, r => Assert.Null(r.Rounds));
    }

    [Theory]
    [InlineData("VmHWM:\t  123456 kB", 123456)]
    [InlineData("VmHWM:\t10485760 kB", 10485760)] // 10 GiB: no space between the name and the number
    public void PeakRss_ReadsTheStatusFigure_AtAnySize(string line, long kilobytes) =>
        Assert.Equal(kilobytes, BenchmarkPlan.StatusKilobytes(line));

    [Theory]
    [InlineData(0.0, 1)]                             // one window per measurement
    [InlineData(1e6, BenchmarkPlan.MaxWindows)]      // never reaches the minimum time: the cap
    public void MinSeconds_RepeatsEachMeasurementsWindow_UpToTheCap(double minSeconds, int windows)
    {
        var path = models.Get("opt", TestModels.Wider with { ContextLength = 256 }, GgmlType.F16);
        var plan = new BenchmarkPlan(PromptTokens: 8, DecodeTokens: 2, DescriptionTokens: 3, ConcurrentSequences: [1, 2],
            AggregateSteps: 2, Threads: 1, MinSeconds: minSeconds);
        var inference = new InferenceOptions(BenchmarkProcedure.Cells(plan));
        using var model = Model.Load(path, new ModelLoadOptions { Threads = 1, Inference = inference });
        using var ctx = new InferenceContext(model, inference);
        var target = new CountingTarget(new EngineBenchmark.Target(ctx));

        var result = BenchmarkProcedure.Run(target, "narrator", path, 1, 0, plan, null);

        // Warm-up; prefill; decode (its first window continues the prefill, later ones prefill again, untimed);
        // description (prompt, then 2 steps); 1 and 2 sequences (prompts, then 2 steps each).
        var expected = 1 + windows + (windows * 2 + (windows - 1)) + windows * 3 + 2 * windows * 3;
        Assert.Equal(expected, target.Decodes);
        Assert.True(result.DecodeTokensPerSecond > 0 && result.AggregateDecode[2] > 0);
    }

    [Fact]
    public void TwoEngines_TakeTurnsWindowByWindow_TheOrderReversedEveryWindow_AndEachGetsTheWholePlan()
    {
        var (log, a, b, results) = RunTwoEngines(new BenchmarkPlan(PromptTokens: 8, DecodeTokens: 2, DescriptionTokens: 3,
            ConcurrentSequences: [1, 2], AggregateSteps: 2, Threads: 1, MinSeconds: 1e6));

        // Warm-ups, then the prefill's 16 windows (one decode each): a b, b a, a b, ...
        var prefill = log.Skip(2).Take(2 * BenchmarkPlan.MaxWindows);
        Assert.Equal(Enumerable.Range(0, BenchmarkPlan.MaxWindows).SelectMany(w => w % 2 == 0 ? new[] { "a", "b" } : ["b", "a"]), prefill);
        // Each did what the plan asks of one engine alone (see the test above, at the window cap).
        var windows = BenchmarkPlan.MaxWindows;
        var alone = 1 + windows + (windows * 2 + (windows - 1)) + windows * 3 + 2 * windows * 3;
        Assert.Equal(alone, a.Decodes);
        Assert.Equal(alone, b.Decodes);
        Assert.Equal(["narrator", "llama.cpp"], results.Select(r => r.Engine));
        Assert.Equal([0.5, 0.7], results.Select(r => r.LoadSeconds));
        Assert.All(results, r => Assert.True(r.PrefillTokensPerSecond > 0 && r.AggregateDecode[2] > 0));
    }

    [Fact]
    public void TwoEngines_OneWindowEach_GoFirstInTurnRoundByRound()
    {
        var (log, _, _, _) = RunTwoEngines(new BenchmarkPlan(PromptTokens: 8, DecodeTokens: 2, DescriptionTokens: 3,
            ConcurrentSequences: [1, 2], AggregateSteps: 2, Threads: 1, Repeats: 2, MinSeconds: 0));

        // One window per measurement: prefill 1 decode, decode 2, description 3, one and two sequences 3 each.
        const int perRound = 2 * (1 + 2 + 3 + 3 + 3);
        Assert.Equal(2 + 2 * perRound, log.Count);
        Assert.Equal(["a", "b"], log.Skip(2).Take(2));            // round 1's prefill: a first
        Assert.Equal(["b", "a"], log.Skip(2 + perRound).Take(2)); // round 2's: b first
        Assert.Equal(["b", "b", "b", "a", "a", "a"], log.TakeLast(6)); // round 2's last measurement, b first
    }

    /// <summary>Two contexts of one model entered as two engines ("a" loading in 0.5 s, "b" in 0.7 s), each writing
    /// its name to the log at every decode.</summary>
    private (List<string> Log, CountingTarget A, CountingTarget B, IReadOnlyList<BenchmarkResult> Results) RunTwoEngines(BenchmarkPlan plan)
    {
        var path = models.Get("opt", TestModels.Wider with { ContextLength = 256 }, GgmlType.F16);
        var inference = new InferenceOptions(BenchmarkProcedure.Cells(plan));
        using var model = Model.Load(path, new ModelLoadOptions { Threads = 1, Inference = inference });
        using var first = new InferenceContext(model, inference);
        using var second = new InferenceContext(model, inference);
        var log = new List<string>();
        var a = new CountingTarget(new EngineBenchmark.Target(first), "a", log);
        var b = new CountingTarget(new EngineBenchmark.Target(second), "b", log);
        var results = BenchmarkProcedure.Run([new BenchmarkEntrant(a, "narrator", path, 1, 0.5), new BenchmarkEntrant(b, "llama.cpp", path, 1, 0.7)],
            plan, null);
        return (log, a, b, results);
    }

    /// <summary>The engine's real benchmark target, counting the decodes the procedure asks of it (and, given a log,
    /// writing its name there at each).</summary>
    private sealed class CountingTarget(IBenchmarkTarget inner, string name = "", List<string>? log = null) : IBenchmarkTarget
    {
        public int Decodes { get; private set; }
        public int Bos => inner.Bos;
        public int Eos => inner.Eos;
        public int VocabSize => inner.VocabSize;
        public int[] Tokenize(string text) => inner.Tokenize(text);
        public void Clear() => inner.Clear();
        public void Add(int token, int position, int sequence, bool logits) => inner.Add(token, position, sequence, logits);
        public void Decode()
        {
            Decodes++;
            log?.Add(name);
            inner.Decode();
        }
        public ReadOnlySpan<float> Logits(int output) => inner.Logits(output);
        public void ClearCache() => inner.ClearCache();
    }

    [Fact]
    public void Repeats_RunEveryMeasurementThatManyTimes_AndReportOneFigureEach()
    {
        var path = models.Get("opt", TestModels.Wider with { ContextLength = 256 }, GgmlType.F16);
        var plan = new BenchmarkPlan(PromptTokens: 8, DecodeTokens: 2, DescriptionTokens: 3, ConcurrentSequences: [1, 2],
            AggregateSteps: 2, Threads: 1, Repeats: 3);
        var phases = new List<string>();

        var result = EngineBenchmark.Run(path, plan, phases.Add);

        Assert.Equal(3, phases.Count(p => p.StartsWith("decode", StringComparison.Ordinal)));
        Assert.Contains("2 sequences (round 3 of 3)", phases);
        Assert.True(result.PrefillTokensPerSecond > 0 && result.DecodeTokensPerSecond > 0 && result.SecondsPerDescription > 0);
        Assert.Equal([1, 2], result.AggregateDecode.Keys.Order());
    }
}
