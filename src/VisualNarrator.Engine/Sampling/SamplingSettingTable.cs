namespace VisualNarrator.Engine.Sampling;

/// <summary>
/// Every sampling knob, once: its <see cref="SamplingSettings"/> property, API field names and aliases, CLI option and
/// alias, allowed range, studio label and help. <see cref="SamplingSettings.Validate()"/>, the web API's parsing, the
/// CLI's options and the studio's sampling panel are all built from these rows; the defaults are
/// <see cref="SamplingSettings"/>' own initial values and the named presets are in <see cref="SamplingPresetTable"/>.
/// </summary>
/// <remarks>Rows are in the studio's order (grouped); the CLI lists its options and validation checks in the same
/// order.</remarks>
public static class SamplingSettingTable
{
    private const string Randomness = "Randomness", Filters = "Filters", Repetition = "Repetition", XtcMirostat = "XTC and Mirostat", Length = "Length";

    /// <summary>Softmax temperature.</summary>
    public static SamplingSetting<float> Temperature { get; } = new(nameof(SamplingSettings.Temperature), "temperature", Randomness, "Temperature",
        ["temperature"], ["--temperature", "--temp"], ">= 0 (0 = greedy)",
        "Higher = more varied; 0 = greedy (the same text every time).", 0.05,
        s => s.Temperature, (s, v) => s with { Temperature = v }, v => float.IsFinite(v) && v >= 0);

    /// <summary>Seed of the random draws.</summary>
    public static SamplingSetting<uint> Seed { get; } = new(nameof(SamplingSettings.Seed), "seed", Randomness, "Seed",
        ["seed"], ["--seed", "-s"], $"[0, {uint.MaxValue - 1}] ({uint.MaxValue} is llama.cpp's random-seed marker)",
        "Same seed, settings and prompt give the same text.", 1,
        s => s.Seed, (s, v) => s with { Seed = v }, v => v != uint.MaxValue);

    /// <summary>Top-k filter.</summary>
    public static SamplingSetting<int> TopK { get; } = new(nameof(SamplingSettings.TopK), "top_k", Filters, "Top-k",
        ["top_k"], ["--top-k"], ">= 0 (0 = off)",
        "Keep only the k most likely tokens.", 1,
        s => s.TopK, (s, v) => s with { TopK = v }, v => v >= 0);

    /// <summary>Nucleus (top-p) filter.</summary>
    public static SamplingSetting<float> TopP { get; } = new(nameof(SamplingSettings.TopP), "top_p", Filters, "Top-p",
        ["top_p"], ["--top-p"], "(0, 1] (1 = off)",
        "Keep the smallest set of likely tokens reaching this probability.", 0.01,
        s => s.TopP, (s, v) => s with { TopP = v }, v => v > 0 && v <= 1);

    /// <summary>Min-p filter.</summary>
    public static SamplingSetting<float> MinP { get; } = new(nameof(SamplingSettings.MinP), "min_p", Filters, "Min-p",
        ["min_p"], ["--min-p"], "[0, 1) (0 = off)",
        "Drop tokens below this fraction of the top token's probability.", 0.01,
        s => s.MinP, (s, v) => s with { MinP = v }, v => v >= 0 && v < 1);

    /// <summary>Locally typical sampling.</summary>
    public static SamplingSetting<float> TypicalP { get; } = new(nameof(SamplingSettings.TypicalP), "typical_p", Filters, "Typical-p",
        ["typical_p"], ["--typical-p"], "(0, 1] (1 = off)",
        "Locally typical sampling: keep tokens of about the expected surprise up to this mass.", 0.01,
        s => s.TypicalP, (s, v) => s with { TypicalP = v }, v => v > 0 && v <= 1);

    /// <summary>HuggingFace repetition penalty.</summary>
    public static SamplingSetting<float> RepetitionPenalty { get; } = new(nameof(SamplingSettings.RepetitionPenalty), "repetition_penalty", Repetition, "Repetition penalty",
        ["repetition_penalty", "repeat_penalty"], ["--repetition-penalty", "--repeat-penalty"], "> 0 (1 = off)",
        "Penalises tokens already in the prompt or narration (HuggingFace); the seed model used 1.8.", 0.05,
        s => s.RepetitionPenalty, (s, v) => s with { RepetitionPenalty = v }, v => float.IsFinite(v) && v > 0);

    /// <summary>HuggingFace no-repeat n-gram ban.</summary>
    public static SamplingSetting<int> NoRepeatNgramSize { get; } = new(nameof(SamplingSettings.NoRepeatNgramSize), "no_repeat_ngram_size", Repetition, "No-repeat n-gram",
        ["no_repeat_ngram_size"], ["--no-repeat-ngram-size"], ">= 0 (0 = off)",
        "Never repeat an n-gram of this size; the seed model used 3.", 1,
        s => s.NoRepeatNgramSize, (s, v) => s with { NoRepeatNgramSize = v }, v => v >= 0);

