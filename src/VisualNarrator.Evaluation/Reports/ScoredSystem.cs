using VisualNarrator.Evaluation.Runs;

namespace VisualNarrator.Evaluation.Reports;

/// <summary>Scores of one system: caption metrics (null without references) and narrator metrics, with the caption
/// metrics per scene type.</summary>
/// <param name="Run">The system's run.</param>
/// <param name="Caption">coco-caption scores over the whole set.</param>
/// <param name="CaptionByType">Per scene type: CIDEr-D and ROUGE-L are means of the per-item scores of the whole-set
/// computation (CIDEr-D's idf is over the whole set), BLEU is recomputed over the type's items.</param>
/// <param name="Narration">Narrator metrics overall and per scene type.</param>
public sealed record ScoredSystem(SystemRun Run, CocoScores? Caption, IReadOnlyDictionary<string, (double Cider, BleuResult Bleu, double RougeL)>? CaptionByType, NarrationReport Narration);
