using System.Diagnostics;
using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Evaluation.Sets;

namespace VisualNarrator.Evaluation.Runs;

/// <summary>
/// The nearest-neighbour retrieval baseline: for each evaluated scene, the description of the training line whose
/// scene is most similar. Similarity is the cosine of TF-IDF vectors over the scenes' words (PTB tokens, lower-case,
/// punctuation removed): term frequency = count in the scene, idf(w) = ln((1 + N) / (1 + df(w))) + 1 with N the number
/// of distinct training scenes and df(w) how many of them contain w. Ties go to the training line that comes first in
/// the file, so the baseline is deterministic. The prompt's template is ignored.
/// </summary>
public static class NearestNeighbour
{
    /// <summary>The name of the baseline in reports.</summary>
    public const string Name = "nn";

    /// <summary>A training scene and the first training line that has it.</summary>
    private sealed record Candidate(string Scene, EvalItem First, Dictionary<string, double> Vector, double Norm);

    /// <summary>Runs the baseline over <paramref name="items"/>.</summary>
    public static SystemRun Run(IReadOnlyList<EvalItem> train, IReadOnlyList<EvalItem> items)
    {
        var clock = Stopwatch.StartNew();
        var firstByScene = new Dictionary<string, EvalItem>(StringComparer.Ordinal);
        foreach (var t in train) firstByScene.TryAdd(t.Scene, t);
        var scenes = firstByScene.Keys.ToList();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in scenes)
            foreach (var w in PtbTokenizer.Tokenize(s).Distinct())
                df[w] = df.GetValueOrDefault(w) + 1;
        int count = scenes.Count;
        double Idf(string w) => Math.Log((1.0 + count) / (1.0 + df.GetValueOrDefault(w))) + 1.0;
        (Dictionary<string, double> Vector, double Norm) Vectorize(string scene)
        {
            var v = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var w in PtbTokenizer.Tokenize(scene)) v[w] = v.GetValueOrDefault(w) + 1;
            foreach (var w in v.Keys.ToList()) v[w] *= Idf(w);
            return (v, Math.Sqrt(v.Values.Sum(x => x * x)));
        }
        var candidates = scenes.Select(s => { var (v, norm) = Vectorize(s); return new Candidate(s, firstByScene[s], v, norm); }).ToList();

        var outputs = new List<SystemOutput>(items.Count);
        foreach (var item in items)
        {
            var (q, qNorm) = Vectorize(item.Scene);
            Candidate? best = null;
            double bestScore = double.NegativeInfinity;
            foreach (var c in candidates)
            {
                double dot = 0;
                foreach (var (w, x) in q)
                    if (c.Vector.TryGetValue(w, out var y)) dot += x * y;
                double score = qNorm == 0 || c.Norm == 0 ? 0 : dot / (qNorm * c.Norm);
                if (score > bestScore || (score == bestScore && c.First.Line < best!.First.Line))
                {
                    best = c;
                    bestScore = score;
                }
            }
            outputs.Add(new SystemOutput(item, best!.First.Texts[0], best.Scene, bestScore));
        }
        clock.Stop();
        var perf = new Performance(items.Count, clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds / items.Count,
            null, null, null, null, null, null, null, null, BenchmarkPlan.PeakRss());
        return new SystemRun(Name, "nearest-neighbour retrieval (TF-IDF cosine over scene words)", outputs, perf);
    }
}
