using System.CommandLine;
using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Cli.Commands;

/// <summary>Every sampling control as a command-line option, on top of a preset: one option per row of
/// <see cref="SamplingSettingTable"/>, with the row's names (llama.cpp / HuggingFace spellings) and help.</summary>
public sealed class SamplingOptions
{
    private readonly Option<string> _preset = new("--preset")
    {
        Description = "Starting point: " + string.Join(", ", SamplingPresetTable.All.Select(p =>
            $"{p.Name} ({(p.Name == SamplingPresetTable.DefaultName ? "default: " : "")}{p.Description})")),
        DefaultValueFactory = _ => SamplingPresetTable.DefaultName,
    };

    private readonly IReadOnlyList<Binding> _settings = SamplingSettingTable.All.Select(Bind).ToArray();

    /// <summary>An option and how its value, when given, changes the settings.</summary>
    private sealed record Binding(Option Option, Func<ParseResult, SamplingSettings, SamplingSettings> Apply);

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_preset);
        foreach (var b in _settings) command.Options.Add(b.Option);
    }

    /// <summary>The preset with every option given on the command line applied, validated.</summary>
    /// <exception cref="Engine.Serving.NarrationRejectedException">An unknown preset or a value out of range, named.</exception>
    public SamplingSettings Build(ParseResult parse)
    {
        var s = SamplingPresetTable.Get(parse.GetValue(_preset)!, "--preset");
        foreach (var b in _settings) s = b.Apply(parse, s);
        return s.Validate();
    }

    private static Binding Bind(SamplingSetting row) => row switch
    {
        SamplingSetting<float> f => Value(f),
        SamplingSetting<int> i => Value(i),
        SamplingSetting<uint> u => Value(u),
        SamplingSetting<bool> b => Value(b),
        SamplingSetting<IReadOnlyList<string>> list => Repeated(list),
        _ => throw new NotSupportedException($"No command-line form for {row.Name} ({row.ValueType.Name})."),
    };

    private static string Description(SamplingSetting row) => $"{row.Help} Allowed: {row.Range}.";

    /// <summary>An option whose absence leaves the preset's value (hence nullable).</summary>
    private static Binding Value<T>(SamplingSetting<T> row) where T : struct
    {
        var option = new Option<T?>(row.CliNames[0], [.. row.CliNames.Skip(1)]) { Description = Description(row) };
        return new Binding(option, (parse, s) => parse.GetValue(option) is T v ? row.With(s, v) : s);
    }

    /// <summary>A repeatable option (<c>--stop a --stop b</c>); none given leaves the preset's list.</summary>
    private static Binding Repeated(SamplingSetting<IReadOnlyList<string>> row)
    {
        var option = new Option<string[]>(row.CliNames[0], [.. row.CliNames.Skip(1)])
        {
            Description = $"{row.Help} Repeatable; {row.Range}.",
            AllowMultipleArgumentsPerToken = false,
        };
        return new Binding(option, (parse, s) => parse.GetValue(option) is { Length: > 0 } values ? row.With(s, values) : s);
    }
}
