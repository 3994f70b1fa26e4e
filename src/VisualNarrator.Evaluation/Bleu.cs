namespace VisualNarrator.Evaluation;

/// <summary>Corpus BLEU-1..n and the totals it was computed from, as coco-caption's <c>Bleu</c> scorer reports them.</summary>
/// <param name="Scores">BLEU-1..n (index 0 is BLEU-1), brevity penalty included.</param>
/// <param name="TestLength">Sum of candidate lengths in tokens.</param>
/// <param name="ReferenceLength">Sum over items of the reference length closest to the candidate length.</param>
/// <param name="Guess">Per order k (index k-1): total candidate k-grams, sum of max(0, len - k + 1).</param>
/// <param name="Correct">Per order k: total clipped matches, sum of min(count in candidate, max count in any one reference).</param>
public sealed record BleuResult(IReadOnlyList<double> Scores, long TestLength, long ReferenceLength, IReadOnlyList<long> Guess, IReadOnlyList<long> Correct);

/// <summary>
/// BLEU exactly as coco-caption's <c>pycocoevalcap/bleu/bleu_scorer.py</c> computes it with <c>option='closest'</c>
/// (which is what its <c>Bleu.compute_score</c> uses): clipped n-gram counts and k-gram totals summed over the corpus,
/// BLEU-n = (prod_{k=1..n} (correct_k + 1e-15) / (guess_k + 1e-9))^(1/n), multiplied by exp(1 - 1/ratio) when
/// ratio = (testlen + 1e-15) / (reflen + 1e-9) is below 1. The effective reference length of an item is the reference
/// length closest to the candidate length, ties going to the shorter reference.
/// </summary>
public static class Bleu
{
    private const double Tiny = 1e-15;
    private const double Small = 1e-9;

    /// <summary>Scores a corpus of tokenized items; <paramref name="maxOrder"/> is n (1..4, coco uses 4).</summary>
    public static BleuResult Compute(IReadOnlyList<CaptionItem> items, int maxOrder = 4)
    {
        CaptionItem.Validate(items);
        var counter = new NGramCounter();
        long testLen = 0, refLen = 0;
        var guess = new long[maxOrder];
        var correct = new long[maxOrder];
        foreach (var item in items)
        {
            var maxRef = new Dictionary<NGram, int>();
            var refLengths = new List<int>(item.References.Count);
            foreach (var r in item.References)
            {
                refLengths.Add(r.Count);
                foreach (var (g, c) in counter.Count(r, maxOrder))
                {
                    if (c > maxRef.GetValueOrDefault(g)) maxRef[g] = c;
                }
            }
            int len = item.Candidate.Count;
            testLen += len;
            refLen += ClosestLength(refLengths, len);
            for (int k = 1; k <= maxOrder; k++) guess[k - 1] += Math.Max(0, len - k + 1);
            foreach (var (g, c) in counter.Count(item.Candidate, maxOrder))
            {
                correct[g.Order - 1] += Math.Min(maxRef.GetValueOrDefault(g), c);
            }
        }

        var scores = new double[maxOrder];
        double ratio = (testLen + Tiny) / (refLen + Small);
        for (int n = 1; n <= maxOrder; n++)
        {
            double bleu = 1.0;
            for (int k = 0; k < n; k++) bleu *= (correct[k] + Tiny) / (guess[k] + Small);
            scores[n - 1] = Math.Pow(bleu, 1.0 / n);
            if (ratio < 1) scores[n - 1] *= Math.Exp(1 - 1 / ratio);
        }
        return new BleuResult(scores, testLen, refLen, guess, correct);
    }

    /// <summary>The reference length closest to <paramref name="testLength"/>; on a tie the shorter one
    /// (Python's <c>min((abs(l - testlen), l) for l in reflen)[1]</c>).</summary>
    public static int ClosestLength(IReadOnlyList<int> referenceLengths, int testLength)
    {
        if (referenceLengths.Count == 0) throw new ArgumentException("no reference lengths", nameof(referenceLengths));
        int best = referenceLengths[0];
        foreach (int l in referenceLengths)
        {
            int d = Math.Abs(l - testLength), bd = Math.Abs(best - testLength);
            if (d < bd || (d == bd && l < best)) best = l;
        }
        return best;
    }
}
