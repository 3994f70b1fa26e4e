using System.Globalization;

namespace VisualNarrator.Engine.Models;

/// <summary>The tensors of the GPT-2 / OPT family, as llama.cpp's <c>llm_tensor</c> enumerates them.</summary>
public enum ModelTensor
{
    /// <summary>Token embedding {n_tok_embd, n_vocab}; also the LM head when <see cref="Output"/> is absent.</summary>
    TokenEmbd,
    /// <summary>Learned position table {n_embd, n_ctx}.</summary>
    PositionEmbd,
    /// <summary>OPT's project_in {n_tok_embd, n_embd}, no bias (only when the token embedding is narrower).</summary>
    ProjIn,
    /// <summary>LayerNorm before each layer's attention (pre-LN) or after its residual add (post-LN).</summary>
    AttnNorm,
    /// <summary>Query projection.</summary>
    AttnQ,
    /// <summary>Key projection.</summary>
    AttnK,
    /// <summary>Value projection.</summary>
    AttnV,
    /// <summary>Fused q, k, v projection (gpt2).</summary>
    AttnQkv,
    /// <summary>Attention output projection.</summary>
    AttnOutput,
    /// <summary>LayerNorm before each layer's FFN (pre-LN) or after its residual add (post-LN).</summary>
    FfnNorm,
    /// <summary>FFN first matrix (fc1).</summary>
    FfnUp,
    /// <summary>FFN second matrix (fc2).</summary>
    FfnDown,
    /// <summary>LayerNorm after the last layer (pre-LN models).</summary>
    OutputNorm,
    /// <summary>OPT's project_out {n_embd, n_tok_embd}, no bias.</summary>
    ProjOut,
    /// <summary>Untied LM head {n_tok_embd, n_vocab}.</summary>
    Output,
}

/// <summary>One row of the tensor-name table.</summary>
/// <param name="Tensor">The tensor.</param>
/// <param name="Gguf">GGUF base name; per-layer names hold <c>{0}</c> for the layer (<c>blk.{0}.attn_q</c>).</param>
/// <param name="HuggingFace">The HuggingFace OPT module it comes from (state-dict key without <c>.weight</c>/<c>.bias</c>),
/// <c>{0}</c> for the layer; null when OPT has no such module.</param>
public sealed record TensorName(ModelTensor Tensor, string Gguf, string? HuggingFace)
{
    /// <summary>Whether the name holds a layer index.</summary>
    public bool PerLayer => Gguf.Contains("{0}", StringComparison.Ordinal);
}

/// <summary>
/// The one table of tensor names (llama.cpp's <c>LLM_TENSOR_NAMES</c> + <c>tn()</c>), used by the architectures, the
/// weight loader, the quantizer and the converter's exporter. GGUF names follow llama.cpp's; OPT's project_in /
/// project_out, which llama.cpp does not know, are <c>proj_in</c> / <c>proj_out</c>.
/// <code>
/// GGUF name               ggml shape                 HuggingFace OPT (model.decoder.)
/// token_embd.weight       {n_tok_embd, n_vocab}      embed_tokens.weight
/// position_embd.weight    {n_embd, n_ctx}            embed_positions.weight without its first 2 rows
/// proj_in.weight          {n_tok_embd, n_embd}       project_in.weight              (n_tok_embd != n_embd only)
/// blk.N.attn_norm.*       {n_embd}                   layers.N.self_attn_layer_norm.*
/// blk.N.attn_q|k|v.*      {n_embd, n_embd}, {n_embd} layers.N.self_attn.q_proj|k_proj|v_proj.*  (q not pre-scaled)
/// blk.N.attn_qkv.*        {n_embd, 3 n_embd}         (gpt2 only: c_attn)
/// blk.N.attn_output.*     {n_embd, n_embd}           layers.N.self_attn.out_proj.*
/// blk.N.ffn_norm.*        {n_embd}                   layers.N.final_layer_norm.*
/// blk.N.ffn_up.*          {n_embd, n_ff}             layers.N.fc1.*
/// blk.N.ffn_down.*        {n_ff, n_embd}             layers.N.fc2.*
/// output_norm.*           {n_embd}                   final_layer_norm.*             (pre-LN only)
/// proj_out.weight         {n_embd, n_tok_embd}       project_out.weight             (n_tok_embd != n_embd only)
/// output.weight           {n_tok_embd, n_vocab}      lm_head.weight (top level)     (absent = tied to token_embd)
/// </code>
/// </summary>
public static class TensorNames
{
    /// <summary>Suffix of a weight.</summary>
    public const string WeightSuffix = "weight";
    /// <summary>Suffix of a bias.</summary>
    public const string BiasSuffix = "bias";

