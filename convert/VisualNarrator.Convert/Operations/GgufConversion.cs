using VisualNarrator.Convert.IO;
using VisualNarrator.Convert.Gguf;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Lora;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Convert.Operations;

/// <summary>Options of <see cref="GgufConversion.Convert"/>.</summary>
/// <param name="Model">HF checkpoint folder.</param>
/// <param name="Output">GGUF file to write.</param>
/// <param name="Type">Matrix type (f32, f16, bf16).</param>
/// <param name="Lora">PEFT adapter folder to merge on the fly, if any.</param>
/// <param name="Tokenizer">Tokenizer folder when the checkpoint has none.</param>
/// <param name="Overwrite">Replace an existing output file.</param>
/// <param name="Quantize">When set, the model is written as F32 to a temp file and quantized with the engine's
/// quantizer (llama.cpp's mixes) into <paramref name="Output"/>; <paramref name="Type"/> is then ignored.</param>
/// <param name="PromptTemplates">Prompt templates the model was trained with, stored in the file (the first is the
/// default); none: the file has none and readers fall back to the seed's.</param>
public sealed record ToGgufOptions(string Model, string Output, GgmlType Type, string? Lora = null, string? Tokenizer = null, bool Overwrite = false,
    QuantizationPreset? Quantize = null, IReadOnlyList<(string Name, string Text)>? PromptTemplates = null);

