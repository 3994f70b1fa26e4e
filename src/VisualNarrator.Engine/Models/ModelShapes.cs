namespace VisualNarrator.Engine.Models;

/// <summary>Real OPT sizes (from the published configs) and a tiny one for tests, so random-weight models of any
/// real shape can be made to size hardware and to benchmark.</summary>
public static class ModelShapes
{
    /// <summary>OPT's vocabulary size (embedding rows; vocab.json has 50265 entries).</summary>
    public const int OptVocab = 50272;

    /// <summary>The shapes by name: tiny and every published OPT size (opt-125m ... opt-66b). opt-350m is the real one:
    /// post-LN with a 512-wide token embedding and proj_in / proj_out. Listing them allocates nothing.</summary>
    public static IReadOnlyDictionary<string, ModelHyperparameters> Opt { get; } = new Dictionary<string, ModelHyperparameters>
    {
        ["tiny"] = new("opt", 64, 64, 256, 2, 4, 1e-5f, 0),
        ["opt-125m"] = new("opt", 2048, 768, 3072, 12, 12, 1e-5f, OptVocab),
        ["opt-350m"] = new("opt", 2048, 1024, 4096, 24, 16, 1e-5f, OptVocab, LayerNormBefore: false, TokenEmbeddingLength: 512),
        ["opt-1.3b"] = new("opt", 2048, 2048, 8192, 24, 32, 1e-5f, OptVocab),
        ["opt-2.7b"] = new("opt", 2048, 2560, 10240, 32, 32, 1e-5f, OptVocab),
        ["opt-6.7b"] = new("opt", 2048, 4096, 16384, 32, 32, 1e-5f, OptVocab),
        ["opt-13b"] = new("opt", 2048, 5120, 20480, 40, 40, 1e-5f, OptVocab),
        ["opt-30b"] = new("opt", 2048, 7168, 28672, 48, 56, 1e-5f, OptVocab),
        ["opt-66b"] = new("opt", 2048, 9216, 36864, 64, 72, 1e-5f, OptVocab),
    };

    /// <summary>Looks a shape up by name, with an error that lists the known names.</summary>
    public static ModelHyperparameters Get(string name) =>
        Opt.TryGetValue(name, out var hp) ? hp
            : throw new Inference.InvalidSettingException("--shape", $"unknown shape '{name}'; known shapes: {string.Join(", ", Opt.Keys)}");
}
