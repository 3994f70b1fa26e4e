namespace VisualNarrator.Engine.Benchmarking;

/// <summary>What one benchmark run measured. Rates are tokens per second.</summary>
/// <param name="Engine">"narrator" (this engine) or "llama.cpp".</param>
/// <param name="Model">Model file.</param>
/// <param name="FileBytes">Model file size.</param>
/// <param name="Threads">CPU threads used.</param>
/// <param name="LoadSeconds">Time to load the model and create the context.</param>
/// <param name="PrefillTokensPerSecond">A 128-token prompt in one batch.</param>
/// <param name="DecodeTokensPerSecond">Single-stream greedy decode after that prompt.</param>
/// <param name="SecondsPerDescription">A seed-benchmark prompt plus 80 generated tokens, end to end.</param>
/// <param name="AggregateDecode">Aggregate decode rate by number of concurrent sequences (1, 4, 8).</param>
/// <param name="PeakRssBytes">Peak resident memory of the measuring process (VmHWM).</param>
/// <param name="RunsOn">Where the model ran, e.g. <c>CPU</c> or <c>Vulkan0: 6/12 layers, ...</c> (null: not recorded).</param>
/// <param name="Rounds">Each round's own figures where this result is the median of several rounds (null for one).</param>
public sealed record BenchmarkResult(string Engine, string Model, long FileBytes, int Threads, double LoadSeconds,
    double PrefillTokensPerSecond, double DecodeTokensPerSecond, double SecondsPerDescription,
    IReadOnlyDictionary<int, double> AggregateDecode, long PeakRssBytes, string? RunsOn = null,
    IReadOnlyList<BenchmarkResult>? Rounds = null)
{
    /// <summary>Rounds of one engine on one file as one result: the median of each figure (load included, each round
    /// having loaded the model afresh), and the largest peak RSS; the rounds themselves are kept for their spread.</summary>
    public static BenchmarkResult Median(IReadOnlyList<BenchmarkResult> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        if (rounds.Count == 0) throw new ArgumentException("no rounds", nameof(rounds));
        double Of(Func<BenchmarkResult, double> figure) => BenchmarkPlan.Median(rounds.Select(figure).ToList());
        return rounds[0] with
        {
            LoadSeconds = Of(r => r.LoadSeconds),
            PrefillTokensPerSecond = Of(r => r.PrefillTokensPerSecond),
            DecodeTokensPerSecond = Of(r => r.DecodeTokensPerSecond),
            SecondsPerDescription = Of(r => r.SecondsPerDescription),
            AggregateDecode = rounds[0].AggregateDecode.Keys.ToDictionary(n => n, n => Of(r => r.AggregateDecode[n])),
            PeakRssBytes = rounds.Max(r => r.PeakRssBytes),
            Rounds = rounds.Count > 1 ? [.. rounds.Select(r => r with { Rounds = null })] : null,
        };
    }
}

/// <summary>What to measure.</summary>
/// <param name="PromptTokens">Prompt length for the prefill measurement.</param>
/// <param name="DecodeTokens">Tokens for the single-stream decode measurement.</param>
/// <param name="DescriptionTokens">Generated tokens per description.</param>
/// <param name="ConcurrentSequences">Sequence counts for the aggregate measurement.</param>
/// <param name="AggregateSteps">Decode steps per aggregate measurement.</param>
/// <param name="Threads">CPU threads (0: one per core).</param>
/// <param name="Repeats">Rounds of every measurement after loading; each figure is the median of the rounds (on a busy
/// machine one short run can be off by a factor of two). <c>narrator bench</c> itself runs its rounds in separate
/// processes (see <see cref="BenchmarkResult.Median"/>).</param>
/// <param name="MinSeconds">Each rate is measured in windows of the sizes above, repeated (up to
/// <see cref="MaxWindows"/>) until their timed parts add up to this many seconds; 0 measures one window each.</param>
public sealed record BenchmarkPlan(int PromptTokens = 128, int DecodeTokens = 32, int DescriptionTokens = 80,
    int[]? ConcurrentSequences = null, int AggregateSteps = 16, int Threads = 0, int Repeats = 1, double MinSeconds = 1.0)
{
    /// <summary>Most windows one measurement repeats to reach <see cref="MinSeconds"/>.</summary>
    public const int MaxWindows = 16;

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Sequence counts, default 1, 4 and 8.</summary>
    public int[] Sequences => ConcurrentSequences ?? [1, 4, 8];

    /// <summary>Positions a model must have for the plan (the description prompt is under 32 tokens).</summary>
    public int PositionsNeeded => Math.Max(Math.Max(PromptTokens + DecodeTokens + 1, 32 + DescriptionTokens), 16 + AggregateSteps + 1);

    /// <summary>The seed benchmark's first prompt, used for the per-description time.</summary>
    public const string DescriptionPrompt = "Describe this image: a busy city street with skyscrapers";

    /// <summary>Peak resident set size of this process, from /proc/self/status (0 where unavailable).</summary>
    public static long PeakRss()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : StatusKilobytes(line) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The figure of a /proc status line such as <c>VmHWM:\t  123456 kB</c>. The kernel pads the number to
    /// eight places after a tab, so from 10,000,000 kB on nothing but the tab separates it from the name.</summary>
    public static long StatusKilobytes(string line) =>
        long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Deterministic pseudo-random prompt ids in [lo, hi) after a BOS, for prefill measurements.</summary>
    public static int[] SyntheticPrompt(int length, int bos, int lo, int hi, int seed = 7)
    {
        var rng = new Random(seed);
        var ids = new int[length];
        ids[0] = bos;
        for (var i = 1; i < length; i++) ids[i] = rng.Next(lo, hi);
        return ids;
    }
}
