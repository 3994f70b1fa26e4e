using VisualNarrator.Evaluation;

namespace VisualNarrator.Evaluation.Tests;

/// <summary>Builds small corpora from space-separated strings.</summary>
internal static class Corpus
{
    public static CaptionItem Item(string id, string candidate, params string[] references) =>
        new(id, references.Select(r => (IReadOnlyList<string>)Pretokenized.Split(r)).ToList(), Pretokenized.Split(candidate));

    public static IReadOnlyList<CaptionItem> Of(params CaptionItem[] items) => items;
}
