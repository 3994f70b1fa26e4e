using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Models;

/// <summary>The inputs of one decode graph, created by <see cref="DecoderGraph.Build"/> and filled by the caller
/// after the graph is allocated.</summary>
/// <param name="Tokens">I32 [n_tokens]: token ids.</param>
/// <param name="Positions">I32 [n_tokens]: position of each token in its sequence (row of position_embd).</param>
/// <param name="CacheRows">I64 [n_tokens]: KV-cache cell each token's k and v are written to.</param>
/// <param name="Mask">[n_kv, n_tokens]: 0 where a token may attend a cell, -inf elsewhere; F32, or F16 with rows padded to
/// <see cref="GgmlContext.FlashAttentionMaskRows"/> for flash attention.</param>
/// <param name="OutputRows">I32 [n_outputs]: which tokens produce logits; null when all do.</param>
/// <param name="Logits">F32 [n_vocab, n_outputs]: the result.</param>
internal sealed record DecoderGraphIo(GgmlTensor Tokens, GgmlTensor Positions, GgmlTensor CacheRows, GgmlTensor Mask,
    GgmlTensor? OutputRows, GgmlTensor Logits);

/// <summary>Graph builders shared by the architectures (LayerNorm, linear layers, attention over the KV cache, FFN)
/// and the decoder forward pass composed from them, in the order of llama.cpp's gpt2 graph.</summary>
internal static class DecoderGraph
{
    /// <summary>Nodes a graph needs for <paramref name="layers"/> layers (about 40 per layer, plus slack).</summary>
    public static int GraphSize(int layers) => 256 + 64 * layers;

    /// <summary>LayerNorm with affine weight and bias: <c>norm(x) * {name}.weight + {name}.bias</c>.</summary>
    public static GgmlTensor LayerNorm(GgmlContext ctx, ModelWeights w, string name, GgmlTensor x, float eps) =>
        ctx.Add(ctx.Mul(ctx.Norm(x, eps), w[name + ".weight"]), w[name + ".bias"]);

    /// <summary>Linear layer <c>{name}.weight x + {name}.bias</c>; weight {in, out}, x [in, n] gives [out, n].</summary>
    public static GgmlTensor Linear(GgmlContext ctx, ModelWeights w, string name, GgmlTensor x) =>
        ctx.Add(ctx.MulMat(w[name + ".weight"], x), w[name + ".bias"]);

    /// <summary>Multi-head causal self-attention: writes this batch's k and v into the cache, then attends over the
    /// first n_kv cells under the mask (which encodes both causality and sequence membership).</summary>
    public static GgmlTensor Attention(GgmlContext ctx, GgmlGraph graph, KvCache cache, int layer, DecoderGraphIo io,
        GgmlTensor q, GgmlTensor k, GgmlTensor v, int heads, int nKv, bool flash)
    {
        var embd = q.Ne(0);
        var tokens = q.Ne(1);
        var headDim = embd / heads;
        var (kCache, vCache) = cache.Layer(layer);
        // The stores must run before the reads below; nodes run in the order they were expanded.
        graph.Expand(ctx.SetRows(kCache, k, io.CacheRows));
        graph.Expand(ctx.SetRows(vCache, v, io.CacheRows));

        var elem = cache.ElementBytes;
        var kView = ctx.View(kCache, headDim, heads, nKv, (ulong)headDim * elem, kCache.Nb(1), 0);
        var vView = ctx.View(vCache, headDim, heads, nKv, (ulong)headDim * elem, vCache.Nb(1), 0);
        var qh = ctx.Permute(ctx.Reshape(q, headDim, heads, tokens), 0, 2, 1, 3);  // [hd, tokens, heads]
        var kh = ctx.Permute(kView, 0, 2, 1, 3);                                     // [hd, n_kv, heads]
        var scale = 1f / MathF.Sqrt(headDim);
        if (flash)
        {
            // Fused kernel: reads V in cache layout, no score matrix or V copy; result is [hd, heads, tokens].
            var fused = ctx.FlashAttention(qh, kh, ctx.Permute(vView, 0, 2, 1, 3), io.Mask, scale);
            return ctx.Reshape(fused, embd, tokens);
        }
        var scores = ctx.MulMat(kh, qh);                                             // [n_kv, tokens, heads]
        var probs = ctx.SoftMax(scores, io.Mask, scale);
        var vh = ctx.Cont(ctx.Permute(vView, 1, 2, 0, 3));                           // [n_kv, hd, heads]
        var mixed = ctx.MulMat(vh, probs);                                           // [hd, tokens, heads]
        return ctx.Reshape(ctx.Cont(ctx.Permute(mixed, 0, 2, 1, 3)), embd, tokens);  // [embd, tokens]
    }

    /// <summary>Builds the forward pass of one batch; returns its inputs and logits.</summary>
    public static DecoderGraphIo Build(GgmlContext ctx, GgmlGraph graph, DecoderArchitecture arch, ModelHyperparameters hp,
        ModelWeights w, KvCache cache, int nTokens, int nOutputs, int nKv, bool flash)
    {
        var tokens = ctx.NewTensor(GgmlType.I32, nTokens).SetName("inp_tokens").SetInput();
        var positions = ctx.NewTensor(GgmlType.I32, nTokens).SetName("inp_pos").SetInput();
        var cacheRows = ctx.NewTensor(GgmlType.I64, nTokens).SetName("inp_kv_rows").SetInput();
        var mask = flash
            ? ctx.NewTensor(GgmlType.F16, nKv, GgmlContext.FlashAttentionMaskRows(nTokens)).SetName("inp_kq_mask").SetInput()
            : ctx.NewTensor(GgmlType.F32, nKv, nTokens).SetName("inp_kq_mask").SetInput();
        var outputRows = nOutputs == nTokens ? (GgmlTensor?)null : ctx.NewTensor(GgmlType.I32, nOutputs).SetName("inp_out_ids").SetInput();
        var io = new DecoderGraphIo(tokens, positions, cacheRows, mask, outputRows, default);

        var x = ctx.Add(ctx.GetRows(w["token_embd.weight"], tokens), ctx.GetRows(w["position_embd.weight"], positions));
        for (var layer = 0; layer < hp.BlockCount; layer++)
        {
            var p = $"blk.{layer}.";
            var h = LayerNorm(ctx, w, p + "attn_norm", x, hp.LayerNormEpsilon);
            var (q, k, v) = arch.ProjectQkv(ctx, w, layer, h);
            var attn = Attention(ctx, graph, cache, layer, io, q, k, v, hp.HeadCount, nKv, flash);
            x = ctx.Add(x, Linear(ctx, w, p + "attn_output", attn));

            h = LayerNorm(ctx, w, p + "ffn_norm", x, hp.LayerNormEpsilon);
            h = Linear(ctx, w, p + "ffn_down", arch.Activation(ctx, Linear(ctx, w, p + "ffn_up", h)));
            x = ctx.Add(x, h);
        }
        if (outputRows is { } rows) x = ctx.GetRows(x, rows);
        x = LayerNorm(ctx, w, "output_norm", x, hp.LayerNormEpsilon);
        var logits = ctx.MulMat(w.TryGet("output.weight") ?? w["token_embd.weight"], x).SetName("result_output").SetOutput();
        graph.Expand(logits);
        return io with { Logits = logits };
    }
}
