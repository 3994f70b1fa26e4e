using VisualNarrator.CommandLine;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.IO;
using VisualNarrator.Convert.Lora;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Operations;

/// <summary>Options of <see cref="Merging.Run"/>.</summary>
/// <param name="Model">Base HF checkpoint folder.</param>
/// <param name="Lora">PEFT adapter folder.</param>
/// <param name="Output">Merged checkpoint folder to write.</param>
/// <param name="DType">Stored dtype of the merged weights (null: as the base checkpoint stored them).</param>
/// <param name="Format">Weight file format.</param>
/// <param name="Overwrite">Replace an existing output folder.</param>
public sealed record MergeOptions(string Model, string Lora, string Output, ScalarType? DType = null, WeightFormat Format = WeightFormat.Safetensors,
    bool Overwrite = false);

/// <summary>merge: base checkpoint + adapter → a merged HF checkpoint (W += scaling · B @ A, in fp32).</summary>
public static class Merging
{
    /// <summary>Merges and writes the checkpoint folder atomically (tokenizer files copied from the base).</summary>
    /// <returns>Warnings from reading the adapter.</returns>
    public static IReadOnlyList<string> Run(MergeOptions options, IProgress<(string Phase, double Fraction)>? progress = null)
    {
        var output = Path.GetFullPath(options.Output);
        using var folder = AtomicOutput.Folder(output, options.Overwrite);
        LoraConfig.Read(options.Lora);
        using var checkpoint = HfCheckpoint.Load(options.Model, new SyncProgress<double>(f => progress?.Report(("loading", f))));
        var attached = LoraAdapter.Load(checkpoint.Model, options.Lora);
        LoraAdapter.MergeAll(checkpoint.Model);
        HfCheckpoint.Save(checkpoint.Model, folder.TempPath, options.DType ?? checkpoint.StoredType, options.Format, sideFilesFrom: checkpoint.Folder,
            progress: new SyncProgress<double>(f => progress?.Report(("writing", f))));
        folder.Commit();
        return attached.Warnings;
    }
}
