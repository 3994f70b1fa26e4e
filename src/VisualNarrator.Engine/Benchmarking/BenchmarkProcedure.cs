using System.Diagnostics;
using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>What the measurements need from an engine: a batch to fill, a decode, the logits of the tokens that asked
/// for them (in batch order), and a way to empty the KV cache. One adapter per engine, so both engines are measured by
/// the same procedure.</summary>
internal interface IBenchmarkTarget
{
    /// <summary>Beginning-of-sequence id for synthetic prompts.</summary>
    int Bos { get; }

    /// <summary>End-of-sequence id, never chosen, so every run generates the same number of tokens.</summary>
    int Eos { get; }

    /// <summary>Vocabulary size.</summary>
    int VocabSize { get; }

    /// <summary>Tokenizes a prompt the engine's way (BOS included).</summary>
    int[] Tokenize(string text);

    /// <summary>Empties the batch.</summary>
    void Clear();

    /// <summary>Adds a token to the batch.</summary>
    void Add(int token, int position, int sequence, bool logits);

    /// <summary>Decodes the batch.</summary>
    void Decode();

    /// <summary>Logits of the <paramref name="output"/>-th token that asked for them in the last decode.</summary>
    ReadOnlySpan<float> Logits(int output);

    /// <summary>Frees every KV-cache cell.</summary>
    void ClearCache();
}

/// <summary>A loaded engine entering the measurements: its adapter, what the result names it, and what loading took.</summary>
/// <param name="Target">The engine's adapter.</param>
/// <param name="Engine">"narrator" or "llama.cpp".</param>
/// <param name="Path">Model file.</param>
/// <param name="Threads">CPU threads it uses.</param>
/// <param name="LoadSeconds">What loading took.</param>
/// <param name="RunsOn">Where the model runs, as the result records it (null: not recorded).</param>
internal sealed record BenchmarkEntrant(IBenchmarkTarget Target, string Engine, string Path, int Threads, double LoadSeconds,
    string? RunsOn = null);

/// <summary>An engine loaded for the procedure, and what it holds (context first, then model), freed in that order.</summary>
internal sealed class LoadedEngine(BenchmarkEntrant entrant, params IDisposable[] owned) : IDisposable
{
    /// <summary>The engine as the procedure sees it.</summary>
    public BenchmarkEntrant Entrant => entrant;

    public void Dispose()
    {
        foreach (var part in owned) part.Dispose();
    }
}

/// <summary>The measurements behind <c>narrator bench</c>, the same for every engine.</summary>
internal static class BenchmarkProcedure
{
    /// <summary>KV cells the plan needs at most.</summary>
    public static int Cells(BenchmarkPlan plan) => Math.Max(Math.Max(plan.PromptTokens + plan.DecodeTokens + 1,
        plan.Sequences.Max() * (16 + plan.AggregateSteps + 1)), 128 + plan.DescriptionTokens);

    /// <summary>Runs the plan on a loaded engine; <paramref name="loadSeconds"/> is what loading took.</summary>
    public static BenchmarkResult Run(IBenchmarkTarget target, string engine, string path, int threads, double loadSeconds,
        BenchmarkPlan plan, Action<string>? status) =>
        Run([new BenchmarkEntrant(target, engine, path, threads, loadSeconds)], plan, status)[0];

    /// <summary>
    /// Runs the plan on engines loaded in this process, taking turns window by window: every measurement's windows go
    /// to each engine in turn, the order reversed every window and every round, until each engine's timed parts reach
    /// the plan's minimum time. The speed a machine gives drifts over seconds to minutes, and engines measured one
    /// after the other (even in alternating processes) carried that drift into their ratio; interleaved, both meet the
    /// same drift. Peak RSS is this process's, so it means something only with one engine.
    /// </summary>
    public static IReadOnlyList<BenchmarkResult> Run(IReadOnlyList<BenchmarkEntrant> entrants, BenchmarkPlan plan, Action<string>? status)
    {
        var clock = new Stopwatch();
        var courses = entrants.Select(e => new Course(e.Target, plan)).ToList();
        foreach (var course in courses) course.WarmUp();

        var rounds = entrants.Select(_ => new List<BenchmarkResult>()).ToList();
        for (var round = 0; round < Math.Max(1, plan.Repeats); round++)
        {
            var label = plan.Repeats > 1 ? $" (round {round + 1} of {plan.Repeats})" : "";
            var rates = courses.Select(_ => new Dictionary<string, double>()).ToList();
            // Every course has the same measurements in the same order (one plan).
            for (var m = 0; m < courses[0].Measurements.Count; m++)
            {
                var name = courses[0].Measurements[m].Name;
                status?.Invoke(name + label);
                var measured = Windows([.. courses.Select(c => c.Measurements[m])], round);
                for (var i = 0; i < courses.Count; i++) rates[i][name] = measured[i];
            }
            for (var i = 0; i < entrants.Count; i++)
            {
                var e = entrants[i];
                var r = rates[i];
                rounds[i].Add(new BenchmarkResult(e.Engine, e.Path, new FileInfo(e.Path).Length, e.Threads, e.LoadSeconds,
                    r[Course.Prefill], r[Course.Decode], 1 / r[Course.Description],
                    plan.Sequences.ToDictionary(n => n, n => r[Course.Sequences(n)]), 0, e.RunsOn));
            }
        }
        var peak = BenchmarkPlan.PeakRss();
        return rounds.Select(r => BenchmarkResult.Median(r) with { PeakRssBytes = peak }).ToList();

        // Repeats a measurement's window (setup untimed, given the window's index; then the timed part, which returns
        // what it counted) for each engine in turn until every engine's timed parts add up to the plan's minimum time
        // or the window cap is reached; returns each engine's count per second. A window of a small model lasts a
        // fraction of a second, and one pause of a virtual machine then moved the rate by a fifth or more. The order
        // flips every window and every round: a measurement whose one window outlasts the minimum time (a large
        // model's description) would otherwise always go to the same engine first.
        double[] Windows(IReadOnlyList<Measurement> each, int round)
        {
            var seconds = new double[each.Count];
            var counted = new long[each.Count];
            for (var window = 0; window < BenchmarkPlan.MaxWindows && (window == 0 || seconds.Any(s => s < plan.MinSeconds)); window++)
            {
                for (var turn = 0; turn < each.Count; turn++)
                {
                    var i = (window + round) % 2 == 0 ? turn : each.Count - 1 - turn;
                    each[i].Setup(window);
                    clock.Restart();
                    counted[i] += each[i].Timed();
                    seconds[i] += clock.Elapsed.TotalSeconds;
                }
            }
            return [.. counted.Select((c, i) => c / seconds[i])];
        }
    }

