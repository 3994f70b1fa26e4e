using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Models;

/// <summary>A decoder-only transformer of the GPT-2 / OPT family: learned positions, LayerNorm with bias, multi-head
/// attention, a two-matrix FFN. An architecture supplies its tensor contract and builds its own graph from the shared
/// blocks of <see cref="GraphBuilder"/>; tensor names come from <see cref="TensorNames"/>.</summary>
public abstract class DecoderArchitecture
{
    /// <summary>general.architecture value.</summary>
    public abstract string Name { get; }

    /// <summary>Every tensor the architecture expects for these hyperparameters, with ggml-order shapes.</summary>
    public abstract IEnumerable<TensorSpec> Tensors(ModelHyperparameters hp);

    /// <summary><see cref="Tensors"/> in the order writers place them in a file: each group of <see cref="Fusions"/>
    /// is moved up to where its first part was and laid out stack by stack (OPT: a layer's q, k and v matrices, then their
    /// three biases), so that every stack lies back to back and a mapped load uses it in place instead of copying it.
    /// </summary>
    public IEnumerable<TensorSpec> TensorsInFileOrder(ModelHyperparameters hp)
    {
        var specs = Tensors(hp).ToList();
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var groupOf = new Dictionary<string, IReadOnlyList<TensorFusion>>(StringComparer.Ordinal);
        foreach (var group in Fusions(hp))
            foreach (var part in group.SelectMany(f => f.Parts))
                groupOf[part] = group;
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var names = groupOf.TryGetValue(spec.Name, out var group) ? group.SelectMany(f => f.Parts) : [spec.Name];
            foreach (var name in names)
                if (byName.TryGetValue(name, out var part) && placed.Add(name)) yield return part;
        }
    }

    /// <summary>Builds the forward pass of one batch and returns its logits [n_vocab, n_outputs].</summary>
    internal abstract GgmlTensor Build(GraphBuilder b);

    /// <summary>Tensors the loader may concatenate into one at load time, in groups applied all or nothing (none by
    /// default). The graph looks for the fused tensor and falls back to the parts where a group was not fused.</summary>
    internal virtual IEnumerable<IReadOnlyList<TensorFusion>> Fusions(ModelHyperparameters hp) => [];

    /// <summary>The weights the graph reads only as the matrix of a mul_mat: the projections, the FFN matrices and an
    /// untied LM head (per layer, fused q/k/v included). Not the token embedding (get_rows, and the LM head when tied)
    /// nor the position table (get_rows), whose bytes must keep the plain layout.</summary>
    internal static IReadOnlySet<string> MultipliedWeights(ModelHyperparameters hp)
    {
        var names = new HashSet<string>(StringComparer.Ordinal)
        {
            TensorNames.Tn(ModelTensor.ProjIn), TensorNames.Tn(ModelTensor.ProjOut), TensorNames.Output,
        };
        for (var layer = 0; layer < hp.BlockCount; layer++)
            foreach (var tensor in new[] { ModelTensor.AttnQ, ModelTensor.AttnK, ModelTensor.AttnV, ModelTensor.AttnQkv, ModelTensor.AttnOutput, ModelTensor.FfnUp, ModelTensor.FfnDown })
                names.Add(TensorNames.Tn(tensor, TensorNames.WeightSuffix, layer));
        return names;
    }

    /// <summary>The architectures this engine runs.</summary>
    public static IReadOnlyList<DecoderArchitecture> Supported { get; } = [new Opt(), new Gpt2()];

    /// <summary>Finds an architecture by its general.architecture name.</summary>
    /// <exception cref="ModelLoadException">The name is not supported.</exception>
    public static DecoderArchitecture For(string name, string file) =>
        Supported.FirstOrDefault(a => a.Name == name)
        ?? throw new ModelLoadException(file, $"unsupported architecture '{name}' (general.architecture); this engine runs {string.Join(", ", Supported.Select(a => a.Name))}");

    /// <summary>A weight matrix {in, out} and, unless <paramref name="bias"/> is false, its bias {out}.</summary>
    protected static IEnumerable<TensorSpec> Linear(ModelTensor tensor, int layer, long inputs, long outputs, bool bias = true)
    {
        yield return new TensorSpec(TensorNames.Tn(tensor, TensorNames.WeightSuffix, layer), [inputs, outputs]);
        if (bias) yield return new TensorSpec(TensorNames.Tn(tensor, TensorNames.BiasSuffix, layer), [outputs]);
    }

    /// <summary>A LayerNorm's weight and bias {width}.</summary>
    protected static IEnumerable<TensorSpec> Norm(ModelTensor tensor, int layer, long width) =>
    [
        new TensorSpec(TensorNames.Tn(tensor, TensorNames.WeightSuffix, layer), [width]),
        new TensorSpec(TensorNames.Tn(tensor, TensorNames.BiasSuffix, layer), [width]),
    ];

    /// <summary>Tensors every member of the family shares: embeddings (and OPT's proj_in / proj_out when the token
    /// embedding is narrower), per-layer norms, attention output, FFN, the output norm (pre-LN only) and the optional
    /// untied LM head.</summary>
    protected static IEnumerable<TensorSpec> SharedTensors(ModelHyperparameters hp, Func<int, IEnumerable<TensorSpec>> attentionProjections)
    {
        long embd = hp.EmbeddingLength, ff = hp.FeedForwardLength, tok = hp.TokenEmbeddingWidth;
        yield return new TensorSpec(TensorNames.TokenEmbd, [tok, hp.VocabSize]);
        yield return new TensorSpec(TensorNames.PositionEmbd, [embd, hp.ContextLength]);
        if (hp.HasProjection)
            foreach (var t in Linear(ModelTensor.ProjIn, -1, tok, embd, bias: false)) yield return t;
        for (var i = 0; i < hp.BlockCount; i++)
        {
            foreach (var t in Norm(ModelTensor.AttnNorm, i, embd)) yield return t;
            foreach (var t in attentionProjections(i)) yield return t;
            foreach (var t in Linear(ModelTensor.AttnOutput, i, embd, embd)) yield return t;
            foreach (var t in Norm(ModelTensor.FfnNorm, i, embd)) yield return t;
            foreach (var t in Linear(ModelTensor.FfnUp, i, embd, ff)) yield return t;
            foreach (var t in Linear(ModelTensor.FfnDown, i, ff, embd)) yield return t;
        }
        if (hp.LayerNormBefore)
            foreach (var t in Norm(ModelTensor.OutputNorm, -1, embd)) yield return t;
        if (hp.HasProjection)
            foreach (var t in Linear(ModelTensor.ProjOut, -1, embd, tok, bias: false)) yield return t;
        yield return new TensorSpec(TensorNames.Output, [tok, hp.VocabSize], Required: false);
    }
}

/// <summary>A tensor the loader makes by stacking <paramref name="Parts"/> along their outer dimension (their rows, for
/// a matrix {in, out}: the result is {in, sum of outs}, the parts' rows in order), each part read from the file straight
/// into its place. Applies only when every part is present with the same type and the same row length.</summary>
/// <param name="Name">The fused tensor's name.</param>
/// <param name="Parts">The file's tensors, in the order their rows are stacked.</param>
internal sealed record TensorFusion(string Name, IReadOnlyList<string> Parts);
