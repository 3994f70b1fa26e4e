using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Web.Components.Shared;

/// <summary>One numeric sampling setting as the panel shows it: label, short help with range and default, and how to
/// read and write it. Ranges are checked by <see cref="SamplingSettings.Validate"/>, the engine's own rules.</summary>
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

/// <summary>Every numeric engine sampling setting, grouped.</summary>
public static class SamplingFields
{
    private static readonly SamplingSettings D = new();

    private static SamplingField F(string name, string label, string help, double step, Func<SamplingSettings, float> get, Func<SamplingSettings, float, SamplingSettings> set) =>
        new(name, label, help, step, false, s => Math.Round(get(s), 4), (s, v) => set(s, (float)v));

    private static SamplingField I(string name, string label, string help, Func<SamplingSettings, long> get, Func<SamplingSettings, long, SamplingSettings> set) =>
        new(name, label, help, 1, true, s => get(s), (s, v) => set(s, (long)Math.Round(v)));

    private static int Int(long v) => (int)Math.Clamp(v, int.MinValue, int.MaxValue);

    /// <summary>The groups in display order.</summary>
    public static IReadOnlyList<SamplingFieldGroup> Groups { get; } =
    [
        new("Randomness",
        [
            F(nameof(SamplingSettings.Temperature), "Temperature", $"≥ 0. 0 = greedy (the same text every time); higher = more varied. Default {D.Temperature}.", 0.05, s => s.Temperature, (s, v) => s with { Temperature = v }),
            I(nameof(SamplingSettings.Seed), "Seed", $"0 to {uint.MaxValue - 1}. Same seed, settings and prompt give the same text. Default {SamplingSettings.DefaultSeed}.", s => s.Seed, (s, v) => s with { Seed = v < 0 || v > uint.MaxValue ? uint.MaxValue : (uint)v }),
        ]),
        new("Filters",
        [
            I(nameof(SamplingSettings.TopK), "Top-k", "≥ 0. Keep only the k most likely tokens; 0 = off.", s => s.TopK, (s, v) => s with { TopK = Int(v) }),
            F(nameof(SamplingSettings.TopP), "Top-p", "(0, 1]. Keep the smallest set of likely tokens reaching this probability; 1 = off.", 0.01, s => s.TopP, (s, v) => s with { TopP = v }),
            F(nameof(SamplingSettings.MinP), "Min-p", "[0, 1). Drop tokens below this fraction of the top token's probability; 0 = off.", 0.01, s => s.MinP, (s, v) => s with { MinP = v }),
            F(nameof(SamplingSettings.TypicalP), "Typical-p", "(0, 1]. Locally typical sampling; 1 = off.", 0.01, s => s.TypicalP, (s, v) => s with { TypicalP = v }),
        ]),
        new("Repetition",
        [
            F(nameof(SamplingSettings.RepetitionPenalty), "Repetition penalty", "> 0. Penalises tokens already in the prompt or narration (HuggingFace); 1 = off, seed model 1.8.", 0.05, s => s.RepetitionPenalty, (s, v) => s with { RepetitionPenalty = v }),
            I(nameof(SamplingSettings.NoRepeatNgramSize), "No-repeat n-gram", "≥ 0. Never repeat an n-gram of this size; 0 = off, seed model 3.", s => s.NoRepeatNgramSize, (s, v) => s with { NoRepeatNgramSize = Int(v) }),
            I(nameof(SamplingSettings.PenaltyLastN), "Penalty window", "≥ -1. Tokens the penalties look back over; -1 = all, 0 = penalties off.", s => s.PenaltyLastN, (s, v) => s with { PenaltyLastN = Int(v) }),
            F(nameof(SamplingSettings.PresencePenalty), "Presence penalty", "[-2, 2]. Subtracted once from every token already used; 0 = off.", 0.1, s => s.PresencePenalty, (s, v) => s with { PresencePenalty = v }),
            F(nameof(SamplingSettings.FrequencyPenalty), "Frequency penalty", "[-2, 2]. Subtracted per earlier use of a token; 0 = off.", 0.1, s => s.FrequencyPenalty, (s, v) => s with { FrequencyPenalty = v }),
        ]),
        new("XTC and Mirostat",
        [
            F(nameof(SamplingSettings.XtcProbability), "XTC probability", "[0, 1]. Chance per token of excluding the top choices; 0 = off.", 0.05, s => s.XtcProbability, (s, v) => s with { XtcProbability = v }),
            F(nameof(SamplingSettings.XtcThreshold), "XTC threshold", $"[0, 0.5]. Probability a choice needs for XTC to exclude it. Default {D.XtcThreshold}.", 0.01, s => s.XtcThreshold, (s, v) => s with { XtcThreshold = v }),
            I(nameof(SamplingSettings.Mirostat), "Mirostat", "0 = off, 2 = Mirostat v2 (replaces the filters).", s => s.Mirostat, (s, v) => s with { Mirostat = Int(v) }),
            F(nameof(SamplingSettings.MirostatTau), "Mirostat tau", $"> 0. Target surprise in bits. Default {D.MirostatTau}.", 0.5, s => s.MirostatTau, (s, v) => s with { MirostatTau = v }),
            F(nameof(SamplingSettings.MirostatEta), "Mirostat eta", $"(0, 1]. Learning rate. Default {D.MirostatEta}.", 0.01, s => s.MirostatEta, (s, v) => s with { MirostatEta = v }),
        ]),
        new("Length",
        [
            I(nameof(SamplingSettings.MaxNewTokens), "Max new tokens", $"≥ 1 (and at most the server's limit). Default {D.MaxNewTokens}.", s => s.MaxNewTokens, (s, v) => s with { MaxNewTokens = Int(v) }),
        ]),
    ];
}
