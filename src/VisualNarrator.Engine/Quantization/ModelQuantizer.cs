using System.Diagnostics;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Quantization;

/// <summary>One tensor of a quantization plan.</summary>
/// <param name="Source">The tensor in the input file.</param>
/// <param name="Choice">The type it is written as, and the type the mix wanted before any fallback.</param>
/// <param name="ByteSize">Its size in the output file (without alignment padding).</param>
public sealed record TensorQuantization(GgufTensorInfo Source, TensorTypeChoice Choice, long ByteSize)
{
    /// <summary>The type written.</summary>
    public GgmlType Type => Choice.Type;

    /// <summary>True when the data is converted; false when its bytes are copied unchanged.</summary>
    public bool Converts => Source.Type != Choice.Type;
}

/// <summary>What <see cref="ModelQuantizer.Plan"/> decided for a file: one entry per tensor, in file order.</summary>
/// <param name="Source">The validated input file.</param>
/// <param name="Preset">The whole-model type.</param>
/// <param name="Tensors">Every tensor with its output type.</param>
public sealed record QuantizationPlan(GgufFile Source, QuantizationPreset Preset, IReadOnlyList<TensorQuantization> Tensors)
{
    /// <summary>Tensor data bytes of the output (without padding).</summary>
    public long OutputTensorBytes => Tensors.Sum(t => t.ByteSize);
}

/// <summary>Progress of <see cref="ModelQuantizer.Quantize"/>, reported after each tensor is written.</summary>
/// <param name="TensorsDone">Tensors written so far.</param>
/// <param name="TensorCount">Tensors in the model.</param>
/// <param name="Tensor">Name of the tensor just written.</param>
/// <param name="Type">Its output type.</param>
/// <param name="SourceBytesDone">Input tensor bytes processed so far.</param>
/// <param name="SourceBytesTotal">Input tensor bytes in all.</param>
public readonly record struct QuantizeProgress(int TensorsDone, int TensorCount, string Tensor, GgmlType Type, long SourceBytesDone, long SourceBytesTotal);

/// <summary>Outcome of a finished quantization.</summary>
/// <param name="Plan">The per-tensor types that were written.</param>
/// <param name="OutputPath">The output file.</param>
/// <param name="InputBytes">Size of the input file.</param>
/// <param name="OutputBytes">Size of the output file.</param>
/// <param name="Elapsed">Wall time from opening the input to the renamed output.</param>
public sealed record QuantizeResult(QuantizationPlan Plan, string OutputPath, long InputBytes, long OutputBytes, TimeSpan Elapsed);

/// <summary>Options of <see cref="ModelQuantizer.Quantize"/>.</summary>
/// <param name="Threads">Rows are quantized on this many threads (0: one per logical processor).</param>
public sealed record QuantizeOptions(int Threads = 0);

/// <summary>
/// Converts an F32/F16/BF16 GGUF model of a supported architecture to a smaller GGUF (f16, q8_0, q6_k, q5_k_m, q4_k_m,
/// q4_0) with llama.cpp's per-tensor mix (<see cref="QuantizationMix"/>). The input is validated against its
/// architecture and every tensor's type is decided before a byte is written; tensors are then converted in file order
/// by a <see cref="ConversionPipeline"/> (chunks of rows on every thread: F16/BF16 widened by ggml's CPU row
/// conversion, F32 used where it was read, each chunk quantized by ggml_quantize_chunk straight into the output tensor)
/// and streamed into a temp file that is renamed over the output only when complete. All metadata is copied;
/// <c>general.file_type</c> is set to the preset's llama_ftype and <c>general.quantization_version</c> to 2. Output is
/// deterministic: the same input and preset give the same bytes.
/// </summary>
public static class ModelQuantizer
{
    /// <summary>ggml's GGML_QNT_VERSION, written as general.quantization_version.</summary>
    public const uint QuantizationVersion = 2;

    private static readonly string[] SplitKeys = ["split.no", "split.count", "split.tensors.count"];

