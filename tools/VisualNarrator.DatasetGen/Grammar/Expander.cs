using System.Text;
using System.Text.RegularExpressions;

namespace VisualNarrator.DatasetGen.Grammar;

/// <summary>
/// Expands templates: <c>{a|b|c}</c> picks one alternative (alternatives may be empty and may nest),
/// <c>{$name}</c> inserts a variable (itself expanded, so a variable can be a pool such as a colour list),
/// <c>{s:singular|plural}</c> agrees with the subject's number. Anything else is literal text.
/// </summary>
internal sealed partial class Expander(Rng rng, Dictionary<string, string> vars, bool plural)
{
    public Dictionary<string, string> Vars { get; } = vars;

    public string Expand(string template)
    {
        var sb = new StringBuilder(template.Length + 16);
        Append(template, sb, 0);
        return sb.ToString();
    }

    private void Append(string t, StringBuilder sb, int depth)
    {
        if (depth > 32) throw new InvalidOperationException($"template nests too deeply (a variable refers to itself?): '{t}'");
        for (int i = 0; i < t.Length; i++)
        {
            char ch = t[i];
            if (ch == '}') throw new FormatException($"unbalanced '}}' in '{t}'");
            if (ch != '{')
            {
                sb.Append(ch);
                continue;
            }
            int close = Matching(t, i);
            string body = t[(i + 1)..close];
            if (body.StartsWith('$'))
            {
                string name = body[1..];
                if (!Vars.TryGetValue(name, out var value)) throw new KeyNotFoundException($"template variable '{name}' is not set (in '{t}')");
                Append(value, sb, depth + 1);
            }
            else if (body.StartsWith("s:", StringComparison.Ordinal))
            {
                var parts = SplitTop(body[2..]);
                if (parts.Count != 2) throw new FormatException($"{{s:singular|plural}} needs two forms in '{t}'");
                Append(plural ? parts[1] : parts[0], sb, depth + 1);
            }
            else
            {
                Append(rng.Pick(SplitTop(body)), sb, depth + 1);
            }
            i = close;
        }
    }

    private static int Matching(string t, int open)
    {
        int depth = 0;
        for (int j = open; j < t.Length; j++)
        {
            if (t[j] == '{') depth++;
            else if (t[j] == '}' && --depth == 0) return j;
        }
        throw new FormatException($"unbalanced '{{' in '{t}'");
    }

    /// <summary>Splits on '|' outside nested braces.</summary>
    private static List<string> SplitTop(string body)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int j = 0; j < body.Length; j++)
        {
            if (body[j] == '{') depth++;
            else if (body[j] == '}') depth--;
            else if (body[j] == '|' && depth == 0)
            {
                parts.Add(body[start..j]);
                start = j + 1;
            }
        }
        parts.Add(body[start..]);
        return parts;
    }

    [GeneratedRegex(@" {2,}")]
    private static partial Regex Spaces();

    [GeneratedRegex(@" +([,.;:])")]
    private static partial Regex SpaceBeforePunctuation();

    [GeneratedRegex(@"\b([Aa])n? ([A-Za-z][\w-]*)")]
    private static partial Regex Article();

    /// <summary>Tidies one expanded sentence: single spaces, no space before punctuation, a capital first letter and
    /// a full stop at the end, "a"/"an" chosen by the next word's sound.</summary>
    public static string Sentence(string text)
    {
        text = SpaceBeforePunctuation().Replace(Spaces().Replace(text.Trim(), " "), "$1");
        text = FixArticles(text);
        if (text.Length == 0) return text;
        text = char.ToUpperInvariant(text[0]) + text[1..];
        if (!text.EndsWith('.')) text += ".";
        return text;
    }

    public static string FixArticles(string text) => Article().Replace(text, m =>
    {
        string next = m.Groups[2].Value;
        bool an = TakesAn(next);
        string article = m.Groups[1].Value + (an ? "n" : "");
        return $"{article} {next}";
    });

    private static bool TakesAn(string word)
    {
        string w = word.ToLowerInvariant();
        if (w.StartsWith("hour", StringComparison.Ordinal) || w.StartsWith("honest", StringComparison.Ordinal)) return true;
        if ("aeiou".IndexOf(w[0]) < 0) return false;
        foreach (var p in (string[])["uni", "use", "usu", "one", "once", "eu", "ut", "ure"])
            if (w.StartsWith(p, StringComparison.Ordinal)) return false;
        return true;
    }
}
