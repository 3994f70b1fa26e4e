namespace VisualNarrator.Engine.Sampling;

/// <summary>Greedy choice on a logits row, for checks and benchmarks that must not depend on a sampler.</summary>
public static class Greedy
{
    /// <summary>Index of the largest value (first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    /// <summary>Greedy choice that never picks <paramref name="excluded"/> (e.g. EOS, so a benchmark always generates
    /// the same number of tokens).</summary>
    public static int ArgMaxExcept(ReadOnlySpan<float> logits, int excluded)
    {
        var best = excluded == 0 ? 1 : 0;
        for (var i = best + 1; i < logits.Length; i++)
            if (i != excluded && logits[i] > logits[best]) best = i;
        return best;
    }
}
