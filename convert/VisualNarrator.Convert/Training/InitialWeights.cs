using System.Globalization;
using VisualNarrator.Convert.Gguf;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Training;

/// <summary>
/// <c>train --init</c>: copies every parameter of an existing OPT model into a freshly built one (continued
/// pre-training). The source is an <c>opt</c> GGUF file with F32, F16 or BF16 tensors (as <c>to-gguf</c> writes
/// them) or a HuggingFace checkpoint folder, and must have exactly the model's shape. The GGUF position table lacks
/// OPT's first two offset rows; they are set to zero (the decoder never reads them: positions start at the offset).
/// </summary>
public static class InitialWeights
{
    /// <summary>The settings that identify an init source, for the trainer's resume check: <c>init</c> (the full
    /// path) and, for a file, <c>init_sha256</c>.</summary>
    /// <exception cref="FileNotFoundException">Neither a file nor a folder.</exception>
    public static IReadOnlyDictionary<string, string> Settings(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return new Dictionary<string, string> { ["init"] = full };
        if (!File.Exists(full)) throw new FileNotFoundException($"--init {full}: no such GGUF file or HuggingFace checkpoint folder", full);
        return new Dictionary<string, string> { ["init"] = full, ["init_sha256"] = NarrationData.Hash(full) };
    }

