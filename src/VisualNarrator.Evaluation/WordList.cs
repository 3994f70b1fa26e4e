using System.IO.Compression;

namespace VisualNarrator.Evaluation;

/// <summary>
/// A set of English words (lower case) for the non-word check. The default is Debian's <c>wamerican</c> list
/// (SCOWL, 2020.12.07; see Resources/words-COPYRIGHT.txt): its entries made only of letters and apostrophes,
/// lower-cased, embedded so the metric is the same on every machine.
/// </summary>
public sealed class WordList
{
    private static readonly Lazy<WordList> Shared = new(Load);
    private readonly HashSet<string> _words;

    /// <summary>Creates a list from words (compared lower-cased, ordinal).</summary>
    public WordList(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        _words = new HashSet<string>(words.Select(w => w.ToLowerInvariant()), StringComparer.Ordinal);
    }

    /// <summary>The embedded wamerican list.</summary>
    public static WordList Default => Shared.Value;

    /// <summary>Number of words.</summary>
    public int Count => _words.Count;

    /// <summary>The words, in ordinal order (stable across runs, for generators that draw from them).</summary>
    public IEnumerable<string> Ordered() => _words.Order(StringComparer.Ordinal);

    /// <summary>Whether the (lower-case) word is in the list.</summary>
    public bool Contains(string word) => _words.Contains(word);

    private static WordList Load()
    {
        using var stream = typeof(WordList).Assembly.GetManifestResourceStream("VisualNarrator.Evaluation.words.txt.gz")
            ?? throw new InvalidOperationException("the embedded word list is missing from VisualNarrator.Evaluation");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var words = new List<string>(110_000);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) words.Add(line);
        return new WordList(words);
    }
}