    /// <summary>Validates <paramref name="file"/> against its architecture and decides every tensor's output type.</summary>
    /// <exception cref="ModelLoadException">The file does not fit its architecture (missing or unexpected tensor, wrong
    /// shape or type, bad hyperparameters), a tensor would need converting from a quantized type (requantizing is not
    /// supported, as in llama.cpp by default), or no output type fits a tensor's row length.</exception>
    public static QuantizationPlan Plan(GgufFile file, QuantizationPreset preset)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(preset);
        string archName;
        try { archName = file.GetString(GgufKeys.Architecture); }
        catch (GgufFormatException ex) { throw new ModelLoadException(file.Path, ex.Problem); }
        var arch = DecoderArchitecture.For(archName, file.Path);
        var hp = ModelHyperparameters.Read(file, archName);
        ModelWeights.Validate(file, arch.Tensors(hp));

        var tied = file.FindTensor(TensorNames.Output) is null;
        var tensors = new List<TensorQuantization>(file.Tensors.Count);
        foreach (var t in file.Tensors)
        {
            TensorTypeChoice choice;
            try { choice = QuantizationMix.Choose(preset, t.Name, t.Shape, t.Type, hp.BlockCount, tied); }
            catch (ArgumentException ex) { throw new ModelLoadException(file.Path, ex.Message); }
            if (choice.Type != t.Type && t.Type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16))
                throw new ModelLoadException(file.Path,
                    $"tensor '{t.Name}' is {GgmlTypeInfo.Name(t.Type)} and would have to become {GgmlTypeInfo.Name(choice.Type)}; " +
                    "requantizing an already quantized tensor is not supported: quantize from the F32, F16 or BF16 model");
            var rows = t.ElementCount / t.Shape[0];
            tensors.Add(new TensorQuantization(t, choice, checked(GgmlTypeInfo.RowBytes(choice.Type, t.Shape[0]) * rows)));
        }
        return new QuantizationPlan(file, preset, tensors);
    }

    /// <summary>Quantizes <paramref name="inputPath"/> to <paramref name="outputPath"/>. Nothing is written until the
    /// input has been validated and planned; on any failure or cancellation the output path is left as it was.</summary>
    /// <exception cref="GgufFormatException">The input is not valid GGUF.</exception>
    /// <exception cref="ModelLoadException">The input does not fit its architecture, or cannot be quantized (see <see cref="Plan"/>).</exception>
    /// <exception cref="DirectoryNotFoundException">The output's folder does not exist.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static QuantizeResult Quantize(string inputPath, string outputPath, QuantizationPreset preset, QuantizeOptions? options = null,
        IProgress<QuantizeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        options ??= new QuantizeOptions();
        if (options.Threads < 0) throw new Inference.InvalidSettingException("--threads", $"threads must be 0 (all cores) or positive, got {options.Threads}");
        var stopwatch = Stopwatch.StartNew();
        var output = Path.GetFullPath(outputPath);
        var outputDir = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(outputDir))
            throw new DirectoryNotFoundException($"{outputPath}: folder '{outputDir}' does not exist");

        var file = GgufFile.Open(inputPath);
        var plan = Plan(file, preset);

        var writer = new GgufWriter();
        foreach (var (key, value) in file.Metadata) writer.Set(key, value);
        foreach (var key in SplitKeys) writer.Remove(key);
        writer.SetUInt32(GgufKeys.FileType, preset.FileType);
        writer.SetUInt32(GgufKeys.QuantizationVersion, QuantizationVersion);

        var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        using var source = file.OpenForParallelReads();
        using var conversions = new ConversionPipeline(
            file, source, plan.Tensors.Where(t => t.Converts), threads, cancellationToken);
        long sourceTotal = plan.Tensors.Sum(t => t.Source.ByteSize), sourceDone = 0;
        var done = 0;
        foreach (var tensor in plan.Tensors)
        {
            writer.AddTensor(tensor.Source.Name, tensor.Type, tensor.Source.Shape, stream =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (tensor.Converts) stream.Write(conversions.Take());
                else file.CopyTensorData(tensor.Source, stream);
                sourceDone += tensor.Source.ByteSize;
                progress?.Report(new QuantizeProgress(++done, plan.Tensors.Count, tensor.Source.Name, tensor.Type, sourceDone, sourceTotal));
            });
        }
        writer.WriteTo(output);
        return new QuantizeResult(plan, output, file.FileLength, new FileInfo(output).Length, stopwatch.Elapsed);
    }
}
