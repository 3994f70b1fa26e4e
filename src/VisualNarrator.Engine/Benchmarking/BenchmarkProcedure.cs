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

/// <summary>The measurements behind <c>narrator bench</c>, the same for every engine.</summary>
internal static class BenchmarkProcedure
{
    /// <summary>KV cells the plan needs at most.</summary>
    public static int Cells(BenchmarkPlan plan) => Math.Max(Math.Max(plan.PromptTokens + plan.DecodeTokens + 1,
        plan.Sequences.Max() * (16 + plan.AggregateSteps + 1)), 128 + plan.DescriptionTokens);

    /// <summary>Runs the plan on a loaded engine; <paramref name="loadSeconds"/> is what loading took.</summary>
    public static BenchmarkResult Run(IBenchmarkTarget target, string engine, string path, int threads, double loadSeconds,
        BenchmarkPlan plan, Action<string>? status)
    {
        var clock = Stopwatch.StartNew();
        var hi = Math.Min(target.VocabSize, 40000);
        int Next(int output) => Greedy.ArgMaxExcept(target.Logits(output), target.Eos);

        var prompt = BenchmarkPlan.SyntheticPrompt(plan.PromptTokens, target.Bos, 100, hi);
        AddPrompt();
        target.Decode(); // warm-up: first graph allocation
        target.ClearCache();

        var fileBytes = new FileInfo(path).Length;
        var rounds = Enumerable.Range(0, Math.Max(1, plan.Repeats)).Select(Round).ToList();
        return BenchmarkResult.Median(rounds) with { PeakRssBytes = BenchmarkPlan.PeakRss() };

        // An empty cache and the prompt in the batch, to decode.
        void AddPrompt()
        {
            target.ClearCache();
            target.Clear();
            AddSequence(prompt, 0);
        }

        // A sequence's tokens from position 0, with logits for the last one.
        void AddSequence(int[] tokens, int sequence)
        {
            for (var i = 0; i < tokens.Length; i++) target.Add(tokens[i], i, sequence, i == tokens.Length - 1);
        }

        // One round's figures (peak RSS is read once, after the last round).
        BenchmarkResult Round(int round)
        {
            var label = plan.Repeats > 1 ? $" (round {round + 1} of {plan.Repeats})" : "";
            status?.Invoke("prefill" + label);
            // The prompt is decoded in windows until they add up to the plan's minimum time; the last one leaves the
            // cache filled for the decode measurement.
            var prefill = Windows(_ => AddPrompt(), () =>
            {
                target.Decode();
                return plan.PromptTokens;
            });

            status?.Invoke("decode" + label);
            var decode = Windows(window =>
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
            });
            target.ClearCache();

            status?.Invoke("description" + label);
            var descriptionsPerSecond = Windows(_ => target.ClearCache(), () =>
            {
                // End to end: tokenizing the prompt is part of a description.
                var ids = target.Tokenize(BenchmarkPlan.DescriptionPrompt);
                target.Clear();
                AddSequence(ids, 0);
                target.Decode();
                var position = ids.Length;
                for (var i = 0; i < plan.DescriptionTokens - 1; i++) Step(Next(0), position++);
                return 1;
            });
            target.ClearCache();

            var aggregate = new Dictionary<int, double>();
            foreach (var n in plan.Sequences)
            {
                status?.Invoke($"{n} sequences{label}");
                var last = new int[n];
                aggregate[n] = Windows(_ =>
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
                });
                target.ClearCache();
            }
            return new BenchmarkResult(engine, path, fileBytes, threads, loadSeconds, prefill, decode, 1 / descriptionsPerSecond, aggregate, 0);
        }

        // Repeats a measurement window (setup untimed, given the window's index; then the timed part, which returns
        // what it counted) until the timed parts add up to the plan's minimum time or the window cap is reached;
        // returns count per second. A window of a small model lasts a fraction of a second, and one pause of a
        // virtual machine then moved the rate by a fifth or more.
        double Windows(Action<int> setup, Func<int> timed)
        {
            double seconds = 0;
            long counted = 0;
            for (var window = 0; window < BenchmarkPlan.MaxWindows && (window == 0 || seconds < plan.MinSeconds); window++)
            {
                setup(window);
                clock.Restart();
                counted += timed();
                seconds += clock.Elapsed.TotalSeconds;
            }
            return counted / seconds;
        }

        void Step(int token, int at)
        {
            target.Clear();
            target.Add(token, at, 0, true);
            target.Decode();
        }
    }
}
