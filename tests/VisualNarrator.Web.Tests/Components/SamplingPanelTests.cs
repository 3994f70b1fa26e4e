using System.Text;
using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using MudBlazor.Extensions;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Web.Components.Shared;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Components;

public sealed class SamplingPanelTests : BunitTestBase
{
    private SamplingSettings? _changed;

    private IRenderedComponent<SamplingPanel> RenderPanel(SamplingSettings? settings = null) =>
        Render<SamplingPanel>(p => p
            .Add(x => x.Settings, settings ?? SamplingSettings.SeedModel)
            .Add(x => x.SettingsChanged, s => _changed = s));

    [Fact]
    public void Every_engine_setting_has_a_field_with_help()
    {
        var cut = RenderPanel();
        var numeric = typeof(SamplingSettings).GetProperties()
            .Where(p => p.CanWrite && p.PropertyType != typeof(IReadOnlyList<string>)).Select(p => p.Name).ToList();
        Assert.Equal(22, numeric.Count);
        foreach (var name in numeric) Assert.NotNull(cut.Find($"#sampling-{name}"));
        Assert.NotNull(cut.Find("#sampling-StopStrings"));
        Assert.Contains("0 = greedy", cut.Markup);
        Assert.Equal("0.4", cut.Find("#sampling-Temperature").GetAttribute("value"));
        Assert.Equal("1.8", cut.Find("#sampling-RepetitionPenalty").GetAttribute("value"));
        Assert.Equal("0", cut.Find("#sampling-SceneWordBias").GetAttribute("value"));   // the seed model had no scene-word bias
    }

    [Fact]
    public void A_valid_change_is_passed_on_and_stored()
    {
        var cut = RenderPanel();
        Trigger(cut, () => cut.Find("#sampling-Temperature").Input("0.7"));
        Assert.NotNull(_changed);
        Assert.Equal(0.7f, _changed!.Temperature);
        Assert.Equal(1.8f, _changed.RepetitionPenalty);
        var stored = JSInterop.Invocations.Where(i => i.Identifier == "localStorage.setItem" && (string)i.Arguments[0]! == BrowserStorage.SamplingKey).Last();
        Assert.Equal(0.7f, JsonSerializer.Deserialize<SamplingSettings>((string)stored.Arguments[1]!, BrowserStorage.Json)!.Temperature);
    }

    [Theory]
    [InlineData("Temperature", "-1", "Temperature = -1 is out of range", "0.3")]
    [InlineData("TopP", "0", "TopP = 0 is out of range", "0.3")]
    [InlineData("TopP", "abc", "Top-p must be a number, not 'abc'.", "0.9")]
    [InlineData("TopK", "2.5", "Top-k must be a whole number, not 2.5.", "3")]
    [InlineData("XtcThreshold", "0.7", "XtcThreshold = 0.7 is out of range", "0.3")]
    [InlineData("Mirostat", "1", "Mirostat = 1 is out of range", "2")]
    [InlineData("MaxNewTokens", "600", "At most 512 (this server's limit).", "100")]
    public void An_invalid_value_is_marked_at_its_field_and_is_not_applied(string field, string value, string message, string fix)
    {
        var valid = new List<bool>();
        var cut = Render<SamplingPanel>(p => p
            .Add(x => x.Settings, SamplingSettings.SeedModel)
            .Add(x => x.SettingsChanged, s => _changed = s)
            .Add(x => x.ValidChanged, v => valid.Add(v)));
        Trigger(cut, () => cut.Find($"#sampling-{field}").Input(value));
        // The field keeps what was typed, is marked invalid, and says why right under it.
        var input = cut.Find($"#sampling-{field}");
        Assert.Equal(value, input.GetAttribute("value"));
        Assert.Equal("true", input.GetAttribute("aria-invalid"));
        Assert.Contains(message, FieldText(cut, field));
        Assert.Null(_changed);
        Assert.False(valid.Last());

        // Fixing it applies the settings and clears the mark.
        Trigger(cut, () => cut.Find($"#sampling-{field}").Input(fix));
        Assert.Equal("false", cut.Find($"#sampling-{field}").GetAttribute("aria-invalid"));
        Assert.DoesNotContain(message, FieldText(cut, field));
        Assert.NotNull(_changed);
        Assert.True(valid.Last());
    }

