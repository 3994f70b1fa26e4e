using System.Globalization;
using TorchSharp;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Gguf;

/// <summary>Where a converted model came from, recorded in the GGUF metadata.</summary>
/// <param name="SourceModel">The HF checkpoint (its _name_or_path, else its folder name).</param>
/// <param name="SourceDType">The dtype the source weights were stored in.</param>
/// <param name="Adapter">The merged LoRA adapter's folder name, if any.</param>
/// <param name="AdapterRank">Its r.</param>
/// <param name="AdapterAlpha">Its lora_alpha.</param>
/// <param name="AdapterTargets">Its target modules.</param>
/// <param name="AdapterRsLora">Whether it uses rsLoRA scaling.</param>
/// <param name="AdapterBaseModel">Its base_model_name_or_path.</param>
public sealed record GgufProvenance(string SourceModel, string SourceDType, string? Adapter = null, int AdapterRank = 0, double AdapterAlpha = 0,
    IReadOnlyList<string>? AdapterTargets = null, bool AdapterRsLora = false, string? AdapterBaseModel = null);

/// <summary>
/// Writes an <see cref="OptForCausalLM"/> as the engine's <c>opt</c> GGUF contract (see
/// VisualNarrator.Engine.Models.Opt): every OPT variant (pre- and post-LN, with or without project_in / project_out).
/// Tensor names, shapes and each one's HuggingFace source come from the engine's <see cref="TensorNames"/> table and
/// contract; HF weights [out, in] are stored as ggml {in, out} (the same bytes), the position table drops HF's first
/// two rows, 1-D tensors are F32 and matrices the requested type. Models without biases or without LayerNorm
/// parameters get zero biases and unit LayerNorm weights, which computes the same function. The tokenizer is padded
/// with unused tokens to the embedding's rows.
/// </summary>
public static class OptGgufExporter
{
    /// <summary>Metadata key prefix for provenance.</summary>
    public const string ProvenancePrefix = "visual_narrator.convert.";

    /// <summary>Weight types written directly (quantized types go through the engine's quantizer).</summary>
    public static IReadOnlyList<GgmlType> DirectTypes { get; } = [GgmlType.F32, GgmlType.F16, GgmlType.BF16];

    /// <summary>Checks that the engine's <c>opt</c> graph can run the model.</summary>
    /// <exception cref="NotSupportedException">A pre-LN model without its final LayerNorm (<c>_remove_final_layer_norm</c>),
    /// which no published OPT checkpoint is.</exception>
    public static void CheckSupported(OptConfig config)
    {
        if (config.DoLayerNormBefore && config.RemoveFinalLayerNorm)
            throw new NotSupportedException("the engine's pre-LN 'opt' graph ends with a final LayerNorm; this model has none (_remove_final_layer_norm true)");
    }

    /// <summary>The engine hyperparameters of an OPT config.</summary>
    public static ModelHyperparameters Hyperparameters(OptConfig config) =>
        new("opt", config.MaxPositionEmbeddings, config.HiddenSize, config.FfnDim, config.NumHiddenLayers, config.NumAttentionHeads, 1e-5f,
            config.VocabSize, config.DoLayerNormBefore, config.HasProjection ? config.WordEmbedProjDim : null);

