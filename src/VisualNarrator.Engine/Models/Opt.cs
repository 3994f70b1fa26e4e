using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Models;

/// <summary>
/// Facebook OPT (HF transformers modeling_opt.py), pre-LN variant, as the <c>opt</c> GGUF contract stores it.
/// <para>Keys: general.architecture = "opt"; opt.context_length, opt.embedding_length, opt.feed_forward_length,
/// opt.block_count, opt.attention.head_count (UINT32); opt.attention.layer_norm_epsilon (FLOAT32, 1e-5); tokenizer
/// keys as llama.cpp's gpt2 tokenizer (tokenizer.ggml.*), add_bos_token true (every prompt starts with &lt;/s&gt;, id 2).</para>
/// <para>Tensors (ggml order, ne0 first), HF name on the right:</para>
/// <code>
/// token_embd.weight          {n_embd, n_vocab}   model.decoder.embed_tokens.weight
/// position_embd.weight       {n_embd, n_ctx}     model.decoder.embed_positions.weight without its first 2 rows
///                                                (HF reads row p + 2 for position p; here row p is position p)
/// blk.N.attn_norm.weight|bias                    layers.N.self_attn_layer_norm
/// blk.N.attn_q|attn_k|attn_v.weight {n_embd, n_embd} + .bias   layers.N.self_attn.q_proj|k_proj|v_proj (q NOT pre-scaled)
/// blk.N.attn_output.weight|bias                  layers.N.self_attn.out_proj
/// blk.N.ffn_norm.weight|bias                     layers.N.final_layer_norm
/// blk.N.ffn_up.weight {n_embd, n_ff} + .bias     layers.N.fc1
/// blk.N.ffn_down.weight {n_ff, n_embd} + .bias   layers.N.fc2
/// output_norm.weight|bias                        model.decoder.final_layer_norm
/// output.weight (optional; absent = tied)        lm_head.weight
/// </code>
/// Matrices may be F32, F16, BF16 or quantized; vectors are F32. The graph: x = tok + pos; per layer
/// x += out_proj(attn(LN(x))), x += fc2(relu(fc1(LN(x)))); logits = lm_head(LN(x)). Attention scales scores by
/// head_dim^-0.5, which equals HF's scaling of q after its bias.
/// </summary>
public sealed class Opt : DecoderArchitecture
{
    /// <inheritdoc />
    public override string Name => "opt";

    /// <inheritdoc />
    public override IEnumerable<TensorSpec> Tensors(ModelHyperparameters hp) => SharedTensors(hp, i =>
    [
        new($"blk.{i}.attn_q.weight", [hp.EmbeddingLength, hp.EmbeddingLength]),
        new($"blk.{i}.attn_q.bias", [hp.EmbeddingLength]),
        new($"blk.{i}.attn_k.weight", [hp.EmbeddingLength, hp.EmbeddingLength]),
        new($"blk.{i}.attn_k.bias", [hp.EmbeddingLength]),
        new($"blk.{i}.attn_v.weight", [hp.EmbeddingLength, hp.EmbeddingLength]),
        new($"blk.{i}.attn_v.bias", [hp.EmbeddingLength]),
    ]);

    internal override (GgmlTensor Q, GgmlTensor K, GgmlTensor V) ProjectQkv(GgmlContext ctx, ModelWeights w, int layer, GgmlTensor h) =>
        (DecoderGraph.Linear(ctx, w, $"blk.{layer}.attn_q", h),
         DecoderGraph.Linear(ctx, w, $"blk.{layer}.attn_k", h),
         DecoderGraph.Linear(ctx, w, $"blk.{layer}.attn_v", h));

    internal override GgmlTensor Activation(GgmlContext ctx, GgmlTensor x) => ctx.Relu(x);
}