    /// <summary>Overwrites every parameter of <paramref name="model"/> with the source's.</summary>
    /// <exception cref="CheckpointException">The source's shape differs from the model's (the message names the GGUF key,
    /// tensor or config.json field, expected and found), or a GGUF tensor is quantized.</exception>
    public static void Load(OptForCausalLM model, string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) LoadHuggingFace(model, full);
        else if (File.Exists(full)) LoadGguf(model, full);
        else throw new FileNotFoundException($"--init {full}: no such GGUF file or HuggingFace checkpoint folder", full);
    }

    private static void LoadHuggingFace(OptForCausalLM model, string folder)
    {
        var expected = model.Config;
        var found = OptConfig.Read(folder);
        var path = Path.Combine(folder, OptConfig.FileName);
        void Same<T>(string field, T want, T have)
        {
            if (!EqualityComparer<T>.Default.Equals(want, have))
                throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture,
                    $"--init model does not have the training shape: '{field}' is {Text(have)}, expected {Text(want)}"));
        }
        Same("num_hidden_layers", expected.NumHiddenLayers, found.NumHiddenLayers);
        Same("hidden_size", expected.HiddenSize, found.HiddenSize);
        Same("num_attention_heads", expected.NumAttentionHeads, found.NumAttentionHeads);
        Same("ffn_dim", expected.FfnDim, found.FfnDim);
        Same("vocab_size", expected.VocabSize, found.VocabSize);
        Same("max_position_embeddings", expected.MaxPositionEmbeddings, found.MaxPositionEmbeddings);
        Same("word_embed_proj_dim", expected.WordEmbedProjDim, found.WordEmbedProjDim);
        Same("do_layer_norm_before", expected.DoLayerNormBefore, found.DoLayerNormBefore);
        Same("_remove_final_layer_norm", expected.RemoveFinalLayerNorm, found.RemoveFinalLayerNorm);
        Same("enable_bias", expected.EnableBias, found.EnableBias);
        Same("layer_norm_elementwise_affine", expected.LayerNormElementwiseAffine, found.LayerNormElementwiseAffine);
        Same("tie_word_embeddings", expected.TieWordEmbeddings, found.TieWordEmbeddings);
        Same("activation_function", expected.ActivationFunction, found.ActivationFunction);

        using var source = HfCheckpoint.Load(folder);
        var values = source.Model.BaseParameters().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var (key, p) in model.BaseParameters()) p.copy_(values[key]);
    }

    private static void LoadGguf(OptForCausalLM model, string path)
    {
        GgufFile file;
        try
        {
            file = GgufFile.Open(path);
        }
        catch (GgufFormatException ex)
        {
            throw new CheckpointException(path, $"--init is neither a HuggingFace checkpoint folder nor a readable GGUF file: {ex.Message}", ex);
        }
        var arch = file.TryGet(GgufKeys.Architecture, out _) ? $"'{file.GetString(GgufKeys.Architecture)}'" : "missing";
        if (arch != "'opt'") throw new CheckpointException(path, $"'{GgufKeys.Architecture}' is {arch}, expected 'opt'");
        // Refuse quantized files first: their shapes are right, so this is the message that helps.
        var quantized = file.Tensors.FirstOrDefault(t => !OptGgufExporter.DirectTypes.Contains(t.Type));
        if (quantized is not null)
            throw new CheckpointException(path, $"tensor '{quantized.Name}' is {GgmlTypeInfo.Name(quantized.Type)}; --init needs unquantized weights " +
                "(F32, F16 or BF16): use the file 'convert to-gguf --type f16' writes");

        var want = OptGgufExporter.Hyperparameters(model.Config);
        ModelHyperparameters found;
        try
        {
            found = ModelHyperparameters.Read(file, "opt");
        }
        catch (ModelLoadException ex)
        {
            throw new CheckpointException(path, ex.Problem, ex);
        }
        void Same<T>(string key, T expected, T have)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, have))
                throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture,
                    $"--init model does not have the training shape: '{key}' is {Text(have)}, expected {Text(expected)}"));
        }
        Same(ModelHyperparameters.BlockCountKey("opt"), want.BlockCount, found.BlockCount);
        Same(ModelHyperparameters.EmbeddingLengthKey("opt"), want.EmbeddingLength, found.EmbeddingLength);
        Same(ModelHyperparameters.HeadCountKey("opt"), want.HeadCount, found.HeadCount);
        Same(ModelHyperparameters.FeedForwardLengthKey("opt"), want.FeedForwardLength, found.FeedForwardLength);
        Same($"{TensorNames.TokenEmbd} rows (vocabulary)", want.VocabSize, found.VocabSize);
        Same(ModelHyperparameters.ContextLengthKey("opt"), want.ContextLength, found.ContextLength);
        Same(ModelHyperparameters.TokenEmbeddingLengthKey("opt"), want.TokenEmbeddingWidth, found.TokenEmbeddingWidth);
        Same(ModelHyperparameters.LayerNormBeforeKey("opt"), want.LayerNormBefore, found.LayerNormBefore);
        Same(ModelHyperparameters.LayerNormEpsilonKey("opt"), want.LayerNormEpsilon, found.LayerNormEpsilon);

        var targets = Targets(model, want);
        var specs = new Opt().Tensors(want).ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var info in file.Tensors)
            if (!targets.ContainsKey(info.Name))
                throw new CheckpointException(path, $"--init model does not have the training shape: it has tensor '{info.Name}', which the model lacks" +
                    (info.Name == TensorNames.Output ? " (its LM head is tied to the token embedding)" : ""));
        foreach (var (name, target) in targets)
        {
            var info = file.FindTensor(name);
            var problem = specs.TryGetValue(name, out var spec) ? spec.Check(info) : info is null ? $"missing tensor '{name}'" : null;
            if (problem is not null) throw new CheckpointException(path, $"--init model does not have the training shape: {problem}");
            var torchShape = info!.Shape.Reverse().ToArray();
            if (!torchShape.SequenceEqual(target.shape))
                throw new CheckpointException(path, $"tensor '{name}' is {info.ShapeText}, the model wants torch shape [{string.Join(", ", target.shape)}]");
            var dtype = info.Type switch { GgmlType.F32 => ScalarType.Float32, GgmlType.F16 => ScalarType.Float16, _ => ScalarType.BFloat16 };
            using var scope = NewDisposeScope();
            var data = empty(torchShape, dtype);
            file.ReadTensorData(info, data.bytes);
            using var _ = no_grad();
            target.copy_(data);
        }
        using (no_grad())
            model.Decoder.EmbedPositions.narrow(0, 0, OptDecoder.PositionOffset).zero_();
    }

    private static string Text(object? value) => value switch
    {
        bool b => b ? "true" : "false",
        string s => $"'{s}'",
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "(none)",
    };

    /// <summary>The model tensor each GGUF tensor fills: the inverse of the exporter's sources (the position table
    /// without its first <see cref="OptDecoder.PositionOffset"/> rows).</summary>
    private static Dictionary<string, Tensor> Targets(OptForCausalLM model, ModelHyperparameters hp)
    {
        var parameters = model.BaseParameters().ToDictionary(p => p.Key, p => (Tensor)p.Value, StringComparer.Ordinal);
        var map = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var row in TensorNames.Table.Where(r => r.HuggingFace is not null))
        {
            var layers = row.PerLayer ? Enumerable.Range(0, hp.BlockCount) : new[] { -1 };
            foreach (var layer in layers)
                foreach (var suffix in new[] { TensorNames.WeightSuffix, TensorNames.BiasSuffix })
                    if (parameters.TryGetValue(TensorNames.HuggingFace(row.Tensor, suffix, layer), out var p))
                        map[TensorNames.Tn(row.Tensor, suffix, layer)] = p;
        }
        var positions = model.Decoder.EmbedPositions.detach(); // shares the storage; written under no_grad
        map[TensorNames.PositionEmbd] = positions.narrow(0, OptDecoder.PositionOffset, positions.shape[0] - OptDecoder.PositionOffset);
        if (map.Count != parameters.Count)
            throw new NotSupportedException($"--init from GGUF needs every parameter to have a GGUF tensor; {parameters.Count - map.Count} have none");
        return map;
    }
}
