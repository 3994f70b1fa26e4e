using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Engine.Tests.Sampling;

public class SamplingSettingsTests
{
    [Fact]
    public void Defaults_are_neutral_and_valid()
    {
        var s = new SamplingSettings().Validate();
        Assert.Equal(1f, s.Temperature);
        Assert.Equal(0, s.TopK);
        Assert.Equal(1f, s.TopP);
        Assert.Equal(0f, s.MinP);
        Assert.Equal(1f, s.TypicalP);
        Assert.Equal(1f, s.RepetitionPenalty);
        Assert.Equal(-1, s.PenaltyLastN);
        Assert.Equal(0, s.NoRepeatNgramSize);
        Assert.Equal(0, s.Mirostat);
        Assert.Equal(SamplingSettings.DefaultSeed, s.Seed);
        Assert.Empty(s.StopStrings);
        Assert.True(s.DoSample);
    }

    [Fact]
    public void Presets_are_valid_and_match_their_documentation()
    {
        var seed = SamplingSettings.SeedModel.Validate();
        Assert.Equal((0.4f, 1.8f, 3, 80, true, 50), (seed.Temperature, seed.RepetitionPenalty, seed.NoRepeatNgramSize, seed.MaxNewTokens, seed.DoSample, seed.TopK));
        var greedy = SamplingSettings.Greedy.Validate();
        Assert.False(greedy.DoSample);
        Assert.Equal(1f, greedy.RepetitionPenalty);
        var creative = SamplingSettings.Creative.Validate();
        Assert.Equal((0.9f, 0.95f, 50, 1.15f, 3), (creative.Temperature, creative.TopP, creative.TopK, creative.RepetitionPenalty, creative.NoRepeatNgramSize));
    }

    public static TheoryData<SamplingSettings, string, string> Invalid => new()
    {
        { new() { Temperature = -0.1f }, "Temperature", ">= 0" },
        { new() { Temperature = float.NaN }, "Temperature", ">= 0" },
        { new() { TopK = -1 }, "TopK", ">= 0" },
        { new() { TopP = 0 }, "TopP", "(0, 1]" },
        { new() { TopP = 1.01f }, "TopP", "(0, 1]" },
        { new() { MinP = 1 }, "MinP", "[0, 1)" },
        { new() { MinP = -0.01f }, "MinP", "[0, 1)" },
        { new() { TypicalP = 0 }, "TypicalP", "(0, 1]" },
        { new() { RepetitionPenalty = 0 }, "RepetitionPenalty", "> 0" },
        { new() { RepetitionPenalty = float.PositiveInfinity }, "RepetitionPenalty", "> 0" },
        { new() { PenaltyLastN = -2 }, "PenaltyLastN", ">= -1" },
        { new() { PresencePenalty = 2.5f }, "PresencePenalty", "[-2, 2]" },
        { new() { FrequencyPenalty = -3f }, "FrequencyPenalty", "[-2, 2]" },
        { new() { NoRepeatNgramSize = -1 }, "NoRepeatNgramSize", ">= 0" },
        { new() { SceneWordBias = -0.5f }, "SceneWordBias", "[0, 20]" },
        { new() { SceneWordBias = 20.5f }, "SceneWordBias", "[0, 20]" },
        { new() { SceneWordBias = float.NaN }, "SceneWordBias", "[0, 20]" },
        { new() { XtcProbability = 1.5f }, "XtcProbability", "[0, 1]" },
        { new() { XtcThreshold = 0.6f }, "XtcThreshold", "[0, 0.5]" },
        { new() { Mirostat = 1 }, "Mirostat", "0 (off) or 2" },
        { new() { MirostatTau = 0 }, "MirostatTau", "> 0" },
        { new() { MirostatEta = 1.5f }, "MirostatEta", "(0, 1]" },
        { new() { Seed = uint.MaxValue }, "Seed", "random-seed marker" },
        { new() { MaxNewTokens = 0 }, "MaxNewTokens", ">= 1" },
        { new() { WrapUpTokens = -1 }, "WrapUpTokens", ">= 0" },
        { new() { StopStrings = ["ok", ""] }, "StopStrings", "non-empty" },
        { new() { StopStrings = [.. Enumerable.Range(0, 17).Select(i => $"s{i}")] }, "StopStrings", "17 entries; at most 16" },
        { new() { StopStrings = [new string('s', 257)] }, "StopStrings", "257 characters; a stop string may have at most 256" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_names_the_field_and_its_range(SamplingSettings settings, string field, string range)
    {
        var e = Assert.Throws<NarrationRejectedException>(() => settings.Validate());
        Assert.Equal(field, e.Field);
        Assert.DoesNotContain("(Parameter", e.Message);
        Assert.StartsWith(field, e.Message);
        Assert.Contains(range, e.Message);
    }

    [Fact]
    public void Boundary_values_are_accepted()
    {
        new SamplingSettings
        {
            Temperature = 0, TopP = 1, MinP = 0, TypicalP = 1, PenaltyLastN = -1, PresencePenalty = -2, FrequencyPenalty = 2,
            XtcProbability = 1, XtcThreshold = 0.5f, SceneWordBias = 20, Mirostat = 2, MirostatEta = 1, Seed = uint.MaxValue - 1,
        }.Validate();
    }
}
