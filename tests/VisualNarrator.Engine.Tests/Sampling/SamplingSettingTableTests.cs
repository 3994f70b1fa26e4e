using System.Reflection;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Sampling;

/// <summary>The one table of sampling knobs: it covers every <see cref="SamplingSettings"/> property, its getters and
/// with-ers touch only their own property, its names do not collide, and validation is driven by it.</summary>
public class SamplingSettingTableTests
{
    private static readonly PropertyInfo[] Properties = typeof(SamplingSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite).ToArray();

    public static TheoryData<string> Rows
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var r in SamplingSettingTable.All) data.Add(r.Name);
            return data;
        }
    }

    [Fact]
    public void Every_settable_property_has_exactly_one_row_of_its_type()
    {
        Assert.Equal(Properties.Select(p => p.Name).Order(), SamplingSettingTable.All.Select(r => r.Name).Order());
        foreach (var p in Properties) Assert.Equal(p.PropertyType, SamplingSettingTable.ByName[p.Name].ValueType);
    }

    [Fact]
    public void Api_and_cli_names_are_unique_and_spelled_as_each_surface_expects()
    {
        var api = SamplingSettingTable.All.SelectMany(r => r.ApiNames).ToList();
        Assert.Equal(api.Count, api.Distinct().Count());
        Assert.All(api, n => Assert.Matches("^[a-z][a-z_]*$", n));
        var keys = SamplingSettingTable.All.Select(r => r.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, k => Assert.Matches("^[a-z][a-z_]*$", k));
        var cli = SamplingSettingTable.All.SelectMany(r => r.CliNames).ToList();
        Assert.Equal(cli.Count, cli.Distinct().Count());
        Assert.All(SamplingSettingTable.All, r => Assert.Matches("^--[a-z][a-z-]*$", r.CliNames[0]));
        Assert.All(SamplingSettingTable.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Help + r.Label + r.Group + r.Range)));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void With_changes_only_its_own_property_and_get_reads_it_back(string name)
    {
        var row = SamplingSettingTable.ByName[name];
        var before = SamplingPresetTable.Narrator;
        var after = SamplingSamples.Set(row, before, SamplingSamples.Values[name]);
        Assert.False(row.SameIn(before, after));
        Assert.Equal(Normal(SamplingSamples.Values[name]), Normal(Property(name).GetValue(after)));
        foreach (var other in SamplingSettingTable.All.Where(r => r != row)) Assert.True(other.SameIn(before, after), other.Name);
        Assert.True(SamplingSettingTable.SameValues(before, SamplingSamples.Set(row, after, Property(name).GetValue(before)!)));
        after.Validate();
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void The_default_is_the_plain_settings_value(string name)
    {
        var row = SamplingSettingTable.ByName[name];
        var value = Property(name).GetValue(new SamplingSettings());
        Assert.Equal(value switch
        {
            IReadOnlyList<string> { Count: 0 } => "none",
            bool flag => flag ? "true" : "false",
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
        }, row.DefaultText);
        Assert.Contains($"Default {row.DefaultText}.", row.Describe());
        Assert.Contains(row.Range, row.Describe());
    }

    [Fact]
    public void Every_row_with_a_range_is_covered_by_the_validation_cases()
    {
        // SamplingSettingsTests.Invalid holds an out-of-range case per field; a new row must add one.
        var covered = SamplingSettingsTests.Invalid.Select(c => (string)c[1]).ToHashSet();
        Assert.Equal(SamplingSettingTable.All.Where(r => r.ValueType != typeof(bool)).Select(r => r.Name).Order(), covered.Order());
    }

    [Theory]
    [MemberData(nameof(SamplingSettingsTests.Invalid), MemberType = typeof(SamplingSettingsTests))]
    public void A_rows_problem_is_the_message_validation_throws(SamplingSettings settings, string field, string range)
    {
        var row = SamplingSettingTable.ByName[field];
        var problem = row.Problem(settings);
        Assert.NotNull(problem);
        Assert.Contains(range, problem);
        var e = Assert.Throws<NarrationRejectedException>(() => SamplingSettingTable.Validate(settings));
        Assert.Equal((field, problem), (e.Field, e.Message));
        Assert.All(SamplingSettingTable.All.Where(r => r != row), r => Assert.Null(r.Problem(settings)));
    }

    [Fact]
    public void The_server_limit_on_new_tokens_names_the_field()
    {
        var ok = new SamplingSettings { MaxNewTokens = 512 }.Validate(512);
        Assert.Equal(512, ok.MaxNewTokens);
        var e = Assert.Throws<NarrationRejectedException>(() => new SamplingSettings { MaxNewTokens = 513 }.Validate(512));
        Assert.Equal("MaxNewTokens", e.Field);
        Assert.Equal("MaxNewTokens = 513 is over this server's limit of 512", e.Message);
    }

    [Fact]
    public void One_preset_table_lists_every_preset_once_valid_and_the_default_first()
    {
        Assert.Equal(SamplingPresetTable.DefaultName, SamplingPresetTable.All[0].Name);
        Assert.Equal(SamplingPresetTable.All.Select(p => p.Name), SamplingPresetTable.ByName.Keys);
        Assert.Equal(SamplingPresetTable.All.Count, SamplingPresetTable.All.Select(p => p.Label).Distinct().Count());
        Assert.All(SamplingPresetTable.All, p => p.Settings.Validate());
        Assert.Same(SamplingPresetTable.SeedModel, SamplingSettings.SeedModel);
        Assert.Same(SamplingPresetTable.Greedy, SamplingSettings.Greedy);
        Assert.Same(SamplingPresetTable.Creative, SamplingSettings.Creative);
        Assert.Equal(SamplingPresetTable.SeedModel with { PenalizePrompt = false, SceneWordBias = 10, WordGuard = true, WholeSentences = true, WrapUpTokens = 16, MaxNewTokens = 120 }, SamplingPresetTable.Narrator);
        Assert.Equal(0, SamplingPresetTable.SeedModel.SceneWordBias);
        Assert.Same(SamplingPresetTable.Narrator, SamplingPresetTable.Get("NARRATOR", "--preset"));
        var e = Assert.Throws<NarrationRejectedException>(() => SamplingPresetTable.Get("nope", "--preset"));
        Assert.Equal(("--preset", "--preset must be one of narrator, seed, greedy, creative, got 'nope'"), (e.Field, e.Message));
    }

    private static PropertyInfo Property(string name) => typeof(SamplingSettings).GetProperty(name)!;

    /// <summary>Lists as arrays, so a list value compares by content.</summary>
    private static object? Normal(object? value) => value is IReadOnlyList<string> list ? list.ToArray() : value;
}
