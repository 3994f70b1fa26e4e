namespace VisualNarrator.Evaluation;

/// <summary>
/// CIDEr-D as coco-caption's <c>cider_scorer.py</c> (identical to <c>pyciderevalcap/ciderD/ciderD_scorer.py</c> with
/// <c>df_mode="corpus"</c>), which is what coco-caption reports as "CIDEr".
/// </summary>
/// <remarks>
/// <para>Document frequency df(g) = number of items whose reference set contains n-gram g (n = 1..4), computed over the
/// references of the evaluated corpus; the idf term is log(N) - log(max(1, df(g))) with N the number of items.</para>
/// <para>Each caption becomes, per order n, a vector v_n(g) = tf(g) * idf(g) and its Euclidean norm; its "length" is its
/// number of bigrams (coco's <c>length += term_freq</c> for n == 1, i.e. max(0, words - 1)).</para>
/// <para>Against one reference: s_n = sum over candidate n-grams of min(v_c(g), v_r(g)) * v_r(g), divided by
/// |v_c| |v_r| when both are nonzero, times exp(-(delta^2) / (2 sigma^2)) with delta the length difference and
/// sigma = 6. Item score = 10 * mean_n(sum over references of s_n) / number of references; corpus = mean over items.</para>
/// </remarks>
public static class CiderD
{
    /// <summary>coco's n.</summary>
    public const int Order = 4;

    /// <summary>coco's sigma for the gaussian length penalty.</summary>
    public const double Sigma = 6.0;

    /// <summary>Per-item CIDEr-D and their mean, idf taken from the references of <paramref name="items"/>.</summary>
    public static CorpusScore Compute(IReadOnlyList<CaptionItem> items, double sigma = Sigma)
    {
        CaptionItem.Validate(items);
        var counter = new NGramCounter();
        var refCounts = new List<Dictionary<NGram, int>[]>(items.Count);
        var testCounts = new List<Dictionary<NGram, int>>(items.Count);
        var df = new Dictionary<NGram, int>();
        foreach (var item in items)
        {
            var refs = item.References.Select(r => counter.Count(r, Order)).ToArray();
            refCounts.Add(refs);
            testCounts.Add(counter.Count(item.Candidate, Order));
            var union = new HashSet<NGram>();
            foreach (var r in refs) union.UnionWith(r.Keys);
            foreach (var g in union) df[g] = df.GetValueOrDefault(g) + 1;
        }

        double refLen = Math.Log(items.Count);
        var per = new Dictionary<string, double>(items.Count, StringComparer.Ordinal);
        double sum = 0;
        for (int i = 0; i < items.Count; i++)
        {
            var hyp = ToVector(testCounts[i], df, refLen);
            var score = new double[Order];
            foreach (var r in refCounts[i])
            {
                var rv = ToVector(r, df, refLen);
                Similarity(hyp, rv, sigma, score);
            }
            double mean = 0;
            for (int n = 0; n < Order; n++) mean += score[n];
            mean /= Order;
            mean /= refCounts[i].Length;
            mean *= 10.0;
            per[items[i].Id] = mean;
            sum += mean;
        }
        return new CorpusScore(sum / items.Count, per);
    }

    private sealed record TfIdf(Dictionary<NGram, double>[] Vectors, double[] Norms, int Length);

    private static TfIdf ToVector(Dictionary<NGram, int> counts, Dictionary<NGram, int> df, double refLen)
    {
        var vec = new Dictionary<NGram, double>[Order];
        for (int n = 0; n < Order; n++) vec[n] = new Dictionary<NGram, double>();
        var norm = new double[Order];
        int length = 0;
        foreach (var (g, tf) in counts)
        {
            double logDf = Math.Log(Math.Max(1.0, df.GetValueOrDefault(g)));
            int n = g.Order - 1;
            double v = tf * (refLen - logDf);
            vec[n][g] = v;
            norm[n] += v * v;
            if (n == 1) length += tf;
        }
        for (int n = 0; n < Order; n++) norm[n] = Math.Sqrt(norm[n]);
        return new TfIdf(vec, norm, length);
    }

    private static void Similarity(TfIdf hyp, TfIdf reference, double sigma, double[] accumulate)
    {
        double delta = hyp.Length - reference.Length;
        double penalty = Math.Pow(Math.E, -(delta * delta) / (2 * sigma * sigma));
        for (int n = 0; n < Order; n++)
        {
            double val = 0;
            foreach (var (g, vh) in hyp.Vectors[n])
            {
                double vr = reference.Vectors[n].GetValueOrDefault(g);
                val += Math.Min(vh, vr) * vr;
            }
            if (hyp.Norms[n] != 0 && reference.Norms[n] != 0) val /= hyp.Norms[n] * reference.Norms[n];
            accumulate[n] += val * penalty;
        }
    }
}
