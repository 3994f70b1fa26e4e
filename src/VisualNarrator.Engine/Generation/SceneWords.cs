using System.Text.RegularExpressions;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Engine.Generation;

/// <summary>
/// The content words of a scene: what a narration of it should name. Shared by the sampler's scene-word bias
/// (<see cref="Sampling.SamplingSettings.SceneWordBias"/>) and the evaluation's scene recall, so both mean the same words.
/// </summary>
public static partial class SceneWords
{
    /// <summary>Words that carry no scene content (lower case): articles, pronouns, prepositions, conjunctions,
    /// auxiliaries, quantifiers and the instruction words of the prompt templates.</summary>
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

    /// <summary>Most scene words the sampler tracks; a prompt is at most a few hundred tokens, and the bias costs a pass
    /// over these per generated token.</summary>
    public const int MaxTracked = 256;

    [GeneratedRegex(@"[A-Za-z0-9]+(?:'[A-Za-z]+)?")]
    private static partial Regex WordPattern();

    /// <summary>The words of a text as written: runs of ASCII letters and digits, with one apostrophe suffix kept
    /// (<c>dog's</c>, <c>can't</c>); hyphens, slashes and all other characters separate words.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WordPattern().Matches(text).Select(m => m.Value).ToList();
    }

    /// <summary>A word without its apostrophe suffix (<c>dog's</c> → <c>dog</c>).</summary>
    public static string Base(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        int apostrophe = word.IndexOf('\'');
        return apostrophe < 0 ? word : word[..apostrophe];
    }

    /// <summary>True when the word (any case, apostrophe suffix ignored) is a <see cref="StopWords">stop word</see>.</summary>
    public static bool IsStopWord(string word) => StopWords.Contains(Base(word).ToLowerInvariant());

    /// <summary>The distinct content words of a text, as written and in order of first appearance, without apostrophe
    /// suffixes and <see cref="StopWords"/>.</summary>
    public static IReadOnlyList<string> ContentWords(string text) =>
        Words(text).Select(Base).Where(w => !IsStopWord(w)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The token ids of each content word of <paramref name="prompt"/> as it reads inside a sentence (after a
    /// space), which is how a narration that names it writes it; at most <see cref="MaxTracked"/> words.</summary>
    /// <param name="prompt">The prompt text (template and scene; the templates' own words are stop words).</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    public static IReadOnlyList<int[]> TokenSequences(string prompt, OptTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return ContentWords(prompt).Take(MaxTracked)
            .Select(w => tokenizer.Encode(" " + w, addSpecialTokens: false, parseSpecial: false))
            .Where(ids => ids.Length > 0)
            .ToList();
    }

    /// <summary>The text without trailing white space and closing quotes or brackets, so its last character is the one
    /// that ends (or does not end) its last sentence.</summary>
    public static string TrimClosers(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.TrimEnd().TrimEnd('"', '\'', ')', ']', '\u201d', '\u2019');
    }

    /// <summary>True when the text, <see cref="TrimClosers">closers trimmed</see>, ends with '.', '!' or '?'.</summary>
    public static bool EndsSentence(string text) => TrimClosers(text) is [.., '.' or '!' or '?'];

    /// <summary>True when the text, leading white space and opening quotes or brackets skipped, starts with an
    /// upper-case letter or a digit: it can open a sentence (the evaluation's well-formed start asks the same).</summary>
    public static bool OpensSentence(string text) => TrimOpeners(text) is [var c, ..] && (char.IsUpper(c) || char.IsAsciiDigit(c));

    /// <summary>The text without leading white space and opening quotes or brackets, so its first character is the one
    /// that opens (or does not open) its first sentence.</summary>
    public static string TrimOpeners(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.TrimStart().TrimStart('"', '\'', '(', '[', '\u201c', '\u2018').TrimStart();
    }

    /// <summary>How a token's text ends: blank (white space only), a sentence end (<see cref="EndsSentence"/>) or
    /// anything else.</summary>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="id">A token id in its vocabulary.</param>
    public static Sampling.TokenEnd TokenEnd(OptTokenizer tokenizer, int id)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return TokenEnd(tokenizer.DecodeToken(id));
    }

    /// <summary>How a token's text ends: blank (white space only, or empty), a sentence end
    /// (<see cref="EndsSentence"/>) or anything else.</summary>
    /// <param name="text">The token's text.</param>
    public static Sampling.TokenEnd TokenEnd(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Sampling.TokenEnd.Blank;
        return EndsSentence(text) ? Sampling.TokenEnd.Sentence : Sampling.TokenEnd.Other;
    }
}