    /// <summary>The text of a field's whole control: label, input and the helper or error line under it.</summary>
    private static string FieldText(IRenderedComponent<SamplingPanel> cut, string field) =>
        cut.Find($"#sampling-{field}").Closest(".mud-input-control")!.TextContent;

    [Fact]
    public void Max_new_tokens_is_checked_against_the_room_the_prompt_leaves_in_the_models_context()
    {
        var cut = Render<SamplingPanel>(p => p
            .Add(x => x.Settings, SamplingSettings.SeedModel)
            .Add(x => x.SettingsChanged, s => _changed = s)
            .Add(x => x.MaxNewTokensLimit, 250)
            .Add(x => x.MaxNewTokensReason, "the model's 256-token context minus this prompt's 6 tokens"));
        Assert.Contains("1 to 250 (the model's 256-token context minus this prompt's 6 tokens)", FieldText(cut, "MaxNewTokens"));
        Trigger(cut, () => cut.Find("#sampling-MaxNewTokens").Input("400"));
        Assert.Equal("true", cut.Find("#sampling-MaxNewTokens").GetAttribute("aria-invalid"));
        Assert.Contains("At most 250: the model's 256-token context minus this prompt's 6 tokens.", FieldText(cut, "MaxNewTokens"));
        Assert.Null(_changed);

        // A shorter prompt leaves more room: the same value becomes valid.
        cut.Render(p => p.Add(x => x.MaxNewTokensLimit, 450));
        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("#sampling-MaxNewTokens").GetAttribute("aria-invalid")));
        Assert.Equal(400, _changed!.MaxNewTokens);
    }

    [Fact]
    public void The_seed_is_random_unless_fixed_seed_is_on()
    {
        bool? fixedSeed = null;
        var cut = Render<SamplingPanel>(p => p
            .Add(x => x.Settings, SamplingSettings.SeedModel)
            .Add(x => x.SettingsChanged, s => _changed = s)
            .Add(x => x.FixedSeedChanged, v => fixedSeed = v));
        Assert.True(cut.Find("#sampling-Seed").HasAttribute("disabled"));
        Assert.Contains("Random per narration", FieldText(cut, "Seed"));
        Trigger(cut, () => cut.Find("#sampling-fixed-seed").Change(true));
        Assert.True(fixedSeed);
        cut.Render(p => p.Add(x => x.FixedSeed, true));
        Assert.False(cut.Find("#sampling-Seed").HasAttribute("disabled"));
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "localStorage.setItem" && (string)i.Arguments[0]! == BrowserStorage.FixedSeedKey && (string)i.Arguments[1]! == "true");
    }

    [Fact]
    public async Task Presets_apply_every_setting()
    {
        var cut = RenderPanel();
        var select = cut.FindComponent<MudSelect<string>>();
        Assert.Equal("Seed model", select.Instance.GetState(x => x.Value));
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("Greedy"));
        Assert.Equal(SamplingSettings.Greedy, _changed);
        Assert.Equal("0", cut.Find("#sampling-Temperature").GetAttribute("value"));
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("Creative"));
        Assert.Equal(SamplingSettings.Creative, _changed);
        Assert.Equal("0.95", cut.Find("#sampling-TopP").GetAttribute("value"));
        // Editing a field away from a preset un-selects it.
        Trigger(cut, () => cut.Find("#sampling-TopK").Input("7"));
        Assert.Null(cut.FindComponent<MudSelect<string>>().Instance.GetState(x => x.Value));
    }

    [Fact]
    public void A_user_preset_is_saved_to_browser_storage_and_exported_as_json()
    {
        var cut = RenderPanel();
        Trigger(cut, () => cut.Find("#sampling-Temperature").Input("0.25"));
        Trigger(cut, () => cut.Find("#sampling-preset-name").Input("Calm"));
        Trigger(cut, () => cut.Find("#sampling-save-preset").Click());
        Assert.Contains("Saved preset 'Calm'", cut.Find("[data-testid=sampling-preset-message]").TextContent);

        var saved = JSInterop.Invocations.Last(i => i.Identifier == "localStorage.setItem" && (string)i.Arguments[0]! == BrowserStorage.PresetsKey);
        var presets = SamplingPresets.Import((string)saved.Arguments[1]!);
        var calm = Assert.Single(presets);
        Assert.Equal("Calm", calm.Name);
        Assert.Equal(0.25f, calm.Settings.Temperature);
        Assert.Equal(SamplingSettings.SeedModel.RepetitionPenalty, calm.Settings.RepetitionPenalty);

        var href = cut.Find("#sampling-export").GetAttribute("href")!;
        Assert.StartsWith("data:application/json;base64,", href);
        var exported = Encoding.UTF8.GetString(Convert.FromBase64String(href[(href.IndexOf(',') + 1)..]));
        Assert.Contains(SamplingPresets.Format, exported);
        Assert.Equal("Calm", Assert.Single(SamplingPresets.Import(exported)).Name);
        Assert.Equal("Calm", cut.FindComponent<MudSelect<string>>().Instance.GetState(x => x.Value));
    }

    [Fact]
    public void Stored_presets_and_settings_come_back_on_the_next_visit()
    {
        var mine = SamplingSettings.SeedModel with { Temperature = 0.6f, TopK = 20 };
        var file = new SamplingPresets.ExportFile(SamplingPresets.Format, [new SamplingPresets.ExportedPreset("Mine", mine)]);
        JSInterop.Setup<string?>("localStorage.getItem", BrowserStorage.PresetsKey).SetResult(JsonSerializer.Serialize(file, BrowserStorage.Json));
        JSInterop.Setup<string?>("localStorage.getItem", BrowserStorage.SamplingKey).SetResult(JsonSerializer.Serialize(mine, BrowserStorage.Json));
        var cut = RenderPanel();
        cut.WaitForAssertion(() => Assert.Equal("0.6", cut.Find("#sampling-Temperature").GetAttribute("value")));
        Assert.Equal(0.6f, _changed!.Temperature);
        Assert.Equal("Mine", cut.FindComponent<MudSelect<string>>().Instance.GetState(x => x.Value));
        Trigger(cut, () => cut.Find("#sampling-delete-preset").Click());
        Assert.Contains("Deleted preset 'Mine'", cut.Markup);
        var saved = JSInterop.Invocations.Last(i => i.Identifier == "localStorage.setItem" && (string)i.Arguments[0]! == BrowserStorage.PresetsKey);
        Assert.Empty(SamplingPresets.Import((string)saved.Arguments[1]!));
    }

    [Fact]
    public void Importing_a_presets_file_adds_its_presets_and_rejects_bad_files()
    {
        var cut = RenderPanel();
        var json = SamplingPresets.Export([new SamplingPreset("Imported", SamplingSettings.Creative with { Seed = 9 })]);
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(json, "presets.json"));
        cut.WaitForAssertion(() => Assert.Contains("Imported 1 preset.", cut.Markup));
        var saved = JSInterop.Invocations.Last(i => i.Identifier == "localStorage.setItem" && (string)i.Arguments[0]! == BrowserStorage.PresetsKey);
        Assert.Equal(9u, Assert.Single(SamplingPresets.Import((string)saved.Arguments[1]!)).Settings.Seed);
        // The imported preset is selected and in use.
        Assert.Equal("Imported", cut.FindComponent<MudSelect<string>>().Instance.GetState(x => x.Value));
        Assert.Equal(9u, _changed!.Seed);

        var bad = """{"format":"visual-narrator-presets/1","presets":[{"name":"Hot","settings":{"temperature":-3}}]}""";
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(bad, "bad.json"));
        cut.WaitForAssertion(() => Assert.Contains("Import failed: preset 'Hot': Temperature = -3 is out of range", cut.Markup));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("not json", "bad.json"));
        cut.WaitForAssertion(() => Assert.Contains("Import failed: not a presets file", cut.Markup));
    }
}
