namespace VisualNarrator.Evaluation;

/// <summary>
/// A set of lower-case adjectives. <see cref="Default"/> is the lexicon the project ships (Resources/adjectives.txt:
/// colour, light, texture and material, size and shape, mood, age and condition words). Words are matched by form,
/// without part-of-speech tagging, so a word such as "light" counts wherever it occurs.
/// </summary>
public sealed class AdjectiveLexicon
{
    private static readonly Lazy<AdjectiveLexicon> DefaultLazy = new(LoadDefault);
    private readonly HashSet<string> _words;

    /// <summary>Builds a lexicon from words (lower-cased; blanks ignored).</summary>
    public AdjectiveLexicon(IEnumerable<string> words)
    {
        _words = new HashSet<string>(
            words.Select(w => w.Trim().ToLowerInvariant()).Where(w => w.Length > 0), StringComparer.Ordinal);
    }

    /// <summary>The shipped lexicon.</summary>
    public static AdjectiveLexicon Default => DefaultLazy.Value;

    /// <summary>Number of distinct words.</summary>
    public int Count => _words.Count;

    /// <summary>Whether <paramref name="token"/> (compared lower-cased) is in the lexicon.</summary>
    public bool Contains(string token) => _words.Contains(token.ToLowerInvariant());

    /// <summary>Parses the lexicon text format: one word per line, <c>#</c> starts a comment.</summary>
    public static AdjectiveLexicon Parse(string text) =>
        new(text.Split('\n').Select(l => { int h = l.IndexOf('#'); return h >= 0 ? l[..h] : l; }));

    private static AdjectiveLexicon LoadDefault()
    {
        using var stream = typeof(AdjectiveLexicon).Assembly.GetManifestResourceStream("VisualNarrator.Evaluation.adjectives.txt")
            ?? throw new InvalidOperationException("embedded resource VisualNarrator.Evaluation.adjectives.txt is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
