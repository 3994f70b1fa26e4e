using VisualNarrator.Evaluation.Sets;

namespace VisualNarrator.Evaluation.Runs;

/// <summary>What one system produced for one item; <paramref name="Neighbour"/> and <paramref name="Similarity"/> are
/// set by the retrieval baseline only.</summary>
/// <param name="Item">The evaluated item.</param>
/// <param name="Text">The narration.</param>
/// <param name="Neighbour">The training scene the baseline retrieved.</param>
/// <param name="Similarity">Its TF-IDF cosine similarity to the item's scene.</param>
public sealed record SystemOutput(EvalItem Item, string Text, string? Neighbour, double? Similarity);
