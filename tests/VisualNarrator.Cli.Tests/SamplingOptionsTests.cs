using System.CommandLine;
using System.Globalization;
using VisualNarrator.Cli.Commands;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

/// <summary>The CLI's sampling options come from <see cref="SamplingSettingTable"/>: each row is an option under each of
/// its names, applied over the preset and validated with the table's messages.</summary>
public class SamplingOptionsTests
{
    public static TheoryData<string, string> Names
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var r in SamplingSettingTable.All)
                foreach (var n in r.CliNames) data.Add(r.Name, n);
            return data;
        }
    }

    private static (SamplingOptions Options, Command Command) Describe()
    {
        var options = new SamplingOptions();
        var command = new Command("describe");
        options.AddTo(command);
        return (options, command);
    }

    private static SamplingSettings Build(params string[] args)
    {
        var (options, command) = Describe();
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return options.Build(parse);
    }

    private static string Text(object value) => value switch
    {
        float f => f.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string[] list => list[0],
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_row_parses_under_each_of_its_names_and_changes_only_its_field(string field, string option)
    {
        var row = SamplingSettingTable.ByName[field];
        var sample = SamplingSamples.Values[field];
        var s = Build(option, Text(sample));
        var expected = SamplingSamples.Set(row, SamplingPresetTable.Narrator, sample);
        Assert.True(SamplingSettingTable.SameValues(expected, s), $"{option} {Text(sample)}");
    }

    [Fact]
    public void Without_options_the_preset_is_used_and_every_row_is_an_option()
    {
        Assert.True(SamplingSettingTable.SameValues(SamplingPresetTable.Narrator, Build()));
        Assert.True(SamplingSettingTable.SameValues(SamplingSettings.Creative, Build("--preset", "creative")));
        var (_, command) = Describe();
        var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToHashSet();
        Assert.Superset(SamplingSettingTable.All.SelectMany(r => r.CliNames).ToHashSet(), names);
        var preset = command.Options.Single(o => o.Name == "--preset");
        Assert.All(SamplingPresetTable.All, p => Assert.Contains(p.Name, preset.Description));
    }

    [Fact]
    public void Stop_is_repeatable()
    {
        Assert.Equal(["a", "b"], Build("--stop", "a", "--stop", "b").StopStrings);
    }

    public static TheoryData<string[], string> OutOfRange => new()
    {
        { ["--temp", "-1"], "Temperature = -1 is out of range; allowed: >= 0 (0 = greedy)." },
        { ["--top-p", "1.5"], "TopP = 1.5 is out of range; allowed: (0, 1] (1 = off)." },
        { ["--repeat-last-n", "-2"], "PenaltyLastN = -2 is out of range; allowed: >= -1 (-1 = whole context, 0 = off)." },
        { ["--mirostat", "1"], "Mirostat = 1 is out of range; allowed: 0 (off) or 2 (mirostat v2)." },
        { ["-s", "4294967295"], "Seed = 4294967295 is out of range" },
        { ["-n", "0"], "MaxNewTokens = 0 is out of range; allowed: >= 1." },
        { ["--stop", ""], "StopStrings[0] is empty" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Out_of_range_values_are_refused_naming_the_field(string[] args, string message)
    {
        var (options, command) = Describe();
        var e = Assert.Throws<NarrationRejectedException>(() => options.Build(command.Parse(args)));
        Assert.StartsWith(message, e.Message);
        Assert.StartsWith(e.Field, e.Message);
    }
}
