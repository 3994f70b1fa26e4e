namespace VisualNarrator.Engine.Sampling;

/// <summary>The named sampling presets that the CLI (<c>--preset</c>) and the API (<c>preset</c>) start from.</summary>
public static class SamplingPresetTable
{
    /// <summary>The preset used when none is named: <see cref="Narrator"/>.</summary>
    public const string DefaultName = "narrator";

    /// <summary>The product's default: the seed model's settings with the history penalties and the n-gram ban on the
    /// generated tokens only (llama.cpp's way), so the narration may name the scene's own words.</summary>
    public static SamplingSettings Narrator { get; } = SamplingSettings.SeedModel with { PenalizePrompt = false };

    /// <summary>Presets by name, the default first.</summary>
    public static IReadOnlyDictionary<string, SamplingSettings> ByName { get; } = new Dictionary<string, SamplingSettings>(StringComparer.OrdinalIgnoreCase)
    {
        [DefaultName] = Narrator,
        ["seed"] = SamplingSettings.SeedModel,
        ["greedy"] = SamplingSettings.Greedy,
        ["creative"] = SamplingSettings.Creative,
    };

    /// <summary>The preset of that name.</summary>
    /// <exception cref="Serving.NarrationRejectedException">No preset has that name; the message lists them.</exception>
    public static SamplingSettings Get(string name, string field) =>
        ByName.TryGetValue(name, out var s) ? s
            : throw new Serving.NarrationRejectedException(field, $"{field} must be one of {string.Join(", ", ByName.Keys)}, got '{name}'");
}
