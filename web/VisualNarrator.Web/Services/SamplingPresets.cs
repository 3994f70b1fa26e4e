using System.Text.Json;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Services;

/// <summary>A named set of sampling settings.</summary>
/// <param name="Name">Shown in the preset list.</param>
/// <param name="Settings">The settings.</param>
/// <param name="BuiltIn">True for the presets that ship with the app (cannot be deleted or overwritten).</param>
public sealed record SamplingPreset(string Name, SamplingSettings Settings, bool BuiltIn = false);

/// <summary>The built-in presets and the JSON format of exported user presets.</summary>
public static class SamplingPresets
{
    /// <summary>Format marker of an export file.</summary>
    public const string Format = "visual-narrator-presets/1";

    /// <summary>The presets that ship with the app (<see cref="SamplingPresetTable.All"/>, by their labels).</summary>
    public static IReadOnlyList<SamplingPreset> BuiltIn { get; } =
        [.. SamplingPresetTable.All.Select(p => new SamplingPreset(p.Label, p.Settings, true))];

    /// <summary>Exports user presets as indented JSON: <c>{"format": ..., "presets": [{"name", "settings"}]}</c>.</summary>
    public static string Export(IEnumerable<SamplingPreset> presets) => JsonSerializer.Serialize(
        new ExportFile(Format, presets.Where(p => !p.BuiltIn).Select(p => new ExportedPreset(p.Name, p.Settings)).ToList()),
        new JsonSerializerOptions(BrowserStorage.Json) { WriteIndented = true });

    /// <summary>Parses an export file; every preset must have a name and valid settings.</summary>
    /// <exception cref="FormatException">The text is not such a file; the message says what is wrong.</exception>
    public static IReadOnlyList<SamplingPreset> Import(string json)
    {
        ExportFile? file;
        try { file = JsonSerializer.Deserialize<ExportFile>(json, BrowserStorage.Json); }
        catch (JsonException ex) { throw new FormatException($"not a presets file: {ex.Message}"); }
        if (file?.Presets is null) throw new FormatException("not a presets file: no \"presets\" list");
        var result = new List<SamplingPreset>();
        foreach (var p in file.Presets)
        {
            if (string.IsNullOrWhiteSpace(p.Name)) throw new FormatException("a preset has no name");
            if (p.Settings is null) throw new FormatException($"preset '{p.Name}' has no settings");
            try { p.Settings.Validate(); }
            catch (NarrationRejectedException ex) { throw new FormatException($"preset '{p.Name}': {ex.Message}"); }
            result.Add(new SamplingPreset(p.Name.Trim(), p.Settings));
        }
        return result;
    }

    /// <summary>Stored form of user presets (also the export file).</summary>
    /// <param name="Format">Format marker.</param>
    /// <param name="Presets">The presets.</param>
    public sealed record ExportFile(string? Format, List<ExportedPreset>? Presets);

    /// <summary>One stored preset.</summary>
    /// <param name="Name">Name.</param>
    /// <param name="Settings">Settings.</param>
    public sealed record ExportedPreset(string? Name, SamplingSettings? Settings);
}
