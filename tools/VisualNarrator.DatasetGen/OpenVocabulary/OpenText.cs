using VisualNarrator.Engine.Generation;

namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>The small pieces of English morphology the open grammar needs.</summary>
internal static class OpenText
{
    private static readonly string[] AnBeforeConsonantLetter = ["hour", "honest", "honor", "honour", "heir", "herb"];
    private static readonly string[] ABeforeVowelLetter = ["uni", "use", "usu", "ute", "uro", "eu", "one", "once", "ewe", "u-"];

    /// <summary>"a" or "an" before <paramref name="phrase"/>.</summary>
    public static string Article(string phrase)
    {
        var w = phrase.ToLowerInvariant();
        if (AnBeforeConsonantLetter.Any(p => w.StartsWith(p, StringComparison.Ordinal))) return "an";
        if (ABeforeVowelLetter.Any(p => w.StartsWith(p, StringComparison.Ordinal))) return "a";
        return "aeiou".Contains(w[0]) ? "an" : "a";
    }

    /// <summary>"a violin" / "an old violin".</summary>
    public static string WithArticle(string phrase) => $"{Article(phrase)} {phrase}";

    /// <summary>The -ing form of a verb, the first candidate the word list knows: "hope" → "hoping", "hop" → "hopping",
    /// "visit" → "visiting", "lie" → "lying"; null when none is a word.</summary>
    public static string? Participle(string verb, WordList words)
    {
        var candidates = new List<string>();
        if (verb.EndsWith("ie", StringComparison.Ordinal)) candidates.Add(verb[..^2] + "ying");
        if (verb.EndsWith('e') && !verb.EndsWith("ee", StringComparison.Ordinal) && !verb.EndsWith("ye", StringComparison.Ordinal) && !verb.EndsWith("oe", StringComparison.Ordinal))
            candidates.Add(verb[..^1] + "ing");
        else if (verb.Length >= 3 && IsConsonant(verb[^1]) && verb[^1] is not ('w' or 'x' or 'y') && !IsConsonant(verb[^2]) && IsConsonant(verb[^3]))
            candidates.Add(verb + verb[^1] + "ing");
        candidates.Add(verb + "ing");
        return candidates.FirstOrDefault(words.Contains);
    }

    /// <summary>The text with its first letter upper-cased.</summary>
    public static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Number of space-separated words.</summary>
    public static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private static bool IsConsonant(char c) => c is >= 'a' and <= 'z' && !"aeiou".Contains(c);
}