    /// <summary>One measurement: an untimed setup given the window's index, and a timed part that returns what it
    /// counted (tokens, or descriptions).</summary>
    private sealed record Measurement(string Name, Action<int> Setup, Func<int> Timed);

    /// <summary>Every measurement of the plan on one engine, in the order they run; each leaves the cache as the next
    /// expects it.</summary>
    private sealed class Course
    {
        public const string Prefill = "prefill", Decode = "decode", Description = "description";

        public static string Sequences(int n) => $"{n} sequences";

        private readonly IBenchmarkTarget _target;
        private readonly int[] _prompt;

        public Course(IBenchmarkTarget target, BenchmarkPlan plan)
        {
            _target = target;
            var hi = Math.Min(target.VocabSize, 40000);
            _prompt = BenchmarkPlan.SyntheticPrompt(plan.PromptTokens, target.Bos, 100, hi);
            var measurements = new List<Measurement>
            {
                // The prompt is decoded in windows until they add up to the plan's minimum time; the last one leaves
                // the cache filled for the decode measurement.
                new(Prefill, _ => AddPrompt(), () =>
                {
                    target.Decode();
                    return plan.PromptTokens;
                }),
                new(Decode, window =>
                {
                    // Every window after the first decodes from the same prompt again (untimed).
                    if (window == 0) return;
                    AddPrompt();
                    target.Decode();
                }, () =>
                {
                    var position = plan.PromptTokens;
                    for (var i = 0; i < plan.DecodeTokens; i++) Step(Next(0), position++);
                    return plan.DecodeTokens;
                }),
                new(Description, _ => target.ClearCache(), () =>
                {
                    // End to end: tokenizing the prompt is part of a description.
                    var ids = target.Tokenize(BenchmarkPlan.DescriptionPrompt);
                    target.Clear();
                    AddSequence(ids, 0);
                    target.Decode();
                    var position = ids.Length;
                    for (var i = 0; i < plan.DescriptionTokens - 1; i++) Step(Next(0), position++);
                    return 1;
                }),
            };
            foreach (var n in plan.Sequences)
            {
                var last = new int[n];
                measurements.Add(new(Sequences(n), _ =>
                {
                    target.ClearCache();
                    target.Clear();
                    for (var s = 0; s < n; s++) AddSequence(BenchmarkPlan.SyntheticPrompt(16, target.Bos, 100, hi, seed: s), s);
                    target.Decode();
                    for (var s = 0; s < n; s++) last[s] = Next(s);
                }, () =>
                {
                    for (var step = 0; step < plan.AggregateSteps; step++)
                    {
                        target.Clear();
                        for (var s = 0; s < n; s++) target.Add(last[s], 16 + step, s, true);
                        target.Decode();
                        for (var s = 0; s < n; s++) last[s] = Next(s);
                    }
                    return n * plan.AggregateSteps;
                }));
            }
            Measurements = measurements;
        }

        public IReadOnlyList<Measurement> Measurements { get; }

        /// <summary>The first decode allocates the graph; it is not measured.</summary>
        public void WarmUp()
        {
            AddPrompt();
            _target.Decode();
            _target.ClearCache();
        }

        private int Next(int output) => Greedy.ArgMaxExcept(_target.Logits(output), _target.Eos);

        // An empty cache and the prompt in the batch, to decode.
        private void AddPrompt()
        {
            _target.ClearCache();
            _target.Clear();
            AddSequence(_prompt, 0);
        }

        // A sequence's tokens from position 0, with logits for the last one.
        private void AddSequence(int[] tokens, int sequence)
        {
            for (var i = 0; i < tokens.Length; i++) _target.Add(tokens[i], i, sequence, i == tokens.Length - 1);
        }

        private void Step(int token, int at)
        {
            _target.Clear();
            _target.Add(token, at, 0, true);
            _target.Decode();
        }
    }
}
