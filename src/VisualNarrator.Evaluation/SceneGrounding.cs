using VisualNarrator.Engine.Generation;

namespace VisualNarrator.Evaluation;

/// <summary>
/// Whether a narration is about the scene it was given and reads as text: scene recall, non-words and a well-formed
/// start (docs/metrics.md section 3). These catch the off-topic narration that the seed's checks pass.
/// </summary>
public static class SceneGrounding
{
    /// <summary>Words that carry no scene content (<see cref="SceneWords.StopWords"/>, which the sampler's scene-word
    /// bias uses too).</summary>
    public static IReadOnlySet<string> StopWords => SceneWords.StopWords;

    /// <summary>The words of a text, lower-cased (<see cref="SceneWords.Words"/>): runs of letters and digits, with
    /// one apostrophe suffix kept (<c>dog's</c>, <c>can't</c>); hyphens, slashes and all other characters separate
    /// words.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SceneWords.Words(text.ToLowerInvariant());
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
        if (!SceneWords.OpensSentence(narration)) return false;
        var text = SceneWords.TrimOpeners(narration);
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
        if (!SceneWords.EndsSentence(narration)) return false;
        var text = SceneWords.TrimClosers(narration);
        int sentences = 0;
        for (int i = 0; i < text.Length; i++)
            if (text[i] is '.' or '!' or '?' && (i == text.Length - 1 || char.IsWhiteSpace(text[i + 1]))) sentences++;
        return sentences >= 2;
    }

    private static bool IsWord(string w, WordList words, HashSet<string> sceneWords) =>
        words.IsWord(w) || sceneWords.Contains(Base(w));

    private static string Base(string word) => SceneWords.Base(word);
}
