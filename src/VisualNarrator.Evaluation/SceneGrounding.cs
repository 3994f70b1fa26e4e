using System.Text.RegularExpressions;

namespace VisualNarrator.Evaluation;

/// <summary>
/// Whether a narration is about the scene it was given and reads as text: scene recall, non-words and a well-formed
/// start (docs/metrics.md section 3). These catch the off-topic narration that the seed's checks pass.
/// </summary>
public static partial class SceneGrounding
{
    /// <summary>Words that carry no scene content: articles, pronouns, prepositions, conjunctions, auxiliaries,
    /// quantifiers and the instruction words of the prompt templates.</summary>
    public static readonly IReadOnlySet<string> StopWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "all", "both", "another",
        "other", "such", "no", "not", "its", "his", "her", "their", "our", "my", "your", "it", "he", "she", "they",
        "we", "i", "you", "him", "them", "us", "me", "one", "ones", "who", "whom", "whose", "which", "what", "where",
        "when", "while", "how", "there", "here", "of", "in", "on", "at", "by", "for", "with", "without", "from", "to",
        "into", "onto", "over", "under", "above", "below", "near", "beside", "besides", "between", "behind", "among",
        "around", "through", "across", "along", "against", "inside", "outside", "up", "down", "off", "out", "about",
        "as", "than", "like", "and", "or", "but", "nor", "so", "yet", "if", "then", "is", "are", "was", "were", "be",
        "been", "being", "am", "has", "have", "had", "do", "does", "did", "can", "could", "will", "would", "shall",
        "should", "may", "might", "must", "very", "just", "also", "too", "describe", "image", "picture", "photo",
        "photograph", "caption", "generate", "shows", "show", "see",
    };

    [GeneratedRegex(@"[a-z0-9]+(?:'[a-z]+)?")]
    private static partial Regex WordPattern();

    /// <summary>The words of a text: lower-cased runs of letters and digits, with one apostrophe suffix kept
    /// (<c>dog's</c>, <c>can't</c>); hyphens, slashes and all other characters separate words.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToList();
    }

    /// <summary>The scene's content words as distinct stems: its <see cref="Words"/> without the apostrophe suffix,
    /// minus <see cref="StopWords"/>, each through <see cref="LightStemmer.Stem"/>.</summary>
    public static IReadOnlySet<string> ContentStems(string scene) =>
        Words(scene).Select(Base).Where(w => !StopWords.Contains(w)).Select(LightStemmer.Stem).ToHashSet(StringComparer.Ordinal);

    /// <summary>Share of the scene's content stems that the narration's words (stemmed the same way) contain; null when
    /// the scene has no content word.</summary>
    public static double? SceneRecall(string scene, string narration)
    {
        var wanted = ContentStems(scene);
        if (wanted.Count == 0) return null;
        var have = Words(narration).Select(w => LightStemmer.Stem(Base(w))).ToHashSet(StringComparer.Ordinal);
        return wanted.Count(have.Contains) / (double)wanted.Count;
    }

    /// <summary>Non-words and words of a narration: a word counts when it has a letter; it is a non-word unless the
    /// list holds it, or holds it without its apostrophe suffix, or the scene (the user's own words) contains it.</summary>
    public static (int NonWords, int Words) NonWords(string narration, string? scene, WordList? words = null)
    {
        words ??= WordList.Default;
        var sceneWords = scene is null ? [] : Words(scene).Select(Base).ToHashSet(StringComparer.Ordinal);
        int total = 0, bad = 0;
        foreach (var w in Words(narration))
        {
            if (!w.Any(char.IsAsciiLetterLower)) continue;
            total++;
            if (!IsWord(w, words, sceneWords)) bad++;
        }
        return (bad, total);
    }

    /// <summary>A well-formed start: the narration, leading white space and opening quotes or brackets skipped, begins
    /// with an upper-case letter or a digit, and its first word is a word (as in <see cref="NonWords"/>), so no piece of
    /// a word is carried over from the prompt.</summary>
    public static bool IsWellFormedStart(string narration, string? scene, WordList? words = null)
    {
        ArgumentNullException.ThrowIfNull(narration);
        var text = narration.TrimStart().TrimStart('"', '\'', '(', '[', '\u201c', '\u2018').TrimStart();
        if (text.Length == 0 || !(char.IsUpper(text[0]) || char.IsAsciiDigit(text[0]))) return false;
        var first = Words(text).FirstOrDefault();
        if (first is null) return false;
        if (!first.Any(char.IsAsciiLetterLower)) return true;
        var sceneWords = scene is null ? [] : Words(scene).Select(Base).ToHashSet(StringComparer.Ordinal);
        return IsWord(first, words ?? WordList.Default, sceneWords);
    }

    /// <summary>A complete paragraph: at least two sentences, and the text (trailing white space and closing quotes or
    /// brackets skipped) ends with a full stop, question mark or exclamation mark, so it was not cut off. A sentence
    /// ends at '.', '!' or '?' followed by white space or the end of the text.</summary>
    public static bool IsCompleteParagraph(string narration)
    {
        ArgumentNullException.ThrowIfNull(narration);
        var text = narration.TrimEnd().TrimEnd('"', '\'', ')', ']', '\u201d', '\u2019');
        if (text.Length == 0 || text[^1] is not ('.' or '!' or '?')) return false;
        int sentences = 0;
        for (int i = 0; i < text.Length; i++)
            if (text[i] is '.' or '!' or '?' && (i == text.Length - 1 || char.IsWhiteSpace(text[i + 1]))) sentences++;
        return sentences >= 2;
    }

    private static bool IsWord(string w, WordList words, HashSet<string> sceneWords) =>
        words.Contains(w) || words.Contains(Base(w)) || sceneWords.Contains(Base(w));

    private static string Base(string word)
    {
        int apostrophe = word.IndexOf('\'');
        return apostrophe < 0 ? word : word[..apostrophe];
    }
}
