namespace VisualNarrator.Evaluation;

/// <summary>Per-item scores reported next to the corpus scores.</summary>
/// <param name="Cider">CIDEr-D of the item.</param>
/// <param name="RougeL">ROUGE-L of the item.</param>
public sealed record ItemScores(double Cider, double RougeL);

/// <summary>The coco-caption corpus scores (without METEOR and SPICE, which need Java) and per-item CIDEr-D / ROUGE-L.</summary>
/// <param name="Cider">Corpus CIDEr-D ("CIDEr" in coco-caption's output).</param>
/// <param name="Bleu">BLEU-1..4 with the totals.</param>
/// <param name="RougeL">Corpus ROUGE-L.</param>
/// <param name="PerItem">Item id to its scores, in item order.</param>
public sealed record CocoScores(double Cider, BleuResult Bleu, double RougeL, IReadOnlyDictionary<string, ItemScores> PerItem)
{
    /// <summary>The corpus scores under coco-caption's names, in its print order: CIDEr, Bleu_1..Bleu_4, ROUGE_L.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Named =>
    [
        new("CIDEr", Cider),
        new("Bleu_1", Bleu.Scores[0]),
        new("Bleu_2", Bleu.Scores[1]),
        new("Bleu_3", Bleu.Scores[2]),
        new("Bleu_4", Bleu.Scores[3]),
        new("ROUGE_L", RougeL),
    ];
}

/// <summary>Runs BLEU-1..4, ROUGE-L and CIDEr-D over one corpus of tokenized items.</summary>
public static class CocoScorer
{
    /// <summary>Scores <paramref name="items"/> (unique ids, at least one reference each).</summary>
    public static CocoScores Score(IReadOnlyList<CaptionItem> items)
    {
        var bleu = Bleu.Compute(items);
        var rouge = RougeL.Compute(items);
        var cider = CiderD.Compute(items);
        var per = new Dictionary<string, ItemScores>(items.Count, StringComparer.Ordinal);
        foreach (var item in items) per[item.Id] = new ItemScores(cider.PerItem[item.Id], rouge.PerItem[item.Id]);
        return new CocoScores(cider.Corpus, bleu, rouge.Corpus, per);
    }
}
