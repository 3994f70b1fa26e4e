namespace VisualNarrator.Evaluation;

/// <summary>A corpus score with one score per item, in item order.</summary>
/// <param name="Corpus">The corpus score (for ROUGE-L and CIDEr-D: the mean of the per-item scores).</param>
/// <param name="PerItem">Item id to that item's score.</param>
public sealed record CorpusScore(double Corpus, IReadOnlyDictionary<string, double> PerItem);

/// <summary>
/// ROUGE-L exactly as coco-caption's <c>pycocoevalcap/rouge/rouge.py</c>: for each reference, LCS length over tokens;
/// precision = LCS / |candidate| and recall = LCS / |reference|; the maxima of precision and of recall over the
/// references (taken separately) give F = (1 + beta^2) P R / (R + beta^2 P) with beta = 1.2, 0 when either is 0;
/// the corpus score is the mean over items.
/// </summary>
/// <remarks>coco splits with <c>split(" ")</c>, so an empty caption is one empty token there; here an empty token list
/// has precision / recall 0 (the only difference, and only for empty captions).</remarks>
public static class RougeL
{
    /// <summary>coco-caption's beta.</summary>
    public const double Beta = 1.2;

    /// <summary>Length of the longest common subsequence of two token lists.</summary>
    public static int LcsLength(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var prev = new int[b.Count + 1];
        var cur = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
            {
                cur[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal) ? prev[j - 1] + 1 : Math.Max(prev[j], cur[j - 1]);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Count];
    }

    /// <summary>ROUGE-L F of one candidate against its references.</summary>
    public static double Score(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (references.Count == 0) throw new ArgumentException("no references", nameof(references));
        double precMax = 0, recMax = 0;
        foreach (var r in references)
        {
            int lcs = LcsLength(r, candidate);
            double prec = candidate.Count == 0 ? 0 : lcs / (double)candidate.Count;
            double rec = r.Count == 0 ? 0 : lcs / (double)r.Count;
            precMax = Math.Max(precMax, prec);
            recMax = Math.Max(recMax, rec);
        }
        if (precMax == 0 || recMax == 0) return 0.0;
        return (1 + Beta * Beta) * precMax * recMax / (recMax + Beta * Beta * precMax);
    }

    /// <summary>Per-item ROUGE-L and their mean.</summary>
    public static CorpusScore Compute(IReadOnlyList<CaptionItem> items)
    {
        CaptionItem.Validate(items);
        var per = new Dictionary<string, double>(items.Count, StringComparer.Ordinal);
        double sum = 0;
        foreach (var item in items)
        {
            double s = Score(item.Candidate, item.References);
            per[item.Id] = s;
            sum += s;
        }
        return new CorpusScore(sum / items.Count, per);
    }
}
