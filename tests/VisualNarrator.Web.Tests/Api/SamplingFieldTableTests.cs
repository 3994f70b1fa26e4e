using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Web.Api;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Api;

/// <summary>The API's sampling fields come from <see cref="SamplingSettingTable"/>: every row is read under each of its
/// API names, mistyped and out-of-range values are refused naming the field the client sent.</summary>
public sealed class SamplingFieldTableTests(NarratorAppFixture app) : IClassFixture<NarratorAppFixture>
{
    /// <summary>Per row: a valid JSON value that differs from the narrator preset's, and one out of range (null: none).</summary>
    private static readonly Dictionary<string, (string Valid, string? OutOfRange)> Values = new()
    {
        ["Temperature"] = ("0.7", "-1"), ["Seed"] = ("1234", "4294967295"), ["TopK"] = ("7", "-1"), ["TopP"] = ("0.8", "1.5"),
        ["MinP"] = ("0.05", "1"), ["TypicalP"] = ("0.9", "0"), ["RepetitionPenalty"] = ("1.3", "0"), ["NoRepeatNgramSize"] = ("4", "-1"),
        ["PenaltyLastN"] = ("64", "-2"), ["PresencePenalty"] = ("0.5", "3"), ["FrequencyPenalty"] = ("-0.5", "-3"),
        ["PenalizePrompt"] = ("true", null), ["SceneWordBias"] = ("4", "21"), ["WordGuard"] = ("false", null), ["XtcProbability"] = ("0.3", "2"), ["XtcThreshold"] = ("0.2", "0.7"),
        ["Mirostat"] = ("2", "1"), ["MirostatTau"] = ("3", "0"), ["MirostatEta"] = ("0.2", "2"), ["MaxNewTokens"] = ("12", "0"), ["WrapUpTokens"] = ("8", "-1"), ["WholeSentences"] = ("false", null),
        ["StopStrings"] = ("[\".\"]", "[\"\"]"),
    };

    public static TheoryData<string, string> Names
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var r in SamplingSettingTable.All)
                foreach (var n in r.ApiNames) data.Add(r.Name, n);
            return data;
        }
    }

    public static TheoryData<string> Rows
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var r in SamplingSettingTable.All) data.Add(r.Name);
            return data;
        }
    }

    private static SamplingSettings Parse(string json) => ApiRequest.ParseSampling(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void Every_row_has_a_value_here_and_its_error_name_is_its_first_api_name()
    {
        Assert.Equal(SamplingSettingTable.All.Select(r => r.Name).Order(), Values.Keys.Order());
        Assert.All(SamplingSettingTable.All, r => Assert.Equal(r.ApiNames[0], ApiRequest.FieldNames[r.Name]));
        Assert.Equal(("repeat_last_n", "max_tokens", "stop"), (ApiRequest.FieldNames["PenaltyLastN"], ApiRequest.FieldNames["MaxNewTokens"], ApiRequest.FieldNames["StopStrings"]));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_row_parses_under_each_of_its_names_and_changes_only_its_field(string field, string apiName)
    {
        var row = SamplingSettingTable.ByName[field];
        var fixedSeed = field == "Seed" ? "" : ",\"seed\":42";
        var parsed = Parse($"{{\"{apiName}\":{Values[field].Valid}{fixedSeed}}}");
        var expected = SamplingPresetTable.Narrator with { Seed = 42 };
        Assert.False(row.SameIn(expected, parsed), $"{apiName} was not read");
        Assert.All(SamplingSettingTable.All.Where(r => r != row), r => Assert.True(r.SameIn(expected, parsed), r.Name));
        parsed.Validate();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_mistyped_value_is_refused_naming_the_field_sent(string field, string apiName)
    {
        var e = Assert.Throws<ApiError>(() => Parse($"{{\"{apiName}\":{{}}}}"));
        Assert.Equal((400, apiName), (e.Status, e.Param));
        Assert.StartsWith($"'{apiName}' must be", e.Message);
        Assert.Contains(apiName, SamplingSettingTable.ByName[field].ApiNames);
    }

    [Fact]
    public void The_first_api_name_wins_over_an_alias()
    {
        var s = Parse("""{"max_tokens":5,"n_predict":9,"repetition_penalty":1.2,"repeat_penalty":1.6,"repeat_last_n":8,"penalty_last_n":16}""");
        Assert.Equal((5, 1.2f, 8), (s.MaxNewTokens, s.RepetitionPenalty, s.PenaltyLastN));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task An_out_of_range_value_is_answered_400_naming_the_api_field(string field)
    {
        if (Values[field].OutOfRange is not { } bad) return; // a switch has no out-of-range value
        var row = SamplingSettingTable.ByName[field];
        using var client = app.CreateClient();
        using var response = await client.PostAsync("/v1/completions",
            new StringContent($"{{\"prompt\":\"a beach\",\"{row.ApiName}\":{bad}}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(row.ApiName, error.GetProperty("param").GetString());
        // The seed is range-checked while parsing (-1 means random there); every other field by the table.
        Assert.Contains(field == "Seed" ? "'seed' must be in" : field, error.GetProperty("message").GetString());
    }
}
