using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Testing;

/// <summary>A valid, non-default value for every row of <see cref="SamplingSettingTable"/>, shared by the table's own
/// tests and the CLI's and API's parsing tests.</summary>
public static class SamplingSamples
{
    /// <summary>A valid value for every row that differs from the Narrator preset's (the CLI's and API's default).</summary>
    public static readonly IReadOnlyDictionary<string, object> Values = new Dictionary<string, object>
    {
        ["Temperature"] = 0.7f, ["Seed"] = 1234u, ["TopK"] = 7, ["TopP"] = 0.8f, ["MinP"] = 0.05f, ["TypicalP"] = 0.9f,
        ["RepetitionPenalty"] = 1.3f, ["NoRepeatNgramSize"] = 4, ["PenaltyLastN"] = 64, ["PresencePenalty"] = 0.5f,
        ["FrequencyPenalty"] = -0.5f, ["PenalizePrompt"] = true, ["SceneWordBias"] = 4f, ["WordGuard"] = false, ["XtcProbability"] = 0.3f, ["XtcThreshold"] = 0.2f,
        ["Mirostat"] = 2, ["MirostatTau"] = 3f, ["MirostatEta"] = 0.2f, ["MaxNewTokens"] = 12, ["WrapUpTokens"] = 8, ["WholeSentences"] = false, ["StopStrings"] = new[] { "." },
    };

    /// <summary>Sets a row's value through its typed with-er.</summary>
    public static SamplingSettings Set(SamplingSetting row, SamplingSettings s, object value) => row switch
    {
        SamplingSetting<float> f => f.With(s, (float)value),
        SamplingSetting<int> i => i.With(s, (int)value),
        SamplingSetting<uint> u => u.With(s, (uint)value),
        SamplingSetting<bool> b => b.With(s, (bool)value),
        SamplingSetting<IReadOnlyList<string>> l => l.With(s, (IReadOnlyList<string>)value),
        _ => throw new NotSupportedException(row.Name),
    };
}
