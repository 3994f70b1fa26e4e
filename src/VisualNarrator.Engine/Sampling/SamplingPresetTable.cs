namespace VisualNarrator.Engine.Sampling;

/// <summary>A named preset that ships with the product.</summary>
/// <param name="Name">Key the CLI (<c>--preset</c>) and the API (<c>preset</c>) take, e.g. <c>seed</c>.</param>
/// <param name="Label">Name the studio shows, e.g. <c>Seed model</c>.</param>
/// <param name="Description">What it is, for help texts.</param>
/// <param name="Settings">The settings.</param>
public sealed record BuiltInPreset(string Name, string Label, string Description, SamplingSettings Settings);

/// <summary>The named sampling presets, once: the CLI's <c>--preset</c>, the API's <c>preset</c> and the studio's
/// built-in presets all list <see cref="All"/>.</summary>
public static class SamplingPresetTable
{
    /// <summary>The preset used when none is named: <see cref="Narrator"/>.</summary>
    public const string DefaultName = "narrator";

    /// <summary>The seed model's published generation settings: HuggingFace <c>do_sample</c> at temperature 0.4,
    /// repetition penalty 1.8, no-repeat 3-grams, 80 new tokens. Top-k is 50 because that is HuggingFace's default
    /// when sampling and the seed model did not override it.</summary>
    public static SamplingSettings SeedModel { get; } = new()
    {
        Temperature = 0.4f,
        TopK = 50,
        RepetitionPenalty = 1.8f,
        NoRepeatNgramSize = 3,
        MaxNewTokens = 80,
    };

    /// <summary>The product's default: the seed model's settings with the history penalties and the n-gram ban on the
    /// generated tokens only (llama.cpp's way), so the narration may name the scene's own words; a scene-word bias of 10
    /// so it does name them, and writes them whole (chosen on a validation draw: bias 0, 2, 4, 5, 7, 10, 15 gave scene
    /// recall 0.69 to 0.996; 15 began to break well-formed starts); the word guard, so a rare scene word said again
    /// comes out whole rather than as a look-alike; and up to 120 new tokens, so a long scene's paragraph can
    /// end.</summary>
    public static SamplingSettings Narrator { get; } = SeedModel with { PenalizePrompt = false, SceneWordBias = 10, WordGuard = true, WholeSentences = true, WrapUpTokens = 16, MaxNewTokens = 120 };

    /// <summary>Plain greedy decoding: argmax of the raw logits, no penalties, 80 new tokens.</summary>
    public static SamplingSettings Greedy { get; } = new() { Temperature = 0 };

    /// <summary>Livelier narrations: temperature 0.9 with top-k 50 and top-p 0.95 to cut the long tail (the usual
    /// HuggingFace pairing), a mild repetition penalty 1.15 (the seed's 1.8 distorts wording at higher temperature) and
    /// no-repeat 3-grams, which stop the loops small OPT models fall into.</summary>
    public static SamplingSettings Creative { get; } = new()
    {
        Temperature = 0.9f,
        TopK = 50,
        TopP = 0.95f,
        RepetitionPenalty = 1.15f,
        NoRepeatNgramSize = 3,
    };

    /// <summary>Every built-in preset, the default first.</summary>
    public static IReadOnlyList<BuiltInPreset> All { get; } =
    [
        new(DefaultName, "Narrator", "the seed model's settings with penalties on generated tokens only, scene-word bias 10, word guard, up to 120 tokens", Narrator),
        new("seed", "Seed model", "the seed model's exactly: temperature 0.4, repetition penalty 1.8 and no-repeat 3-grams over prompt and output, 80 tokens", SeedModel),
        new("greedy", "Greedy", "the most likely token every step, no penalties", Greedy),
        new("creative", "Creative", "temperature 0.9, top-k 50, top-p 0.95, repetition penalty 1.15, no-repeat 3-grams", Creative),
    ];

    /// <summary>Presets by <see cref="BuiltInPreset.Name"/> (case-insensitive), the default first.</summary>
    public static IReadOnlyDictionary<string, SamplingSettings> ByName { get; } =
        All.ToDictionary(p => p.Name, p => p.Settings, StringComparer.OrdinalIgnoreCase);

    /// <summary>The preset of that name.</summary>
    /// <param name="name">A <see cref="BuiltInPreset.Name"/>.</param>
    /// <param name="field">How the caller's surface names the preset field (<c>--preset</c>, <c>preset</c>).</param>
    /// <exception cref="Serving.NarrationRejectedException">No preset has that name; the message lists them.</exception>
    public static SamplingSettings Get(string name, string field) =>
        ByName.TryGetValue(name, out var s) ? s
            : throw new Serving.NarrationRejectedException(field, $"{field} must be one of {string.Join(", ", ByName.Keys)}, got '{name}'");
}
