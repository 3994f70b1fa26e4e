using System.Diagnostics;
using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Evaluation.Sets;

namespace VisualNarrator.Evaluation.Runs;

/// <summary>Narrates every item of a set with a loaded model through a <see cref="NarrationScheduler"/> (several
/// sequences at once) and measures speed and memory.</summary>
public static class ModelRun
{
    /// <summary>The name of the model system in reports.</summary>
    public const string Name = "model";

    /// <summary>Runs <paramref name="model"/> over <paramref name="items"/>; the scheduler's queue is sized to hold the
    /// whole set. <paramref name="loadSeconds"/> is recorded as the model's load time.</summary>
    /// <param name="model">The loaded model.</param>
    /// <param name="modelPath">Its file, named in the report.</param>
    /// <param name="loadSeconds">How long loading took.</param>
    /// <param name="items">The set.</param>
    /// <param name="sampling">Sampling settings of every narration.</param>
    /// <param name="scheduler">Scheduler settings (its queue capacity is replaced by the set's size).</param>
    /// <param name="maxPromptTokens">Prompts longer than this are cut from the left.</param>
    public static SystemRun Run(Model model, string modelPath, double loadSeconds, IReadOnlyList<EvalItem> items,
        SamplingSettings sampling, SchedulerOptions scheduler, int maxPromptTokens)
    {
        using var narrator = new NarrationScheduler(model, scheduler with { QueueCapacity = items.Count });
        var wall = Stopwatch.StartNew();
        var streams = items.Select(i => narrator.Submit(new NarrationRequest(i.Prompt, sampling, maxPromptTokens, Alternatives: 0))).ToList();
        var results = Task.WhenAll(streams.Select(s => s.Completion)).GetAwaiter().GetResult();
        wall.Stop();
        var outputs = items.Select((item, k) => new SystemOutput(item, results[k].Text.Trim(), null, null)).ToList();
        double seconds = wall.Elapsed.TotalSeconds;
        long tokens = results.Sum(r => (long)r.Timings.GeneratedTokens);
        var perf = new Performance(
            Descriptions: items.Count,
            WallSeconds: seconds,
            SecondsPerDescription: seconds / items.Count,
            MeanLatencySeconds: results.Average(r => r.Timings.Total.TotalSeconds),
            DecodeTokensPerSecond: seconds > 0 ? tokens / seconds : 0,
            MeanStreamDecodeTokensPerSecond: results.Average(r => r.Timings.DecodeTokensPerSecond),
            GeneratedTokens: tokens,
            MeanGeneratedTokens: tokens / (double)items.Count,
            StoppedByLength: results.Count(r => r.Finish == FinishReason.Length),
            PromptsCut: results.Count(r => r.Timings.PromptTokensDropped > 0),
            LoadSeconds: loadSeconds,
            PeakRssBytes: BenchmarkPlan.PeakRss());
        return new SystemRun(Name, $"model {Path.GetFileName(modelPath)}", outputs, perf);
    }
}
