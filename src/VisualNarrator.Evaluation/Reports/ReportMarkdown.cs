using System.Globalization;
using System.Text;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Evaluation.Runs;

namespace VisualNarrator.Evaluation.Reports;

/// <summary>Writes report.md: the overall table, the per-scene-type tables, speed and memory, and sample
/// narrations.</summary>
internal static class ReportMarkdown
{
    private static string F(double? v, string format = "F4") => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static readonly (string Key, string Label, string Format)[] TableRows =
    [
        ("CIDEr", "CIDEr-D", "F4"), ("Bleu_1", "BLEU-1", "F4"), ("Bleu_2", "BLEU-2", "F4"), ("Bleu_3", "BLEU-3", "F4"), ("Bleu_4", "BLEU-4", "F4"),
        ("ROUGE_L", "ROUGE-L", "F4"), ("mean_length", "mean words", "F1"), ("distinct_1", "distinct-1", "F3"), ("distinct_2", "distinct-2", "F3"),
        ("repeated_3gram_rate", "repeated 3-gram rate", "F4"), ("adjective_coverage", "adjective coverage", "F3"),
        ("adjective_density", "adjective density", "F3"), ("content_richness", "content richness", "F3"),
        ("seed_coherence_rate", "seed coherence", "F3"), ("seed_relevance_rate", "seed relevance", "F3"),
        ("seed_artifact_rate", "seed artifacts (after cleaning)", "F3"), ("raw_artifact_rate", "artifacts (raw text)", "F3"),
        ("seed_success_rate", "seed success (scene recall >= 0.5)", "F3"), ("seed_literal_success_rate", "seed success (seed's checks only)", "F3"),
        ("scene_recall", "scene recall", "F3"), ("non_word_rate", "non-word rate", "F4"), ("well_formed_start_rate", "well-formed starts", "F3"),
    ];

    /// <summary>The Markdown text of <paramref name="r"/>.</summary>
    public static string Write(EvalReport r)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"# narrator eval: {r.SetName} ({r.Items.Count} items)");
        sb.AppendLine();
        sb.AppendLine(inv, $"- set: `{r.SetPath}`{(r.Settings.Samples is int n ? $" (first {n} items)" : "")}, scene types: {string.Join(", ", r.SceneTypes)}");
        foreach (var s in r.Scored) sb.AppendLine(inv, $"- `{s.Run.Name}`: {s.Run.Description}");
        var sampling = string.Join(", ", SamplingSettingTable.All.Select(row => $"{row.Key} {row.ValueText(r.Sampling)}"));
        sb.AppendLine(inv, $"- sampling: {sampling}; {r.Settings.MaxSequences} sequences, prompts cut at {r.Settings.MaxPromptTokens} tokens, device {r.Settings.Device}");
        sb.AppendLine(r.HasReferences
            ? "- caption metrics: coco-caption CIDEr-D, BLEU-1..4, ROUGE-L against the set's references, PTB tokenizer on the raw text (docs/metrics.md)"
            : "- the set has no references: caption metrics are not computed");
        sb.AppendLine();

        sb.AppendLine("## Overall");
        sb.AppendLine();
        sb.AppendLine("| metric | " + string.Join(" | ", r.Scored.Select(s => s.Run.Name)) + " |");
        sb.AppendLine("|---|" + string.Concat(r.Scored.Select(_ => "---:|")));
        foreach (var (key, label, format) in TableRows)
            sb.AppendLine($"| {label} | " + string.Join(" | ", r.Scored.Select(s => F(r.Overall(s).First(m => m.Key == key).Value, format))) + " |");
        sb.AppendLine();

        sb.AppendLine("## Per scene type");
        foreach (var s in r.Scored)
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"### {s.Run.Name}");
            sb.AppendLine();
            var columns = new[] { "CIDEr", "Bleu_4", "ROUGE_L", "mean_length", "distinct_2", "repeated_3gram_rate", "adjective_coverage", "content_richness", "seed_relevance_rate", "seed_success_rate", "scene_recall", "non_word_rate", "well_formed_start_rate" };
            sb.AppendLine("| scene type | items | " + string.Join(" | ", columns.Select(c => TableRows.First(r => r.Key == c).Label)) + " |");
            sb.AppendLine("|---|---:|" + string.Concat(columns.Select(_ => "---:|")));
            foreach (var type in r.SceneTypes)
            {
                var m = r.OfType(s, type).ToDictionary(x => x.Key, x => x.Value);
                sb.AppendLine($"| {type} | {F(m["count"], "F0")} | " + string.Join(" | ", columns.Select(c => F(m[c], TableRows.First(r => r.Key == c).Format))) + " |");
            }
        }
        sb.AppendLine();

        sb.AppendLine("## Speed and memory");
        sb.AppendLine();
        sb.AppendLine("| | " + string.Join(" | ", r.Scored.Select(s => s.Run.Name)) + " |");
        sb.AppendLine("|---|" + string.Concat(r.Scored.Select(_ => "---:|")));
        void Row(string label, Func<Performance, string> value) =>
            sb.AppendLine($"| {label} | " + string.Join(" | ", r.Scored.Select(s => value(s.Run.Performance))) + " |");
        Row("seconds per description (wall / items)", x => F(x.SecondsPerDescription, "F4"));
        Row("mean latency per description (s)", x => F(x.MeanLatencySeconds, "F3"));
        Row("decode tokens/s (all sequences)", x => F(x.DecodeTokensPerSecond, "F1"));
        Row("decode tokens/s (per narration, mean)", x => F(x.MeanStreamDecodeTokensPerSecond, "F1"));
        Row("tokens per description", x => F(x.MeanGeneratedTokens, "F1"));
        Row("stopped by max new tokens", x => x.StoppedByLength?.ToString(inv) ?? "–");
        Row("prompts cut to fit", x => x.PromptsCut?.ToString(inv) ?? "–");
        Row("model load (s)", x => F(x.LoadSeconds, "F2"));
        Row("wall time (s)", x => F(x.WallSeconds, "F2"));
        Row("peak RSS of the process (MiB, VmHWM)", x => (x.PeakRssBytes / 1048576.0).ToString("F0", inv));
        sb.AppendLine();

        sb.AppendLine("## Sample narrations");
        foreach (var s in r.Scored)
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"### {s.Run.Name}");
            foreach (var o in r.Examples(s.Run))
            {
                sb.AppendLine();
                sb.AppendLine(inv, $"- **{o.Item.Id}** ({o.Item.SceneType}) *{o.Item.Prompt}*");
                sb.AppendLine(inv, $"  - narration: {OneLine(o.Text)}");
                if (o.Neighbour is not null) sb.AppendLine(inv, $"  - retrieved scene: {o.Neighbour} (similarity {F(o.Similarity, "F3")})");
                if (o.Item.Texts.Count > 0) sb.AppendLine(inv, $"  - reference: {OneLine(o.Item.Texts[0])}");
            }
        }
        return sb.ToString();
    }

    private static string OneLine(string text) => text.Length == 0 ? "(empty)" : text.ReplaceLineEndings(" ");
}
