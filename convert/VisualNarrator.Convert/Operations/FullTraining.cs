using VisualNarrator.CommandLine;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.IO;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Training;
using VisualNarrator.Tokenization;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Operations;

/// <summary>Options of <see cref="FullTraining.Run"/>.</summary>
/// <param name="Shape">A name from <see cref="OptConfig.Shapes"/>.</param>
/// <param name="Data">JSONL file of {"prompt", "description"} lines.</param>
/// <param name="Output">Checkpoint folder to write (the best-validation weights).</param>
/// <param name="Training">Hyperparameters.</param>
/// <param name="TokenizerFolder">HF tokenizer folder (null: GPT-2's vocabulary).</param>
/// <param name="DType">Stored weight dtype.</param>
/// <param name="Resume">Continue from the checkpoint folder.</param>
/// <param name="CheckpointDir">Checkpoint folder (default: the output path + ".checkpoints").</param>
/// <param name="Overwrite">Replace an existing output folder.</param>
/// <param name="Init">An OPT model of exactly this shape to start from instead of the random initialisation: an
/// <c>opt</c> GGUF file (F32, F16, BF16) or a HuggingFace checkpoint folder (see <see cref="InitialWeights"/>).</param>
public sealed record TrainOptions(string Shape, string Data, string Output, TrainingOptions Training, string? TokenizerFolder = null,
    ScalarType DType = ScalarType.Float32, bool Resume = false, string? CheckpointDir = null, bool Overwrite = false, string? Init = null)
{
    /// <summary>The checkpoint folder in use.</summary>
    public string Checkpoints => Path.GetFullPath(CheckpointDir ?? Output.TrimEnd('/') + ".checkpoints");
}

/// <summary>train: every parameter of a small OPT, from a seeded random initialisation or an existing model.</summary>
public static class FullTraining
{
    /// <summary>Trains and writes the best checkpoint atomically, with the tokenizer files.</summary>
    public static TrainingResult Run(TrainOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Training.Validate();
        var output = Path.GetFullPath(options.Output);
        if (!options.Overwrite && (Directory.Exists(output) || File.Exists(output)))
            throw new IOException($"'{output}' already exists; pass --force to replace it");
        var spec = options.TokenizerFolder is null ? Gpt2Ranks.LoadSpec() : HuggingFaceTokenizerFolder.Read(options.TokenizerFolder);
        var tokenizer = new OptTokenizer(spec);
        var rows = NarrationData.Read(options.Data);
        var examples = NarrationData.Tokenize(rows, tokenizer, options.Training.MaxLength, options.Data);
        var (train, validation) = NarrationData.Split(examples, options.Training.ValidationSplit, options.Training.Seed);

        var config = ConfigFor(options, spec);
        if (options.Training.MaxLength > config.MaxPositionEmbeddings)
            throw new ArgumentException($"--max-length {options.Training.MaxLength} exceeds the {config.MaxPositionEmbeddings} positions of shape '{options.Shape}'");
        var settings = new Dictionary<string, string>
        {
            ["data_sha256"] = NarrationData.Hash(options.Data),
            ["model_config"] = config.ToString(),
            ["tokenizer"] = options.TokenizerFolder is null ? "gpt2" : Path.GetFullPath(options.TokenizerFolder),
        };
        // Only with --init, so runs checkpointed before the option existed still resume.
        if (options.Init is not null)
            foreach (var (key, value) in InitialWeights.Settings(options.Init)) settings[key] = value;
        // With --resume the checkpoint's weights replace these; the init is still loaded, so a bad one fails the same way.
        using var model = CreateModel(options, config);
        var trainer = new Trainer(model, [.. model.BaseParameters()], options.Training, options.Checkpoints, settings);
        var result = trainer.Run(train, validation, options.Resume, progress, cancellation);

        using var folder = AtomicOutput.Folder(output, options.Overwrite);
        HfCheckpoint.Save(model, folder.TempPath, options.DType);
        if (options.TokenizerFolder is null) Gpt2Ranks.WriteHuggingFaceFolder(folder.TempPath);
        else HfCheckpoint.CopySideFiles(options.TokenizerFolder, folder.TempPath);
        folder.Commit();
        return result;
    }

    /// <summary>The model config of a run: the shape, its vocabulary sized for the tokenizer, and its special ids.</summary>
    public static OptConfig ConfigFor(TrainOptions options, TokenizerSpec tokenizer) =>
        Synthesizer.ConfigFor(new SynthOptions(options.Shape, options.Training.Seed, options.TokenizerFolder), tokenizer) with
        {
            NameOrPath = $"visual-narrator-{options.Shape}",
        };

    /// <summary>The model before the first step: seeded random weights, then the <see cref="TrainOptions.Init"/> model's
    /// when given.</summary>
    /// <exception cref="CheckpointException">The init model's shape differs from <paramref name="config"/>, or it is quantized.</exception>
    public static OptForCausalLM CreateModel(TrainOptions options, OptConfig config)
    {
        var model = new OptForCausalLM(config);
        try
        {
            model.InitializeRandom(options.Training.Seed);
            if (options.Init is not null) InitialWeights.Load(model, options.Init);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
