namespace VisualNarrator.Evaluation.Reports;

/// <summary>The metrics a report lists for a system, by key, in the order both reports use.</summary>
internal static class ReportMetrics
{
    /// <summary>The metric keys of an "overall" or per-scene-type object, in order.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "count", "CIDEr", "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L",
        "mean_length", "distinct_1", "distinct_2", "repeated_3gram_rate", "adjective_coverage", "adjective_density", "content_richness",
        "seed_coherence_rate", "seed_relevance_rate", "seed_artifact_rate", "raw_artifact_rate", "seed_success_rate",
        "seed_literal_success_rate", "scene_recall", "non_word_rate", "well_formed_start_rate", "complete_paragraph_rate",
    ];

    /// <summary>The metrics of one system over some items, keyed and ordered as <see cref="Keys"/>; caption metrics are
    /// null without references.</summary>
    public static IEnumerable<(string Key, double? Value)> Of(NarrationScores n, double? cider, BleuResult? bleu, double? rouge) =>
    [
        ("count", n.Count), ("CIDEr", cider), ("Bleu_1", bleu?.Scores[0]), ("Bleu_2", bleu?.Scores[1]), ("Bleu_3", bleu?.Scores[2]),
        ("Bleu_4", bleu?.Scores[3]), ("ROUGE_L", rouge), ("mean_length", n.MeanLength), ("distinct_1", n.Distinct1), ("distinct_2", n.Distinct2),
        ("repeated_3gram_rate", n.Repeated3GramRate), ("adjective_coverage", n.AdjectiveCoverage), ("adjective_density", n.AdjectiveDensity),
        ("content_richness", n.ContentRichness), ("seed_coherence_rate", n.SeedCoherenceRate), ("seed_relevance_rate", n.SeedRelevanceRate),
        ("seed_artifact_rate", n.SeedArtifactRate), ("raw_artifact_rate", n.RawArtifactRate), ("seed_success_rate", n.SeedSuccessRate),
        ("seed_literal_success_rate", n.SeedLiteralSuccessRate), ("scene_recall", n.SceneRecall), ("non_word_rate", n.NonWordRate),
        ("well_formed_start_rate", n.WellFormedStartRate), ("complete_paragraph_rate", n.CompleteParagraphRate),
    ];
}
