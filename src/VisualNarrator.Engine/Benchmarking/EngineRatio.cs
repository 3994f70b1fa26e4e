namespace VisualNarrator.Engine.Benchmarking;

/// <summary>
/// One figure of this engine against an anchor engine (<c>bench --anchor</c>): the ratio of the two medians, turned so
/// that above 1 is better for this engine, and the lowest and highest of the same ratio taken round by round. Two
/// engines that run the same kernels come out near 1 with a range that spans it; the range says how much of a ratio
/// is the engines and how much is one run against the next.
/// </summary>
/// <param name="Ratio">Ours ÷ the anchor's median (the anchor's ÷ ours where lower is better, such as seconds).</param>
/// <param name="Lowest">The lowest per-round ratio, or null where either result has no rounds to pair.</param>
/// <param name="Highest">The highest per-round ratio, or null likewise.</param>
public sealed record EngineRatio(double Ratio, double? Lowest, double? Highest)
{
    /// <summary>Compares <paramref name="figure"/> of two results; rounds pair by index (each round measured both
    /// engines, side by side or in turns), so a range needs the same number of rounds on both sides.</summary>
    public static EngineRatio Of(BenchmarkResult ours, BenchmarkResult anchor, Func<BenchmarkResult, double> figure, bool higherIsBetter)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(figure);
        double Oriented(BenchmarkResult a, BenchmarkResult b)
        {
            var ratio = figure(a) / figure(b);
            return higherIsBetter ? ratio : 1 / ratio;
        }
        var median = Oriented(ours, anchor);
        if (ours.Rounds is not { Count: > 1 } mine || anchor.Rounds is not { } theirs || theirs.Count != mine.Count)
            return new EngineRatio(median, null, null);
        var each = mine.Zip(theirs, Oriented).ToList();
        return new EngineRatio(median, each.Min(), each.Max());
    }
}
