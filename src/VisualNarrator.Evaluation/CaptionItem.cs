namespace VisualNarrator.Evaluation;

/// <summary>
/// One evaluated image: its id, its tokenized reference captions and the tokenized candidate caption.
/// Tokens are compared with ordinal string equality; nothing is lower-cased or normalized here.
/// </summary>
/// <param name="Id">Image id (the key in the coco-format files).</param>
/// <param name="References">At least one reference caption, each a list of tokens.</param>
/// <param name="Candidate">The candidate caption as a list of tokens (may be empty).</param>
public sealed record CaptionItem(string Id, IReadOnlyList<IReadOnlyList<string>> References, IReadOnlyList<string> Candidate)
{
    internal static void Validate(IReadOnlyList<CaptionItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("no items to score", nameof(items));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!seen.Add(item.Id)) throw new ArgumentException($"item id '{item.Id}' appears twice", nameof(items));
            if (item.References.Count == 0) throw new ArgumentException($"item '{item.Id}' has no reference captions", nameof(items));
        }
    }
}
