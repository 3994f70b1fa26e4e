using System.Text.RegularExpressions;

namespace VisualNarrator.Evaluation;

/// <summary>
/// The seed model's benchmark checks (docs/metrics.md section 4), taken literally. The description is first cleaned
/// (<see cref="Clean"/>); every check then looks at the cleaned text.
/// </summary>
public static partial class SeedChecks
{
    /// <summary>The seed's glitch tokens.</summary>
    public static readonly IReadOnlyList<string> GlitchTokens = ["strutConnector", "guiActive", "0001", "\ufffd"];

    /// <summary>The seed's relevance keywords.</summary>
    public static readonly IReadOnlyList<string> RelevanceKeywords =
        ["sunset", "forest", "beach", "city", "street", "kitchen", "building", "sports", "classroom", "concert", "family"];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>
    /// The seed's output cleaning: (1) remove every occurrence of each glitch token (ordinal substring removal);
    /// (2) collapse runs of whitespace into one space and trim both ends; (3) strip trailing characters that are ASCII
    /// punctuation (Python's <c>string.punctuation</c>) or whitespace.
    /// </summary>
    public static string Clean(string text, IReadOnlyList<string>? glitchTokens = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var g in glitchTokens ?? GlitchTokens) text = text.Replace(g, "", StringComparison.Ordinal);
        text = Whitespace().Replace(text, " ").Trim();
        int end = text.Length;
        while (end > 0 && (IsAsciiPunctuation(text[end - 1]) || char.IsWhiteSpace(text[end - 1]))) end--;
        return text[..end];
    }

    /// <summary>"Coherent": more than 10 characters and a '.' somewhere in the (cleaned) text. A one-sentence
    /// description loses its only period to the cleaning and is therefore not coherent.</summary>
    public static bool IsCoherent(string cleaned) => cleaned.Length > 10 && cleaned.Contains('.');

    /// <summary>"Relevant": the lower-cased (cleaned) text contains one of the keywords as a substring.</summary>
    public static bool IsRelevant(string cleaned, IReadOnlyList<string>? keywords = null)
    {
        var lower = cleaned.ToLowerInvariant();
        return (keywords ?? RelevanceKeywords).Any(k => lower.Contains(k.ToLowerInvariant(), StringComparison.Ordinal));
    }

    /// <summary>"Artifacts": the text contains a glitch token (ordinal substring). On cleaned text this is always
    /// false for the same glitch list, since cleaning removed them; <see cref="NarrationScores.RawArtifactRate"/>
    /// applies it to the raw text.</summary>
    public static bool HasArtifacts(string text, IReadOnlyList<string>? glitchTokens = null) =>
        (glitchTokens ?? GlitchTokens).Any(g => text.Contains(g, StringComparison.Ordinal));

    /// <summary>Success score: 1 if coherent without artifacts, 0.5 if coherent with artifacts, else 0.</summary>
    public static double Success(bool coherent, bool artifacts) => coherent ? (artifacts ? 0.5 : 1.0) : 0.0;

    private static bool IsAsciiPunctuation(char c) => c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~';
}
