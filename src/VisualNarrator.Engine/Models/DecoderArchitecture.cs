using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Models;

/// <summary>A decoder-only transformer of the GPT-2 / OPT family: learned positions, LayerNorm with bias, multi-head
/// attention, a two-matrix FFN, a LayerNorm before the LM head. An architecture supplies its tensor contract and the
/// two places where the family differs (how q/k/v are projected, which activation the FFN uses); the graph itself
/// is built once, by <see cref="DecoderGraph"/>.</summary>
public abstract class DecoderArchitecture
{
    /// <summary>general.architecture value.</summary>
    public abstract string Name { get; }

    /// <summary>Every tensor the architecture expects for these hyperparameters, with ggml-order shapes.</summary>
    public abstract IEnumerable<TensorSpec> Tensors(ModelHyperparameters hp);

    /// <summary>Projects the normalised hidden states <paramref name="h"/> [n_embd, n_tokens] of layer
    /// <paramref name="layer"/> into unscaled q, k, v, each [n_embd, n_tokens].</summary>
    internal abstract (GgmlTensor Q, GgmlTensor K, GgmlTensor V) ProjectQkv(GgmlContext ctx, ModelWeights w, int layer, GgmlTensor h);

    /// <summary>The FFN activation.</summary>
    internal abstract GgmlTensor Activation(GgmlContext ctx, GgmlTensor x);

    /// <summary>The architectures this engine runs.</summary>
    public static IReadOnlyList<DecoderArchitecture> Supported { get; } = [new Opt(), new Gpt2()];

    /// <summary>Finds an architecture by its general.architecture name.</summary>
    /// <exception cref="ModelLoadException">The name is not supported.</exception>
    public static DecoderArchitecture For(string name, string file) =>
        Supported.FirstOrDefault(a => a.Name == name)
        ?? throw new ModelLoadException(file, $"unsupported architecture '{name}' (general.architecture); this engine runs {string.Join(", ", Supported.Select(a => a.Name))}");

    /// <summary>Tensors every member of the family shares: embeddings, per-layer norms, attention output, FFN, and the
    /// output norm and optional untied LM head.</summary>
    protected static IEnumerable<TensorSpec> SharedTensors(ModelHyperparameters hp, Func<int, IEnumerable<TensorSpec>> attentionProjections)
    {
        long embd = hp.EmbeddingLength, ff = hp.FeedForwardLength;
        yield return new TensorSpec("token_embd.weight", [embd, hp.VocabSize]);
        yield return new TensorSpec("position_embd.weight", [embd, hp.ContextLength]);
        for (var i = 0; i < hp.BlockCount; i++)
        {
            var p = $"blk.{i}.";
            yield return new TensorSpec(p + "attn_norm.weight", [embd]);
            yield return new TensorSpec(p + "attn_norm.bias", [embd]);
            foreach (var t in attentionProjections(i)) yield return t;
            yield return new TensorSpec(p + "attn_output.weight", [embd, embd]);
            yield return new TensorSpec(p + "attn_output.bias", [embd]);
            yield return new TensorSpec(p + "ffn_norm.weight", [embd]);
            yield return new TensorSpec(p + "ffn_norm.bias", [embd]);
            yield return new TensorSpec(p + "ffn_up.weight", [embd, ff]);
            yield return new TensorSpec(p + "ffn_up.bias", [ff]);
            yield return new TensorSpec(p + "ffn_down.weight", [ff, embd]);
            yield return new TensorSpec(p + "ffn_down.bias", [embd]);
        }
        yield return new TensorSpec("output_norm.weight", [embd]);
        yield return new TensorSpec("output_norm.bias", [embd]);
        yield return new TensorSpec("output.weight", [embd, hp.VocabSize], Required: false);
    }
}
