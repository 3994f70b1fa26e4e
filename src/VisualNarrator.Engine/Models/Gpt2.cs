using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Models;

/// <summary>
/// llama.cpp's <c>gpt2</c> architecture, kept so the engine can be checked against llama.cpp on the same file.
/// Same keys as <see cref="Opt"/> under the gpt2. prefix; differences: one fused projection
/// <c>blk.N.attn_qkv.weight {n_embd, 3 n_embd}</c> + bias whose output rows are q, k, v in that order, and GELU
/// (tanh approximation) in the FFN.
/// </summary>
public sealed class Gpt2 : DecoderArchitecture
{
    /// <inheritdoc />
    public override string Name => "gpt2";

    /// <inheritdoc />
    public override IEnumerable<TensorSpec> Tensors(ModelHyperparameters hp) => SharedTensors(hp, i =>
    [
        new($"blk.{i}.attn_qkv.weight", [hp.EmbeddingLength, 3L * hp.EmbeddingLength]),
        new($"blk.{i}.attn_qkv.bias", [3L * hp.EmbeddingLength]),
    ]);

    internal override (GgmlTensor Q, GgmlTensor K, GgmlTensor V) ProjectQkv(GgmlContext ctx, ModelWeights w, int layer, GgmlTensor h)
    {
        var qkv = DecoderGraph.Linear(ctx, w, $"blk.{layer}.attn_qkv", h);
        var embd = h.Ne(0);
        var tokens = h.Ne(1);
        // Views into the fused rows; made contiguous so the reshapes in attention are valid.
        GgmlTensor Part(int i) => ctx.Cont(ctx.View(qkv, embd, tokens, qkv.Nb(1), (ulong)(i * embd * sizeof(float))));
        return (Part(0), Part(1), Part(2));
    }

    internal override GgmlTensor Activation(GgmlContext ctx, GgmlTensor x) => ctx.Gelu(x);
}
