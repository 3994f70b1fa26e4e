using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Web.Components.Shared;

/// <summary>One numeric sampling setting as the panel shows it: label, short help with range and default, and how to
/// read and write it. Ranges are checked by <see cref="SamplingSettings.Validate()"/>, the engine's own rules.</summary>
/// <param name="Name">The <see cref="SamplingSettings"/> property name (also the validation error's NarrationRejectedException.Field).</param>
/// <param name="Label">Label.</param>
/// <param name="Help">Short help: what it does, range, what turns it off.</param>
/// <param name="Step">Spin-button step.</param>
/// <param name="IsInteger">Whole numbers only.</param>
/// <param name="Get">Reads the value.</param>
/// <param name="Set">Returns settings with the value changed.</param>
public sealed record SamplingField(string Name, string Label, string Help, double Step, bool IsInteger,
    Func<SamplingSettings, double> Get, Func<SamplingSettings, double, SamplingSettings> Set);

/// <summary>A titled group of fields.</summary>
/// <param name="Title">Group title.</param>
/// <param name="Fields">Its fields.</param>
public sealed record SamplingFieldGroup(string Title, IReadOnlyList<SamplingField> Fields);

/// <summary>Every numeric engine sampling setting, grouped: the numeric rows of <see cref="SamplingSettingTable"/>
/// (the switch and the stop strings have their own controls).</summary>
public static class SamplingFields
{
    /// <summary>The groups in display order.</summary>
    public static IReadOnlyList<SamplingFieldGroup> Groups { get; } = SamplingSettingTable.All
        .Select(Field).OfType<(string Group, SamplingField Field)>()
        .GroupBy(x => x.Group).Select(g => new SamplingFieldGroup(g.Key, [.. g.Select(x => x.Field)])).ToArray();

    private static (string, SamplingField)? Field(SamplingSetting row) => row switch
    {
        SamplingSetting<float> f => (row.Group, new(row.Name, row.Label, row.Describe(), row.Step, false,
            s => Math.Round(f.Get(s), 4), (s, v) => f.With(s, (float)v))),
        SamplingSetting<int> i => (row.Group, new(row.Name, row.Label, row.Describe(), 1, true,
            s => i.Get(s), (s, v) => i.With(s, (int)Math.Clamp(Math.Round(v), int.MinValue, int.MaxValue)))),
        // Out of uint's range becomes the one refused seed, so the field shows the range error.
        SamplingSetting<uint> u => (row.Group, new(row.Name, row.Label, row.Describe(), 1, true,
            s => u.Get(s), (s, v) => u.With(s, v < 0 || v > uint.MaxValue ? uint.MaxValue : (uint)Math.Round(v)))),
        _ => null,
    };
}
