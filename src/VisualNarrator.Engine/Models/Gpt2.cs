using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Models;

/// <summary>
/// llama.cpp's <c>gpt2</c> architecture (src/models/gpt2.cpp), kept so the engine can be checked against llama.cpp on
/// the same file. Same keys as <see cref="Opt"/> under the gpt2. prefix (always pre-LN, no projections); differences:
/// one fused projection <c>blk.N.attn_qkv.weight {n_embd, 3 n_embd}</c> + bias whose output rows are q, k, v in that
/// order, and GELU (tanh approximation) in the FFN.
/// </summary>
public sealed class Gpt2 : DecoderArchitecture
{
    /// <inheritdoc />
    public override string Name => "gpt2";

    /// <inheritdoc />
    public override IEnumerable<TensorSpec> Tensors(ModelHyperparameters hp) =>
        SharedTensors(hp, i => Linear(ModelTensor.AttnQkv, i, hp.EmbeddingLength, 3L * hp.EmbeddingLength));

    /// <summary>x = tok + pos; per layer x += out(attn(LN(x))), x += ffn_down(gelu(ffn_up(LN(x)))); LN; LM head. The last layer
    /// continues after attention with only the tokens that produce logits.</summary>
    internal override GgmlTensor Build(GraphBuilder b)
    {
        var hp = b.Hp;
        var x = b.Cb(b.Add(b.TokenEmbeddings(), b.PositionEmbeddings()), "inp_embd");
        for (var il = 0; il < hp.BlockCount; il++)
        {
            var cur = b.Norm(x, ModelTensor.AttnNorm, il, "attn_norm");
            var (q, k, v) = b.QkvProjections(cur, il);
            (cur, x) = b.OutputRows(il, b.Attention(q, k, v, il), x);
            cur = b.Linear(cur, ModelTensor.AttnOutput, il, "attn_out");
            x = b.Cb(b.Add(x, cur), "ffn_inp", il);

            cur = b.Norm(x, ModelTensor.FfnNorm, il, "ffn_norm");
            cur = b.Ffn(cur, FfnActivation.Gelu, il);
            x = b.Cb(b.Add(x, cur), "l_out", il);
        }
        x = b.Norm(x, ModelTensor.OutputNorm, -1, "result_norm");
        return b.LmHead(x);
    }
}
