using System.CommandLine.Parsing;
using System.Globalization;

namespace VisualNarrator.LoadTest;

/// <summary>A whole-number option's allowed range, checked at parse time so that a value outside it is a parse error
/// (exit 2, one line naming the option).</summary>
public static class OptionRange
{
    /// <summary>An option validator: refuses a given value outside <paramref name="min"/>..<paramref name="max"/>
    /// (<see cref="int.MaxValue"/>: no upper bound).</summary>
    public static void Check(OptionResult result, string name, int min, int max)
    {
        // The token itself, not the converted value: a value that is no number at all is left to the conversion error.
        if (result.Tokens.Count == 0 || !int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            || (value >= min && value <= max)) return;
        result.AddError(max == int.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{name} must be {min} or more, got {value}")
            : string.Create(CultureInfo.InvariantCulture, $"{name} must be from {min} to {max}, got {value}"));
    }
}