    /// <summary>Every tensor's names.</summary>
    public static IReadOnlyList<TensorName> Table { get; } =
    [
        new(ModelTensor.TokenEmbd, "token_embd", "model.decoder.embed_tokens"),
        new(ModelTensor.PositionEmbd, "position_embd", "model.decoder.embed_positions"),
        new(ModelTensor.ProjIn, "proj_in", "model.decoder.project_in"),
        new(ModelTensor.AttnNorm, "blk.{0}.attn_norm", "model.decoder.layers.{0}.self_attn_layer_norm"),
        new(ModelTensor.AttnQ, "blk.{0}.attn_q", "model.decoder.layers.{0}.self_attn.q_proj"),
        new(ModelTensor.AttnK, "blk.{0}.attn_k", "model.decoder.layers.{0}.self_attn.k_proj"),
        new(ModelTensor.AttnV, "blk.{0}.attn_v", "model.decoder.layers.{0}.self_attn.v_proj"),
        new(ModelTensor.AttnQkv, "blk.{0}.attn_qkv", null),
        new(ModelTensor.AttnOutput, "blk.{0}.attn_output", "model.decoder.layers.{0}.self_attn.out_proj"),
        new(ModelTensor.FfnNorm, "blk.{0}.ffn_norm", "model.decoder.layers.{0}.final_layer_norm"),
        new(ModelTensor.FfnUp, "blk.{0}.ffn_up", "model.decoder.layers.{0}.fc1"),
        new(ModelTensor.FfnDown, "blk.{0}.ffn_down", "model.decoder.layers.{0}.fc2"),
        new(ModelTensor.OutputNorm, "output_norm", "model.decoder.final_layer_norm"),
        new(ModelTensor.ProjOut, "proj_out", "model.decoder.project_out"),
        new(ModelTensor.Output, "output", "lm_head"),
    ];

    private static readonly Dictionary<ModelTensor, TensorName> ByTensor = Table.ToDictionary(t => t.Tensor);

    /// <summary>token_embd.weight.</summary>
    public static string TokenEmbd => Tn(ModelTensor.TokenEmbd);
    /// <summary>position_embd.weight.</summary>
    public static string PositionEmbd => Tn(ModelTensor.PositionEmbd);
    /// <summary>output.weight.</summary>
    public static string Output => Tn(ModelTensor.Output);

    /// <summary>The table row of a tensor.</summary>
    public static TensorName Of(ModelTensor tensor) => ByTensor[tensor];

    /// <summary>The GGUF name, like llama.cpp's <c>tn(LLM_TENSOR_ATTN_Q, "weight", il)</c>: <c>blk.3.attn_q.weight</c>.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="suffix">"weight" or "bias".</param>
    /// <param name="layer">The layer, for per-layer tensors.</param>
    /// <exception cref="ArgumentOutOfRangeException">A per-layer tensor without a layer, or a layer for a global one.</exception>
    public static string Tn(ModelTensor tensor, string suffix = WeightSuffix, int layer = -1) =>
        Format(Of(tensor).Gguf, tensor, layer) + "." + suffix;

    /// <summary>The HuggingFace OPT state-dict key of a GGUF tensor (<c>model.decoder.layers.3.self_attn.q_proj.weight</c>).</summary>
    /// <exception cref="ArgumentException">OPT has no such module (attn_qkv).</exception>
    public static string HuggingFace(ModelTensor tensor, string suffix = WeightSuffix, int layer = -1) =>
        Format(Of(tensor).HuggingFace ?? throw new ArgumentException($"OPT has no module for '{Of(tensor).Gguf}'"), tensor, layer) + "." + suffix;

    private static string Format(string pattern, ModelTensor tensor, int layer)
    {
        var perLayer = pattern.Contains("{0}", StringComparison.Ordinal);
        if (perLayer != layer >= 0)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, perLayer ? $"{tensor} is per layer; give its layer" : $"{tensor} is not per layer");
        return perLayer ? string.Format(CultureInfo.InvariantCulture, pattern, layer) : pattern;
    }
}
