using System.Globalization;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Engine.Sampling;

/// <summary>
/// One row of <see cref="SamplingSettingTable"/>: a sampling knob with every name it goes by (the
/// <see cref="SamplingSettings"/> property, the API fields, the CLI options, the studio label), its allowed range, its
/// help text and how to read and change it. Validation, API parsing, CLI options and the studio's fields are built
/// from these rows, so a knob is added or renamed in one place.
/// </summary>
public abstract class SamplingSetting
{
    private protected SamplingSetting(string name, string key, string group, string label, string[] apiNames, string[] cliNames, string range, string help, double step)
    {
        if (apiNames.Length == 0 || cliNames.Length == 0) throw new ArgumentException($"{name} needs an API name and a CLI option.");
        Name = name;
        Key = key;
        Group = group;
        Label = label;
        ApiNames = apiNames;
        CliNames = cliNames;
        Range = range;
        Help = help;
        Step = step;
    }

    /// <summary>The <see cref="SamplingSettings"/> property, e.g. <c>TopP</c>; also the
    /// <see cref="NarrationRejectedException.Field"/> of its validation errors.</summary>
    public string Name { get; }

    /// <summary>The snake_case name reports write it under (HuggingFace's and llama.cpp's spelling, e.g.
    /// <c>max_new_tokens</c>).</summary>
    public string Key { get; }

    /// <summary>The studio group it is shown in (e.g. <c>Filters</c>).</summary>
    public string Group { get; }

    /// <summary>The studio label (e.g. <c>Top-p</c>).</summary>
    public string Label { get; }

    /// <summary>API field names: the first is the one errors name, the rest are accepted aliases (OpenAI, llama.cpp's
    /// server, HuggingFace); when several are given the first in this order wins.</summary>
    public IReadOnlyList<string> ApiNames { get; }

    /// <summary>The API field errors name (<see cref="ApiNames"/>' first).</summary>
    public string ApiName => ApiNames[0];

    /// <summary>Command-line option name then its aliases (e.g. <c>--temperature</c>, <c>--temp</c>).</summary>
    public IReadOnlyList<string> CliNames { get; }

    /// <summary>The allowed values as validation errors state them, e.g. <c>(0, 1] (1 = off)</c>.</summary>
    public string Range { get; }

    /// <summary>What the knob does, one or two short sentences.</summary>
    public string Help { get; }

    /// <summary>Spin-button step in the studio (1 for whole numbers).</summary>
    public double Step { get; }

    /// <summary>The value's type: <see cref="float"/>, <see cref="int"/>, <see cref="uint"/>, <see cref="bool"/> or a
    /// list of strings.</summary>
    public abstract Type ValueType { get; }

    /// <summary>The value a plain <c>new SamplingSettings()</c> has, as <see cref="ValueText"/> writes it.</summary>
    public string DefaultText => ValueText(new SamplingSettings());

    /// <summary>The value in these settings as invariant text (<c>true</c>/<c>false</c>; a list comma-separated, or
    /// <c>none</c>).</summary>
    public abstract string ValueText(SamplingSettings settings);

    /// <summary>Why the value in these settings is not allowed (the message names <see cref="Name"/>), or null.</summary>
    public abstract string? Problem(SamplingSettings settings);

    /// <summary>Throws when the value in these settings is not allowed.</summary>
    /// <exception cref="NarrationRejectedException">Out of range; <see cref="NarrationRejectedException.Field"/> is
    /// <see cref="Name"/>.</exception>
    public void Check(SamplingSettings settings)
    {
        if (Problem(settings) is { } problem) throw new NarrationRejectedException(Name, problem);
    }

    /// <summary>True when both settings hold the same value of this knob.</summary>
    public abstract bool SameIn(SamplingSettings a, SamplingSettings b);

    /// <summary>Help for a form or an option list: what it does, the range and the plain default.</summary>
    public string Describe() => $"{Help} Allowed: {Range}. Default {DefaultText}.";

    /// <summary>The standard out-of-range message, shared by every row so all surfaces word it alike.</summary>
    private protected string OutOfRange<T>(T value) =>
        $"{Name} = {Convert.ToString(value, CultureInfo.InvariantCulture)} is out of range; allowed: {Range}.";
}

/// <summary>A <see cref="SamplingSetting"/> whose value has type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The property's type on <see cref="SamplingSettings"/>.</typeparam>
public sealed class SamplingSetting<T> : SamplingSetting
{
    private readonly Func<T, bool>? _inRange;
    private readonly Func<SamplingSetting<T>, T, string?>? _problem;

    /// <summary>A row whose values outside <paramref name="inRange"/> get the standard out-of-range message.</summary>
    internal SamplingSetting(string name, string key, string group, string label, string[] apiNames, string[] cliNames, string range, string help, double step,
        Func<SamplingSettings, T> get, Func<SamplingSettings, T, SamplingSettings> with, Func<T, bool> inRange)
        : base(name, key, group, label, apiNames, cliNames, range, help, step)
    {
        Get = get;
        With = with;
        _inRange = inRange;
    }

    /// <summary>A row with its own messages (<paramref name="problem"/> returns null for an allowed value).</summary>
    internal SamplingSetting(string name, string key, string group, string label, string[] apiNames, string[] cliNames, string range, string help,
        Func<SamplingSettings, T> get, Func<SamplingSettings, T, SamplingSettings> with, Func<SamplingSetting<T>, T, string?> problem)
        : base(name, key, group, label, apiNames, cliNames, range, help, 1)
    {
        Get = get;
        With = with;
        _problem = problem;
    }

    /// <summary>Reads the value.</summary>
    public Func<SamplingSettings, T> Get { get; }

    /// <summary>Returns the settings with the value changed (not validated).</summary>
    public Func<SamplingSettings, T, SamplingSettings> With { get; }

    /// <summary>The value a plain <c>new SamplingSettings()</c> has.</summary>
    public T Default => Get(new SamplingSettings());

    /// <inheritdoc />
    public override Type ValueType => typeof(T);

    /// <inheritdoc />
    public override string ValueText(SamplingSettings settings) => Get(settings) switch
    {
        IReadOnlyList<string> list => list.Count == 0 ? "none" : string.Join(", ", list),
        bool b => b ? "true" : "false",
        var v => Convert.ToString(v, CultureInfo.InvariantCulture)!,
    };

    /// <summary>Why this value is not allowed (the message names <see cref="SamplingSetting.Name"/>), or null.</summary>
    public string? Problem(T value) =>
        _problem is not null ? _problem(this, value)
        // NaN fails every range comparison, so it is refused with the same message.
        : _inRange!(value) ? null : OutOfRange(value);

    /// <inheritdoc />
    public override string? Problem(SamplingSettings settings) => Problem(Get(settings));

    /// <inheritdoc />
    public override bool SameIn(SamplingSettings a, SamplingSettings b) =>
        Get(a) is IReadOnlyList<string> x && Get(b) is IReadOnlyList<string> y ? x.SequenceEqual(y) : EqualityComparer<T>.Default.Equals(Get(a), Get(b));
}