    /// <summary>Builds the GGUF writer; tensor data is produced from the model while the file is written, so the
    /// model must stay alive until <see cref="GgufWriter.WriteTo(string, IProgress{GgufWriteProgress}?)"/> returns.</summary>
    /// <param name="model">The model (any attached LoRA branches must be merged first).</param>
    /// <param name="tokenizer">The tokenizer; padded to the embedding's rows.</param>
    /// <param name="type">Matrix type: F32, F16 or BF16.</param>
    /// <param name="provenance">What to record about the source.</param>
    public static GgufWriter Build(OptForCausalLM model, TokenizerSpec tokenizer, GgmlType type, GgufProvenance provenance)
    {
        var config = model.Config;
        CheckSupported(config);
        if (!DirectTypes.Contains(type))
            throw new ArgumentException($"type {GgmlTypeInfo.Name(type)} is not written directly; use f32, f16 or bf16");
        if (model.Projections().Any(p => p.Module.HasLora))
            throw new InvalidOperationException("merge the LoRA adapter into the model before exporting it");
        if (tokenizer.Count > config.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizer.Count} tokens but the embedding has only {config.VocabSize} rows");

        var hp = Hyperparameters(config);
        var writer = new GgufWriter();
        hp.WriteTo(writer);
        writer.SetString(GgufKeys.Name, provenance.Adapter is null ? provenance.SourceModel : $"{provenance.SourceModel} + {provenance.Adapter}");
        writer.SetUInt32(GgufKeys.FileType, type switch { GgmlType.F32 => 0u, GgmlType.F16 => 1u, _ => 32u });
        tokenizer.PadTo(config.VocabSize).WriteTo(writer);
        WriteProvenance(writer, provenance);

        var sources = Sources(model, hp);
        foreach (var spec in new Opt().TensorsInFileOrder(hp))
        {
            var torchShape = spec.Shape.Reverse().ToArray();
            Func<Tensor>? source = sources.GetValueOrDefault(spec.Name);
            // Absent affine parameters (enable_bias / layer_norm_elementwise_affine false) are the identity.
            if (source is null && spec.Name.EndsWith("." + TensorNames.BiasSuffix, StringComparison.Ordinal)) source = () => zeros(torchShape);
            else if (source is null && spec.Name.EndsWith("norm." + TensorNames.WeightSuffix, StringComparison.Ordinal)) source = () => ones(torchShape);
            if (source is null)
            {
                if (spec.Required) throw new InvalidOperationException($"no source for GGUF tensor '{spec.Name}'");
                continue;
            }
            var tensorType = spec.Shape.Length >= 2 ? type : GgmlType.F32;
            var name = spec.Name;
            var shape = spec.Shape;
            writer.AddTensor(name, tensorType, shape, stream => WriteTensor(stream, name, shape, tensorType, source));
        }
        return writer;
    }

    private static void WriteProvenance(GgufWriter writer, GgufProvenance p)
    {
        writer.SetString(ProvenancePrefix + "tool", $"VisualNarrator.Convert {typeof(OptGgufExporter).Assembly.GetName().Version}");
        writer.SetString(ProvenancePrefix + "source.model", p.SourceModel);
        writer.SetString(ProvenancePrefix + "source.dtype", p.SourceDType);
        if (p.Adapter is null) return;
        writer.SetString(ProvenancePrefix + "lora.adapter", p.Adapter);
        writer.SetUInt32(ProvenancePrefix + "lora.r", (uint)p.AdapterRank);
        writer.SetFloat32(ProvenancePrefix + "lora.alpha", (float)p.AdapterAlpha);
        writer.SetStringArray(ProvenancePrefix + "lora.target_modules", p.AdapterTargets ?? []);
        writer.SetBool(ProvenancePrefix + "lora.use_rslora", p.AdapterRsLora);
        if (p.AdapterBaseModel is not null) writer.SetString(ProvenancePrefix + "lora.base_model_name_or_path", p.AdapterBaseModel);
    }

    /// <summary>The source of every GGUF tensor the model has, found by its HuggingFace key in the tensor-name table:
    /// a function giving the tensor in torch layout ([out, in] for matrices, which is ggml's {in, out}).</summary>
    private static Dictionary<string, Func<Tensor>> Sources(OptForCausalLM model, ModelHyperparameters hp)
    {
        var parameters = model.BaseParameters().ToDictionary(p => p.Key, p => (Tensor)p.Value, StringComparer.Ordinal);
        var map = new Dictionary<string, Func<Tensor>>(StringComparer.Ordinal);
        foreach (var row in TensorNames.Table.Where(r => r.HuggingFace is not null))
        {
            var layers = row.PerLayer ? Enumerable.Range(0, hp.BlockCount) : new[] { -1 };
            foreach (var layer in layers)
                foreach (var suffix in new[] { TensorNames.WeightSuffix, TensorNames.BiasSuffix })
                    if (parameters.TryGetValue(TensorNames.HuggingFace(row.Tensor, suffix, layer), out var p))
                        map[TensorNames.Tn(row.Tensor, suffix, layer)] = () => p;
        }
        var d = model.Decoder;
        map[TensorNames.PositionEmbd] = () => d.EmbedPositions.narrow(0, OptDecoder.PositionOffset, d.EmbedPositions.shape[0] - OptDecoder.PositionOffset);
        return map;
    }

    private static void WriteTensor(Stream stream, string name, long[] ggmlShape, GgmlType type, Func<Tensor> source)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var t = source().detach();
        var expected = ggmlShape.Reverse().ToArray();
        if (!t.shape.SequenceEqual(expected))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"GGUF tensor '{name}' wants torch shape [{string.Join(", ", expected)}], the model has [{string.Join(", ", t.shape)}]"));
        var dtype = type switch { GgmlType.F32 => ScalarType.Float32, GgmlType.F16 => ScalarType.Float16, _ => ScalarType.BFloat16 };
        var data = t.to(dtype).contiguous();
        stream.Write(data.bytes);
    }
}
