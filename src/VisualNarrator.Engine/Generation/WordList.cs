using System.IO.Compression;

namespace VisualNarrator.Engine.Generation;

/// <summary>
/// A set of English words (lower case). <see cref="Default"/> holds American and British spellings: Debian's
/// <c>wamerican</c> and <c>wbritish</c> lists (SCOWL 2020.12.07, the same size 50; see Resources/words-COPYRIGHT.txt),
/// their entries made only of letters and apostrophes, lower-cased, embedded so every machine has the same list. The
/// evaluation's non-word check and the sampler's word guard (<see cref="Sampling.SamplingSettings.WordGuard"/>) use it.
/// </summary>
public sealed class WordList
{
    private static readonly Lazy<WordList> SharedAmerican = new(() => new WordList(Read("words.txt.gz")));
    private static readonly Lazy<WordList> SharedDefault = new(() => new WordList(Read("words.txt.gz").Concat(Read("words-british.txt.gz"))));
    private readonly HashSet<string> _words;
    private readonly Lazy<string[]> _sorted;

    /// <summary>Creates a list from words (compared lower-cased, ordinal).</summary>
    public WordList(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        _words = new HashSet<string>(words.Select(w => w.ToLowerInvariant()), StringComparer.Ordinal);
        _sorted = new(() => _words.Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>American and British spellings (<c>color</c> and <c>colour</c>, <c>center</c> and <c>centre</c>): the
    /// list a narration's words are checked against.</summary>
    public static WordList Default => SharedDefault.Value;

    /// <summary>The <c>wamerican</c> list alone (102,193 words), which the dataset generator was built against; kept so
    /// the generated data stays reproducible.</summary>
    public static WordList American => SharedAmerican.Value;

    /// <summary>Number of words.</summary>
    public int Count => _words.Count;

    /// <summary>The words, in ordinal order (stable across runs, for generators that draw from them).</summary>
    public IEnumerable<string> Ordered() => _sorted.Value;

    /// <summary>Whether the (lower-case) word is in the list.</summary>
    public bool Contains(string word) => _words.Contains(word);

    /// <summary>Whether the (lower-case) word is a word of the list as a narration's words are checked: the list holds it,
    /// or holds it without its apostrophe suffix (<c>dog's</c>, <c>can't</c>; <see cref="SceneWords.Base"/>).</summary>
    public bool IsWord(string word) => _words.Contains(word) || _words.Contains(SceneWords.Base(word));

    /// <summary>Whether some word of the list starts with the (lower-case) text; true for the empty text.</summary>
    public bool HasPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var sorted = _sorted.Value;
        var i = Array.BinarySearch(sorted, prefix, StringComparer.Ordinal);
        if (i >= 0) return true;
        i = ~i;
        return i < sorted.Length && sorted[i].StartsWith(prefix, StringComparison.Ordinal);
    }

    private static List<string> Read(string name)
    {
        var resource = "VisualNarrator.Engine." + name;
        using var stream = typeof(WordList).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the embedded word list {resource} is missing from VisualNarrator.Engine");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var words = new List<string>(110_000);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) words.Add(line);
        return words;
    }
}
