namespace VisualNarrator.Engine.Benchmarking;

/// <summary>
/// This engine and llama.cpp loaded in one process and measured in turns, window by window (<c>bench --anchor
/// --interleave</c>), so both meet the same drift in the speed the machine gives. Only the speed figures mean
/// something here: load time and peak RSS are each engine's own only in a fresh process.
/// </summary>
public static class InterleavedBenchmark
{
    /// <summary>Measures this engine on <paramref name="ours"/> and llama.cpp on <paramref name="theirs"/>; returns
    /// their results in that order (peak RSS is this process's, with both models loaded).</summary>
    public static IReadOnlyList<BenchmarkResult> Run(string ours, string theirs, BenchmarkPlan plan, Action<string>? status = null,
        Inference.ModelLoadOptions? placement = null)
    {
        using var narrator = EngineBenchmark.Load(ours, plan, status, placement);
        using var llama = LlamaCppBenchmark.Load(theirs, plan);
        var results = BenchmarkProcedure.Run([narrator.Entrant, llama.Entrant], plan, status);
        status?.Invoke("measured");
        return results;
    }
}
