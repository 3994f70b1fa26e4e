using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Models;

/// <summary>
/// Facebook OPT (HF transformers modeling_opt.py), every published variant: pre-LN (most sizes) and post-LN
/// (opt-350m), with or without project_in / project_out.
/// <para>Keys: general.architecture = "opt"; opt.context_length, opt.embedding_length, opt.feed_forward_length,
/// opt.block_count, opt.attention.head_count (UINT32); opt.attention.layer_norm_epsilon (FLOAT32, 1e-5);
/// opt.layer_norm_before (BOOL, absent = true) and opt.token_embedding_length (UINT32, absent = embedding_length);
/// tokenizer keys as llama.cpp's gpt2 tokenizer (tokenizer.ggml.*), add_bos_token true (every prompt starts with
/// &lt;/s&gt;, id 2).</para>
/// <para>Tensors: see <see cref="TensorNames"/>, which also gives each one's HuggingFace source. Matrices may be F32,
/// F16, BF16 or quantized; vectors are F32. Position p reads row p of position_embd (HF's row p + 2). Attention
/// scales scores by head_dim^-0.5, which equals HF's scaling of q after its bias.</para>
/// </summary>
public sealed class Opt : DecoderArchitecture
{
    /// <inheritdoc />
    public override string Name => "opt";

    /// <inheritdoc />
    public override IEnumerable<TensorSpec> Tensors(ModelHyperparameters hp) => SharedTensors(hp, i =>
        Linear(ModelTensor.AttnQ, i, hp.EmbeddingLength, hp.EmbeddingLength)
            .Concat(Linear(ModelTensor.AttnK, i, hp.EmbeddingLength, hp.EmbeddingLength))
            .Concat(Linear(ModelTensor.AttnV, i, hp.EmbeddingLength, hp.EmbeddingLength)));

    /// <summary>q, k and v of a layer read the same input: stacked into one {n_embd, 3 n_embd} matrix (and one bias)
    /// they take one matmul instead of three, as gpt2's attn_qkv. Layers whose three matrices differ in type (q4_k_m
    /// gives some attn_v more bits) keep them apart.</summary>
    internal override IEnumerable<IReadOnlyList<TensorFusion>> Fusions(ModelHyperparameters hp)
    {
        for (var il = 0; il < hp.BlockCount; il++)
        {
            TensorFusion Stack(string suffix) => new(TensorNames.Tn(ModelTensor.AttnQkv, suffix, il),
                [.. new[] { ModelTensor.AttnQ, ModelTensor.AttnK, ModelTensor.AttnV }.Select(t => TensorNames.Tn(t, suffix, il))]);
            yield return [Stack(TensorNames.WeightSuffix), Stack(TensorNames.BiasSuffix)];
        }
    }

    /// <summary>x = proj_in(tok) + pos; per layer, pre-LN: x += out(attn(LN(x))), x += fc2(relu(fc1(LN(x))));
    /// post-LN: x = LN(x + out(attn(x))), x = LN(x + fc2(relu(fc1(x)))); then LN (pre-LN only), proj_out, LM head. The last
    /// layer continues after attention with only the tokens that produce logits.</summary>
    internal override GgmlTensor Build(GraphBuilder b)
    {
        var hp = b.Hp;
        var preLn = hp.LayerNormBefore;
        var x = b.TokenEmbeddings();
        if (hp.HasProjection) x = b.Linear(x, ModelTensor.ProjIn, -1, "inp_proj", bias: false);
        x = b.Cb(b.Add(x, b.PositionEmbeddings()), "inp_embd");
        for (var il = 0; il < hp.BlockCount; il++)
        {
            var cur = preLn ? b.Norm(x, ModelTensor.AttnNorm, il, "attn_norm") : x;
            var (q, k, v) = b.QkvProjections(cur, il);
            (cur, x) = b.OutputRows(il, b.Attention(q, k, v, il), x);
            cur = b.Linear(cur, ModelTensor.AttnOutput, il, "attn_out");
            x = b.Cb(b.Add(x, cur), "ffn_inp", il);
            if (!preLn) x = b.Norm(x, ModelTensor.AttnNorm, il, "attn_norm");

            cur = preLn ? b.Norm(x, ModelTensor.FfnNorm, il, "ffn_norm") : x;
            cur = b.Ffn(cur, FfnActivation.Relu, il);
            x = b.Cb(b.Add(x, cur), "l_out", il);
            if (!preLn) x = b.Norm(x, ModelTensor.FfnNorm, il, "ffn_norm");
        }
        if (preLn) x = b.Norm(x, ModelTensor.OutputNorm, -1, "result_norm");
        if (hp.HasProjection) x = b.Linear(x, ModelTensor.ProjOut, -1, "result_proj", bias: false);
        return b.LmHead(x);
    }
}
