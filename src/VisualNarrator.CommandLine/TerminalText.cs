using System.Globalization;
using System.Text;

namespace VisualNarrator.CommandLine;

/// <summary>Makes text from files or users safe to print on a terminal: control characters (ESC, BEL, backspace,
/// carriage return, C1 controls, bidirectional overrides...) are shown as escapes instead of acting on the terminal.</summary>
public static class TerminalText
{
    /// <summary>Returns <paramref name="text"/> with every control or bidi-formatting character written as \xNN or
    /// \uNNNN (and a backslash that could be mistaken for one left as is); tab and newline become \t and \n unless
    /// <paramref name="keepNewlines"/> keeps newlines.</summary>
    public static string Escape(string? text, bool keepNewlines = false)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var clean = true;
        foreach (var c in text)
            if (NeedsEscape(c, keepNewlines)) { clean = false; break; }
        if (clean) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!NeedsEscape(c, keepNewlines)) { sb.Append(c); continue; }
            sb.Append(c switch
            {
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when c <= 0xFF => "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture),
                _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            });
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c, bool keepNewlines) =>
        (c == '\n' && !keepNewlines) || (c != '\n' && char.IsControl(c)) || IsBidiControl(c);

    // Bidirectional overrides and isolates reorder what follows them on screen (the "Trojan Source" trick).
    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';
}
