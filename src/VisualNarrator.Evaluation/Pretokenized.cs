namespace VisualNarrator.Evaluation;

/// <summary>Splitting of captions that are already tokenized (such as coco-caption's PTB-tokenized files).</summary>
public static class Pretokenized
{
    /// <summary>
    /// Splits on the space character (U+0020) only and changes nothing else: case, punctuation and every other
    /// character are kept. Empty pieces (from leading, trailing or doubled spaces) are dropped, as Python's
    /// <c>str.split()</c> used by coco's BLEU and CIDEr drops them.
    /// </summary>
    public static string[] Split(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        return caption.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
