using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VisualNarrator.Evaluation;

/// <summary>
/// Imitates coco-caption's <c>PTBTokenizer</c>: Stanford CoreNLP 3.4.1's
/// <c>edu.stanford.nlp.process.PTBTokenizer -preserveLines -lowerCase</c> followed by removal of the tokens in
/// <see cref="RemovedPunctuation"/>. It is a small rule-based re-implementation, not a port of Stanford's JFlex lexer;
/// docs/metrics.md lists exactly what it does and where it differs.
/// </summary>
/// <remarks>
/// Steps: (1) line breaks become spaces (coco joins a caption's lines); (2) character normalization: <c>&amp;amp;</c>
/// to <c>&amp;</c>, curly single quotes to <c>'</c>, curly double quotes to <c>"</c>, U+2026 to <c>...</c>, en/em dashes
/// to <c>--</c>, no-break spaces to spaces; (3) scanning into tokens: words (letters/digits, joined by inner
/// <c>-</c>, <c>/</c>, <c>&amp;</c>, <c>.</c> between digits, <c>:</c> or <c>,</c> between digits, and apostrophes),
/// abbreviations that keep their period, runs of two or more dots, runs of dashes, and any other character alone;
/// (4) PTB splits: clitics <c>n't 's 'm 'd 're 've 'll</c> are split off (<c>can't</c> gives <c>ca n't</c>), and
/// <c>cannot gonna gotta wanna gimme lemme</c> are split in two; (5) PTB escapes: <c>( ) [ ] { }</c> become
/// <c>-LRB- -RRB- -LSB- -RSB- -LCB- -RCB-</c>, double quotes become <c>``</c> (opening) or <c>''</c> (closing), a
/// lone <c>'</c> at a word start becomes <c>`</c>; runs of dots become <c>...</c>, runs of dashes <c>--</c>;
/// (6) lower-casing of every token (so <c>-LRB-</c> becomes <c>-lrb-</c>, which coco's list, written in upper case,
/// does not remove: coco keeps "-lrb-" tokens, and so do we); (7) removal of tokens equal to an entry of
/// <see cref="RemovedPunctuation"/>.
/// </remarks>
public static partial class PtbTokenizer
{
    /// <summary>coco-caption's <c>PUNCTUATIONS</c> list, compared case-sensitively after lower-casing.</summary>
    public static readonly IReadOnlyList<string> RemovedPunctuation =
        ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"];

    private static readonly HashSet<string> Removed = new(RemovedPunctuation, StringComparer.Ordinal);

    /// <summary>Words that keep a following period (compared lower-cased), besides letter-dot sequences such as u.s.</summary>
    public static readonly IReadOnlySet<string> Abbreviations = new HashSet<string>(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "rd", "ave", "blvd", "mt", "ft", "jr", "sr", "vs", "etc", "inc", "co",
        "corp", "ltd", "bros", "gen", "gov", "sen", "rep", "capt", "lt", "col", "sgt", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    };

    private static readonly string[] Clitics = ["n't", "'s", "'m", "'d", "'re", "'ve", "'ll"];

    private static readonly HashSet<string> Assimilations = new(StringComparer.OrdinalIgnoreCase)
    {
        "cannot", "gonna", "gotta", "wanna", "gimme", "lemme",
    };

    [GeneratedRegex(@"\G(?:(?<word>[\p{L}\p{N}]+(?:(?:[-/&']|(?<=\p{N})[.,:](?=\p{N}))[\p{L}\p{N}]+)*'?)|(?<clitic>'(?i:s|m|d|re|ve|ll)(?![\p{L}\p{N}]))|(?<dots>\.{2,})|(?<dashes>-{2,})|(?<space>\s+)|(?<other>.))", RegexOptions.Singleline)]
    private static partial Regex Scanner();

    [GeneratedRegex(@"\G(?:\p{L}\.){2,}")]
    private static partial Regex LetterDots();

    /// <summary>Tokenizes raw text the way coco-caption prepares captions: PTB tokens, lower-cased, punctuation removed.</summary>
    public static string[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>();
        foreach (var token in PtbTokens(text))
        {
            var lower = token.ToLower(CultureInfo.InvariantCulture);
            if (!Removed.Contains(lower)) result.Add(lower);
        }
        return [.. result];
    }

    /// <summary>Steps 1 to 5 only: the PTB tokens as the Java tokenizer would print them without <c>-lowerCase</c>.</summary>
    public static IReadOnlyList<string> PtbTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = Normalize(text);
        var tokens = new List<string>();
        bool openDouble = true;
        int pos = 0;
        while (pos < s.Length)
        {
            var abbrev = LetterDots().Match(s, pos);
            if (abbrev.Success)
            {
                tokens.Add(abbrev.Value);
                pos += abbrev.Length;
                continue;
            }
            var m = Scanner().Match(s, pos);
            pos += m.Length;
            if (m.Groups["space"].Success) continue;
            if (m.Groups["word"].Success)
            {
                string word = m.Value;
                if (pos < s.Length && s[pos] == '.' && (pos + 1 >= s.Length || s[pos + 1] != '.')
                    && Abbreviations.Contains(word.ToLower(CultureInfo.InvariantCulture)))
                {
                    tokens.Add(word + ".");
                    pos++;
                    continue;
                }
                AddWord(tokens, word);
            }
            else if (m.Groups["clitic"].Success) tokens.Add(m.Value);
            else if (m.Groups["dots"].Success) tokens.Add("...");
            else if (m.Groups["dashes"].Success) tokens.Add("--");
            else
            {
                char c = m.Value[0];
                switch (c)
                {
                    case '"':
                        tokens.Add(openDouble ? "``" : "''");
                        openDouble = !openDouble;
                        break;
                    case '\'':
                        bool atWordStart = pos < s.Length && char.IsLetterOrDigit(s[pos]) && (pos - 2 < 0 || char.IsWhiteSpace(s[pos - 2]));
                        tokens.Add(atWordStart ? "`" : "'");
                        break;
                    default:
                        tokens.Add(Escape(c) ?? m.Value);
                        break;
                }
            }
        }
        return tokens;
    }

    private static void AddWord(List<string> tokens, string word)
    {
        string? trailing = null;
        if (word.EndsWith('\''))
        {
            word = word[..^1];
            trailing = "'";
        }
        if (Assimilations.Contains(word))
        {
            tokens.Add(word[..3]);
            tokens.Add(word[3..]);
        }
        else
        {
            string? clitic = Clitics.FirstOrDefault(c => word.Length > c.Length && word.EndsWith(c, StringComparison.OrdinalIgnoreCase));
            if (clitic is not null)
            {
                tokens.Add(word[..^clitic.Length]);
                tokens.Add(word[^clitic.Length..]);
            }
            else tokens.Add(word);
        }
        if (trailing is not null) tokens.Add(trailing);
    }

    private static string? Escape(char c) => c switch
    {
        '(' => "-LRB-",
        ')' => "-RRB-",
        '[' => "-LSB-",
        ']' => "-RSB-",
        '{' => "-LCB-",
        '}' => "-RCB-",
        _ => null,
    };

    private static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text.Replace("&amp;", "&", StringComparison.Ordinal))
        {
            switch (c)
            {
                case '\u2018' or '\u2019' or '\u201B' or '\u2032': sb.Append('\''); break;
                case '\u201C' or '\u201D' or '\u201E' or '\u2033': sb.Append('"'); break;
                case '\u2026': sb.Append("..."); break;
                case '\u2013' or '\u2014' or '\u2015': sb.Append("--"); break;
                case '\u00A0' or '\r' or '\n' or '\t': sb.Append(' '); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
