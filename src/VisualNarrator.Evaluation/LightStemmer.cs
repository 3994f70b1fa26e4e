namespace VisualNarrator.Evaluation;

/// <summary>
/// A small English suffix stemmer for matching a scene's words in a narration (<c>dogs</c> ~ <c>dog</c>,
/// <c>running</c> ~ <c>run</c>, <c>puppies</c> ~ <c>puppy</c>). It does not produce dictionary forms; it maps the
/// inflections of one word to the same key. docs/metrics.md lists the rules in order.
/// </summary>
public static class LightStemmer
{
    /// <summary>The stem of a lower-case word; words of three letters or fewer, and words with a non-letter, are
    /// returned unchanged.</summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 3 || !word.All(char.IsAsciiLetterLower)) return word;
        var w = Plural(word);
        w = Verbal(w);
        // Final e and consonant-y: "make"/"making" -> "mak", "puppy"/"puppies" -> "puppi".
        if (w.Length > 3 && w[^1] == 'e') w = w[..^1];
        else if (w.Length > 3 && w[^1] == 'y' && !IsVowel(w[^2])) w = w[..^1] + "i";
        return w;
    }

    private static string Plural(string w)
    {
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4) return w[..^3] + "i";
        if (w.EndsWith("sses", StringComparison.Ordinal)) return w[..^2];
        foreach (var suffix in (ReadOnlySpan<string>)["xes", "ches", "shes", "zes"])
            if (w.EndsWith(suffix, StringComparison.Ordinal)) return w[..^2];
        if (w[^1] == 's' && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal)
            && !w.EndsWith("is", StringComparison.Ordinal))
            return w[..^1];
        return w;
    }

    private static string Verbal(string w)
    {
        string? stem = null;
        if (w.EndsWith("ing", StringComparison.Ordinal)) stem = w[..^3];
        else if (w.EndsWith("ed", StringComparison.Ordinal)) stem = w[..^2];
        if (stem is null || stem.Length < 3 || !stem.Any(IsVowel)) return w;
        // "running" -> "run", "stopped" -> "stop"; but "falling" -> "fall", "kissed" -> "kiss".
        if (stem[^1] == stem[^2] && !IsVowel(stem[^1]) && stem[^1] is not ('l' or 's' or 'z')) stem = stem[..^1];
        return stem;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';
}
