using VisualNarrator.CommandLine;
using System.Globalization;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.IO;
using VisualNarrator.Convert.Lora;
using VisualNarrator.Convert.Training;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Convert.Operations;

/// <summary>Options of <see cref="LoraTraining.Run"/>.</summary>
/// <param name="Model">Base HF checkpoint folder.</param>
/// <param name="Data">JSONL file of {"prompt", "description"} lines.</param>
/// <param name="Output">Adapter folder to write (the best-validation adapter).</param>
/// <param name="Adapter">r, alpha, dropout, targets, rsLoRA (base_model_name_or_path is filled in).</param>
/// <param name="Training">Hyperparameters.</param>
/// <param name="Resume">Continue from the checkpoint folder.</param>
/// <param name="CheckpointDir">Checkpoint folder (default: the output path + ".checkpoints").</param>
/// <param name="Overwrite">Replace an existing output folder.</param>
public sealed record TrainLoraOptions(string Model, string Data, string Output, LoraConfig Adapter, TrainingOptions Training,
    bool Resume = false, string? CheckpointDir = null, bool Overwrite = false)
{
    /// <summary>The checkpoint folder in use.</summary>
    public string Checkpoints => Path.GetFullPath(CheckpointDir ?? Output.TrimEnd('/') + ".checkpoints");
}

/// <summary>train-lora: fit a PEFT LoRA adapter on narration data.</summary>
public static class LoraTraining
{
    /// <summary>Trains and writes the best adapter atomically.</summary>
    public static TrainingResult Run(TrainLoraOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Training.Validate();
        var output = Path.GetFullPath(options.Output);
        if (!options.Overwrite && (Directory.Exists(output) || File.Exists(output)))
            throw new IOException($"'{output}' already exists; pass --force to replace it");
        // Cheap checks first: the data, the tokenizer, the config, the adapter targets.
        var rows = NarrationData.Read(options.Data);
        var tokenizer = OptTokenizer.FromHuggingFaceFolder(options.Model);
        var examples = NarrationData.Tokenize(rows, tokenizer, options.Training.MaxLength, options.Data);
        var (train, validation) = NarrationData.Split(examples, options.Training.ValidationSplit, options.Training.Seed);

        using var checkpoint = HfCheckpoint.Load(options.Model);
        var adapterConfig = options.Adapter with { BaseModelNameOrPath = options.Adapter.BaseModelNameOrPath ?? checkpoint.Folder };
        LoraAdapter.Create(checkpoint.Model, adapterConfig, options.Training.Seed);
        var settings = new Dictionary<string, string>
        {
            ["data_sha256"] = NarrationData.Hash(options.Data),
            ["model"] = checkpoint.Folder,
            ["model_config"] = checkpoint.Config.ToString(),
            ["adapter"] = adapterConfig.ToString(),
            ["lora_dropout"] = adapterConfig.Dropout.ToString("R", CultureInfo.InvariantCulture),
        };
        var trainer = new Trainer(checkpoint.Model, LoraAdapter.Parameters(checkpoint.Model), options.Training, options.Checkpoints, settings);
        var result = trainer.Run(train, validation, options.Resume, progress, cancellation);

        using var folder = AtomicOutput.Folder(output, options.Overwrite);
        LoraAdapter.Save(checkpoint.Model, adapterConfig, folder.TempPath);
        folder.Commit();
        return result;
    }
}