/// <summary>HF checkpoint (+ LoRA adapter) → <c>opt</c> GGUF.</summary>
public static class GgufConversion
{
    /// <summary>Parses <c>--prompt-template</c> values: <c>NAME=TEXT</c> with <c>{scene}</c> exactly once, or <c>seed</c>
    /// for the seed's four templates; the first one is the default.</summary>
    /// <exception cref="ArgumentException">A value has no name, no placeholder, or a name is repeated.</exception>
    public static IReadOnlyList<(string Name, string Text)> ParsePromptTemplates(IEnumerable<string> values)
    {
        var list = new List<(string Name, string Text)>();
        foreach (var value in values)
        {
            if (value.Trim() == "seed")
            {
                list.AddRange(VisualNarrator.Engine.Generation.PromptTemplates.ByName.Select(kv => (kv.Key, kv.Value)));
                continue;
            }
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? value[..eq].Trim() : "";
            var text = eq > 0 ? value[(eq + 1)..] : value;
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9][a-z0-9_-]{0,31}$"))
                throw new ArgumentException($"--prompt-template must be NAME=TEXT (NAME: lower-case letters, digits, - or _) or 'seed', got '{value}'");
            if (!VisualNarrator.Engine.Generation.PromptFormat.IsValidTemplate(text))
                throw new ArgumentException($"--prompt-template {name}: the template must contain {{scene}} exactly once (at most 1000 characters), got '{text}'");
            list.Add((name, text));
        }
        var repeated = list.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"--prompt-template: the name '{repeated.Key}' is given twice");
        return list;
    }

    /// <summary>Parses a --type value: f32, f16, bf16 are written directly; q8_0, q6_k, q5_k_m, q4_k_m, q4_0 go through
    /// the engine's quantizer.</summary>
    /// <exception cref="ArgumentException">Unknown type.</exception>
    public static (GgmlType Type, QuantizationPreset? Quantize) ParseTarget(string text)
    {
        var name = text.Trim().ToLowerInvariant();
        return name switch
        {
            "f32" => (GgmlType.F32, null),
            "f16" => (GgmlType.F16, null),
            "bf16" => (GgmlType.BF16, null),
            _ when QuantizationPreset.TryParse(name, out var preset) && preset.IsQuantized => (GgmlType.F32, preset),
            _ => throw new ArgumentException($"--type must be f32, f16, bf16 or one of {string.Join(", ", QuantizationPreset.All.Where(p => p.IsQuantized).Select(p => p.Name))}, got '{text}'"),
        };
    }

    /// <summary>Parses an unquantized --type value (f32, f16, bf16).</summary>
    /// <exception cref="ArgumentException">Unknown or quantized type.</exception>
    public static GgmlType ParseType(string text) => ParseTarget(text) is (var type, null) ? type
        : throw new ArgumentException($"--type {text} is quantized; use ParseTarget");

    /// <summary>Loads, merges the adapter if given, checks the engine can run the model, and writes the GGUF atomically.</summary>
    /// <param name="options">What to convert.</param>
    /// <param name="progress">Load and write progress, 0 to 1, with a phase name.</param>
    /// <param name="cancellationToken">Ctrl+C: checked between phases and at every progress step; the output and the
    /// F32 intermediate are removed.</param>
    /// <returns>The warnings the adapter produced (e.g. fan_in_fan_out reset).</returns>
    public static IReadOnlyList<string> Convert(ToGgufOptions options, IProgress<(string Phase, double Fraction)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var output = Path.GetFullPath(options.Output);
        if (!options.Overwrite && File.Exists(output)) throw new IOException($"'{output}' already exists; pass --force to replace it");
        var outputDir = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(outputDir)) throw new DirectoryNotFoundException($"the folder of '{output}' does not exist");

        // Read everything cheap first, so bad input fails before the model is loaded.
        var config = Modeling.OptConfig.Read(options.Model);
        OptGgufExporter.CheckSupported(config);
        var tokenizerFolder = options.Tokenizer ?? options.Model;
        var tokenizer = HuggingFaceTokenizerFolder.Read(tokenizerFolder);
        if (tokenizer.Count > config.VocabSize)
            throw new CheckpointException(tokenizerFolder, $"the tokenizer has {tokenizer.Count} tokens, more than the {config.VocabSize} embedding rows of the model");
        var adapterConfig = options.Lora is null ? null : LoraConfig.Read(options.Lora);

        void Report(string phase, double fraction)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report((phase, fraction));
        }
        using var checkpoint = HfCheckpoint.Load(options.Model, new SyncProgress<double>(f => Report("loading", f)));
        cancellationToken.ThrowIfCancellationRequested();
        var warnings = new List<string>();
        if (options.Lora is not null)
        {
            warnings.AddRange(LoraAdapter.Load(checkpoint.Model, options.Lora).Warnings);
            LoraAdapter.MergeAll(checkpoint.Model);
        }
        var provenance = new GgufProvenance(
            checkpoint.Config.NameOrPath is { Length: > 0 } n ? n : Path.GetFileName(checkpoint.Folder),
            string.Join("+", checkpoint.StoredDTypes.Order()),
            options.Lora is null ? null : Path.GetFileName(Path.GetFullPath(options.Lora).TrimEnd('/')),
            adapterConfig?.R ?? 0, adapterConfig?.Alpha ?? 0, adapterConfig?.TargetModules, adapterConfig?.UseRsLora ?? false,
            adapterConfig?.BaseModelNameOrPath);
        var writer = OptGgufExporter.Build(checkpoint.Model, tokenizer, options.Quantize is null ? options.Type : GgmlType.F32, provenance);
        if (options.PromptTemplates is [var first, ..] templates)
        {
            writer.SetString(GgufKeys.PromptTemplate, first.Text);
            foreach (var (name, text) in templates) writer.SetString($"{GgufKeys.PromptTemplate}.{name}", text);
        }
        var writeProgress = new SyncProgress<GgufWriteProgress>(p => Report("writing", (double)p.BytesWritten / Math.Max(1, p.TotalBytes)));
        if (options.Quantize is not { } preset)
        {
            writer.WriteTo(output, writeProgress);
            return warnings;
        }
        // Full precision first, then llama.cpp's mix through the engine's quantizer; the intermediate never outlives this call.
        // It is registered with AtomicFile, so a signal removes it and a later run removes it after a SIGKILL.
        var intermediate = AtomicFile.ReserveTemp(output, "f32");
        try
        {
            using (var stream = new FileStream(intermediate, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                writer.WriteTo(stream, writeProgress);
            ModelQuantizer.Quantize(intermediate, output, preset, progress: new SyncProgress<QuantizeProgress>(p =>
                Report("quantizing", (double)p.SourceBytesDone / Math.Max(1, p.SourceBytesTotal))), cancellationToken: cancellationToken);
        }
        finally
        {
            AtomicFile.Discard(intermediate);
        }
        return warnings;
    }
}
