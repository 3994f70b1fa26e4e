namespace VisualNarrator.Engine.Models;

/// <summary>Real OPT sizes (from the published configs) and a tiny one for tests, so random-weight models of any
/// real shape can be made to size hardware and to benchmark.</summary>
public static class ModelShapes
{
    /// <summary>OPT's vocabulary size (embedding rows; vocab.json has 50265 entries).</summary>
    public const int OptVocab = 50272;

    /// <summary>The shapes by name: tiny, opt-125m, opt-350m (modelled pre-LN, without its 512-wide projection),
    /// opt-1.3b, opt-2.7b.</summary>
    public static IReadOnlyDictionary<string, ModelHyperparameters> Opt { get; } = new Dictionary<string, ModelHyperparameters>
    {
        ["tiny"] = new("opt", 64, 64, 256, 2, 4, 1e-5f, 0),
        ["opt-125m"] = new("opt", 2048, 768, 3072, 12, 12, 1e-5f, OptVocab),
        ["opt-350m"] = new("opt", 2048, 1024, 4096, 24, 16, 1e-5f, OptVocab),
        ["opt-1.3b"] = new("opt", 2048, 2048, 8192, 24, 32, 1e-5f, OptVocab),
        ["opt-2.7b"] = new("opt", 2048, 2560, 10240, 32, 32, 1e-5f, OptVocab),
    };

    /// <summary>Looks a shape up by name, with an error that lists the known names.</summary>
    public static ModelHyperparameters Get(string name) =>
        Opt.TryGetValue(name, out var hp) ? hp
            : throw new ArgumentException($"unknown shape '{name}'; known shapes: {string.Join(", ", Opt.Keys)}");
}