    /// <summary>Window of the repetition, presence and frequency penalties.</summary>
    public static SamplingSetting<int> PenaltyLastN { get; } = new(nameof(SamplingSettings.PenaltyLastN), "penalty_last_n", Repetition, "Penalty window",
        ["repeat_last_n", "penalty_last_n"], ["--penalty-last-n", "--repeat-last-n"], ">= -1 (-1 = whole context, 0 = off)",
        "How many recent tokens the penalties look back over.", 1,
        s => s.PenaltyLastN, (s, v) => s with { PenaltyLastN = v }, v => v >= -1);

    /// <summary>OpenAI presence penalty.</summary>
    public static SamplingSetting<float> PresencePenalty { get; } = new(nameof(SamplingSettings.PresencePenalty), "presence_penalty", Repetition, "Presence penalty",
        ["presence_penalty"], ["--presence-penalty"], "[-2, 2] (0 = off)",
        "Subtracted once from every token already used (OpenAI).", 0.1,
        s => s.PresencePenalty, (s, v) => s with { PresencePenalty = v }, v => v >= -2 && v <= 2);

    /// <summary>OpenAI frequency penalty.</summary>
    public static SamplingSetting<float> FrequencyPenalty { get; } = new(nameof(SamplingSettings.FrequencyPenalty), "frequency_penalty", Repetition, "Frequency penalty",
        ["frequency_penalty"], ["--frequency-penalty"], "[-2, 2] (0 = off)",
        "Subtracted per earlier use of a token (OpenAI).", 0.1,
        s => s.FrequencyPenalty, (s, v) => s with { FrequencyPenalty = v }, v => v >= -2 && v <= 2);

    /// <summary>Whether the penalties count the prompt's tokens.</summary>
    public static SamplingSetting<bool> PenalizePrompt { get; } = new(nameof(SamplingSettings.PenalizePrompt), "penalize_prompt", Repetition, "Penalise the prompt's words too",
        ["penalize_prompt"], ["--penalize-prompt"], "true or false",
        "On (true): the penalties and the n-gram ban also count the prompt (HuggingFace, as the seed model ran), which pushes the narration away from the scene's own words. Off (false): generated tokens only (llama.cpp).", 1,
        s => s.PenalizePrompt, (s, v) => s with { PenalizePrompt = v }, _ => true);

    /// <summary>Bias toward the scene's own words.</summary>
    public static SamplingSetting<float> SceneWordBias { get; } = new(nameof(SamplingSettings.SceneWordBias), "scene_word_bias", Repetition, "Scene-word bias",
        ["scene_word_bias"], ["--scene-word-bias"], "[0, 20] (0 = off)",
        "Added to the logit of the scene's next word not yet said, and of the token that finishes a scene word once started, so the narration names what the scene says.", 0.5,
        s => s.SceneWordBias, (s, v) => s with { SceneWordBias = v }, v => v >= 0 && v <= 20);

    /// <summary>Keep every generated word a word.</summary>
    public static SamplingSetting<bool> WordGuard { get; } = new(nameof(SamplingSettings.WordGuard), "word_guard", Repetition, "Word guard",
        ["word_guard"], ["--word-guard"], "true or false",
        "On (true): every word of the narration is an English word (American or British spelling) or a word of the prompt; a token that would break a word is redrawn. Off (false): the model's own spelling.", 1,
        s => s.WordGuard, (s, v) => s with { WordGuard = v }, _ => true);

    /// <summary>Open and end whole sentences.</summary>
    public static SamplingSetting<bool> WholeSentences { get; } = new(nameof(SamplingSettings.WholeSentences), "whole_sentences", Length, "Whole sentences",
        ["whole_sentences"], ["--whole-sentences"], "true or false",
        "On (true): the narration starts with a capital letter or digit and may end only after a full stop, question or exclamation mark (the token limit still cuts). Off (false): wherever the model starts and ends it.", 1,
        s => s.WholeSentences, (s, v) => s with { WholeSentences = v }, _ => true);

    /// <summary>XTC chance.</summary>
    public static SamplingSetting<float> XtcProbability { get; } = new(nameof(SamplingSettings.XtcProbability), "xtc_probability", XtcMirostat, "XTC probability",
        ["xtc_probability"], ["--xtc-probability"], "[0, 1] (0 = off)",
        "Chance per token of excluding the top choices (XTC).", 0.05,
        s => s.XtcProbability, (s, v) => s with { XtcProbability = v }, v => v >= 0 && v <= 1);

    /// <summary>XTC threshold.</summary>
    public static SamplingSetting<float> XtcThreshold { get; } = new(nameof(SamplingSettings.XtcThreshold), "xtc_threshold", XtcMirostat, "XTC threshold",
        ["xtc_threshold"], ["--xtc-threshold"], "[0, 0.5]",
        "Probability a choice needs for XTC to exclude it.", 0.01,
        s => s.XtcThreshold, (s, v) => s with { XtcThreshold = v }, v => v >= 0 && v <= 0.5f);

    /// <summary>Mirostat version.</summary>
    public static SamplingSetting<int> Mirostat { get; } = new(nameof(SamplingSettings.Mirostat), "mirostat", XtcMirostat, "Mirostat",
        ["mirostat"], ["--mirostat"], "0 (off) or 2 (mirostat v2)",
        "Mirostat v2 replaces the filters and steers toward a target surprise.", 1,
        s => s.Mirostat, (s, v) => s with { Mirostat = v }, v => v is 0 or 2);

    /// <summary>Mirostat target surprise.</summary>
    public static SamplingSetting<float> MirostatTau { get; } = new(nameof(SamplingSettings.MirostatTau), "mirostat_tau", XtcMirostat, "Mirostat tau",
        ["mirostat_tau"], ["--mirostat-tau"], "> 0",
        "Mirostat's target surprise in bits.", 0.5,
        s => s.MirostatTau, (s, v) => s with { MirostatTau = v }, v => float.IsFinite(v) && v > 0);

    /// <summary>Mirostat learning rate.</summary>
    public static SamplingSetting<float> MirostatEta { get; } = new(nameof(SamplingSettings.MirostatEta), "mirostat_eta", XtcMirostat, "Mirostat eta",
        ["mirostat_eta"], ["--mirostat-eta"], "(0, 1]",
        "Mirostat's learning rate.", 0.01,
        s => s.MirostatEta, (s, v) => s with { MirostatEta = v }, v => v > 0 && v <= 1);

    /// <summary>Most generated tokens.</summary>
    public static SamplingSetting<int> MaxNewTokens { get; } = new(nameof(SamplingSettings.MaxNewTokens), "max_new_tokens", Length, "Max new tokens",
        ["max_tokens", "max_completion_tokens", "n_predict"], ["--max-new-tokens", "-n"], ">= 1",
        "Most tokens to generate.", 1,
        s => s.MaxNewTokens, (s, v) => s with { MaxNewTokens = v }, v => v >= 1);

    /// <summary>Window in which the narration is drawn to a close.</summary>
    public static SamplingSetting<int> WrapUpTokens { get; } = new(nameof(SamplingSettings.WrapUpTokens), "wrap_up_tokens", Length, "Wrap-up window",
        ["wrap_up_tokens"], ["--wrap-up-tokens"], ">= 0 (0 = off)",
        "Over the last this many tokens of the limit, a growing pull toward a full stop and then the end, so the narration ends on a finished sentence instead of being cut.", 1,
        s => s.WrapUpTokens, (s, v) => s with { WrapUpTokens = v }, v => v >= 0);

    /// <summary>Stop strings.</summary>
    public static SamplingSetting<IReadOnlyList<string>> StopStrings { get; } = new(nameof(SamplingSettings.StopStrings), "stop", Length, "Stop strings",
        ["stop"], ["--stop"], $"at most {SamplingSettings.MaxStopStrings} non-empty strings of at most {SamplingSettings.MaxStopStringLength} characters",
        "Text that ends the narration before it is emitted.",
        s => s.StopStrings, (s, v) => s with { StopStrings = v }, StopProblem);

    /// <summary>Every row, in the studio's order.</summary>
    public static IReadOnlyList<SamplingSetting> All { get; } =
    [
        Temperature, Seed, TopK, TopP, MinP, TypicalP, RepetitionPenalty, NoRepeatNgramSize, PenaltyLastN, PresencePenalty,
        FrequencyPenalty, PenalizePrompt, SceneWordBias, WordGuard, XtcProbability, XtcThreshold, Mirostat, MirostatTau, MirostatEta, MaxNewTokens, WrapUpTokens, WholeSentences, StopStrings,
    ];

    /// <summary>Rows by <see cref="SamplingSetting.Name"/> (the <see cref="SamplingSettings"/> property).</summary>
    public static IReadOnlyDictionary<string, SamplingSetting> ByName { get; } = All.ToDictionary(r => r.Name, StringComparer.Ordinal);

    /// <summary>Checks every row.</summary>
    /// <exception cref="Serving.NarrationRejectedException">The first field out of range, named.</exception>
    public static void Validate(SamplingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var row in All) row.Check(settings);
    }

    /// <summary>True when both settings hold the same value in every row (stop strings compared by content, which
    /// record equality does not do for lists).</summary>
    public static bool SameValues(SamplingSettings a, SamplingSettings b) => All.All(r => r.SameIn(a, b));

    private static string? StopProblem(SamplingSetting<IReadOnlyList<string>> row, IReadOnlyList<string> stops)
    {
        var name = row.Name;
        if (stops is null) return $"{name} must be a list (possibly empty), not null.";
        if (stops.Count > SamplingSettings.MaxStopStrings)
            return $"{name} has {stops.Count} entries; at most {SamplingSettings.MaxStopStrings} are allowed.";
        for (var i = 0; i < stops.Count; i++)
        {
            if (string.IsNullOrEmpty(stops[i])) return $"{name}[{i}] is empty; every stop string must be non-empty.";
            if (stops[i].Length > SamplingSettings.MaxStopStringLength)
                return $"{name}[{i}] has {stops[i].Length} characters; a stop string may have at most {SamplingSettings.MaxStopStringLength}.";
        }
        return null;
    }
}
