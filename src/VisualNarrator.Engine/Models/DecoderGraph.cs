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
/// <param name="ValueElements">With a transposed V cache and cells that are not one run: I64 [n_embd × n_tokens], the
/// element of the cache each value of v is written to (value j of token t: j × row length + cell_t, see
/// <see cref="KvCache.ValueRowLength"/>); null otherwise.</param>
internal sealed record DecoderGraphIo(GgmlTensor Tokens, GgmlTensor Positions, GgmlTensor CacheRows, GgmlTensor Mask,
    GgmlTensor? OutputRows, GgmlTensor Logits, GgmlTensor? ValueElements);

/// <summary>Entry point of graph building: creates the batch's inputs and lets the architecture build its graph.</summary>
internal static class DecoderGraph
{
    /// <summary>Nodes a graph needs for <paramref name="layers"/> layers (about 40 per layer, plus slack).</summary>
    public static int GraphSize(int layers) => 256 + 64 * layers;

    /// <summary>Builds the forward pass of one batch; returns its inputs and logits. Without flash attention the cache
    /// must hold its values transposed; <paramref name="valueRun"/> is then the first of the batch's cells when they
    /// are one ascending run (a prompt), so v is copied into the cache in one block instead of value by value.</summary>
    public static DecoderGraphIo Build(GgmlContext ctx, GgmlGraph graph, DecoderArchitecture arch, ModelHyperparameters hp,
        ModelWeights w, KvCache cache, int nTokens, int nOutputs, int nKv, bool flash, int? valueRun = null)
    {
        if (cache.TransposedValues == flash)
            throw new InvalidOperationException($"A graph {(flash ? "with" : "without")} flash attention needs a KV cache whose values are {(flash ? "not " : "")}transposed; this one's are {(cache.TransposedValues ? "" : "not ")}transposed.");
        var builder = new GraphBuilder(ctx, graph, hp, w, cache, nTokens, nOutputs, nKv, flash, valueRun);
        var logits = arch.Build(builder).SetName("result_output").SetOutput();
        graph.Expand(logits);
        return builder.Io with { Logits = logits };
    }
}

/// <summary>The FFN activations of the family.</summary>
internal enum FfnActivation
{
    /// <summary>ReLU (OPT).</summary>
    Relu,
    /// <summary>GELU, tanh approximation (gpt2).</summary>
    Gelu,
}

/// <summary>
/// The graph-builder context an architecture composes its graph from (llama.cpp's <c>llm_graph_context</c>): the
/// batch's inputs, the weights by <see cref="ModelTensor"/>, and the shared blocks <see cref="Norm"/>,
/// <see cref="Linear"/>, <see cref="Attention"/> and <see cref="Ffn"/>. Every block names its result per layer
/// (<c>attn_norm-3</c>, as llama.cpp's <c>cb(cur, "attn_norm", il)</c>), so a graph dump reads like the
/// architecture file.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly GgmlContext _ctx;
    private readonly GgmlGraph _graph;
    private readonly ModelWeights _w;
    private readonly KvCache _cache;
    private readonly int _nKv;
    private readonly int? _valueRun;
    private readonly bool _flash;

    public GraphBuilder(GgmlContext ctx, GgmlGraph graph, ModelHyperparameters hp, ModelWeights w, KvCache cache,
        int nTokens, int nOutputs, int nKv, bool flash, int? valueRun)
    {
        _ctx = ctx;
        _graph = graph;
        _w = w;
        _cache = cache;
        _nKv = nKv;
        _flash = flash;
        _valueRun = flash ? null : valueRun;
        Hp = hp;
        var tokens = Input(GgmlType.I32, "inp_tokens", nTokens);
        var positions = Input(GgmlType.I32, "inp_pos", nTokens);
        var cacheRows = Input(GgmlType.I64, "inp_kv_rows", nTokens);
        var mask = flash
            ? Input(GgmlType.F16, "inp_kq_mask", nKv, GgmlContext.FlashAttentionMaskRows(nTokens))
            : Input(GgmlType.F32, "inp_kq_mask", nKv, nTokens);
        var outputRows = nOutputs == nTokens ? (GgmlTensor?)null : Input(GgmlType.I32, "inp_out_ids", nOutputs);
        var valueElements = flash || valueRun is not null ? (GgmlTensor?)null
            : Input(GgmlType.I64, "inp_v_elements", hp.EmbeddingLength * (long)nTokens);
        Io = new DecoderGraphIo(tokens, positions, cacheRows, mask, outputRows, default, valueElements);
    }

    /// <summary>
    /// A graph input of <paramref name="ne0"/> × <paramref name="ne1"/> elements, in memory rounded up to whole cache
    /// lines and read by the graph through a view of its real shape (which is what the caller fills).
    /// <para>Why: ggml's CPU allocator aligns tensors to <see cref="GgmlBackendBuffer.CpuAlignment"/> bytes only, and
    /// inputs are allocated first. One input of 4 to 32 bytes (a prompt's single output row, a decode step's token ids)
    /// put every activation after it half a line off. A matmul's threads write neighbouring blocks of 16 result rows,
    /// so two threads then wrote into the same lines (false sharing). The activations are whole lines already (rows of
    /// n_embd floats, n_embd a multiple of 16 in every OPT shape), so with the inputs rounded up every tensor starts on
    /// a line, as in llama.cpp's graphs.</para>
    /// </summary>
    private GgmlTensor Input(GgmlType type, string name, long ne0, long ne1 = 1)
    {
        var size = (long)Ggml.TypeSize(type);
        var bytes = ne0 * ne1 * size;
        const int line = GgmlBackendBuffer.CacheLine;
        var whole = (bytes + line - 1) / line * line;
        if (whole == bytes)
            return (ne1 == 1 ? _ctx.NewTensor(type, ne0) : _ctx.NewTensor(type, ne0, ne1)).SetName(name).SetInput();
        var memory = _ctx.NewTensor(type, whole / size).SetName(name).SetInput();
        var view = ne1 == 1 ? _ctx.View(memory, ne0, 0) : _ctx.View(memory, ne0, ne1, (ulong)(ne0 * size), 0);
        return view.SetName($"{name}_rows").SetInput();
    }

    /// <summary>The model's hyperparameters.</summary>
    public ModelHyperparameters Hp { get; }

    /// <summary>The batch's inputs (Logits unset).</summary>
    public DecoderGraphIo Io { get; }

    /// <summary>Names an intermediate: <c>{name}-{layer}</c> per layer, <c>{name}</c> otherwise.</summary>
    public GgmlTensor Cb(GgmlTensor t, string name, int layer = -1) => t.SetName(layer >= 0 ? $"{name}-{layer}" : name);

    /// <summary>A weight by the tensor-name table.</summary>
    public GgmlTensor Weight(ModelTensor tensor, int layer = -1, string suffix = TensorNames.WeightSuffix) =>
        _w[TensorNames.Tn(tensor, suffix, layer)];

    /// <summary>a + b.</summary>
    public GgmlTensor Add(GgmlTensor a, GgmlTensor b) => _ctx.Add(a, b);

    /// <summary>Rows of the token embedding for the batch's tokens: [n_tok_embd, n_tokens].</summary>
    public GgmlTensor TokenEmbeddings() => Cb(_ctx.GetRows(Weight(ModelTensor.TokenEmbd), Io.Tokens), "inp_tok_embd");

    /// <summary>Rows of the position table for the batch's positions: [n_embd, n_tokens].</summary>
    public GgmlTensor PositionEmbeddings() => Cb(_ctx.GetRows(Weight(ModelTensor.PositionEmbd), Io.Positions), "inp_pos_embd");

    /// <summary>LayerNorm with affine weight and bias of <paramref name="tensor"/>.</summary>
    public GgmlTensor Norm(GgmlTensor x, ModelTensor tensor, int layer, string name)
    {
        var normed = _ctx.Norm(x, Hp.LayerNormEpsilon);
        return Cb(_ctx.Add(_ctx.Mul(normed, Weight(tensor, layer)), Weight(tensor, layer, TensorNames.BiasSuffix)), name, layer);
    }

    /// <summary>Linear layer of <paramref name="tensor"/>: weight {in, out} times x [in, n] (+ bias) gives [out, n].</summary>
    public GgmlTensor Linear(GgmlTensor x, ModelTensor tensor, int layer, string name, bool bias = true)
    {
        var y = _ctx.MulMat(Weight(tensor, layer), x);
        if (bias) y = _ctx.Add(y, Weight(tensor, layer, TensorNames.BiasSuffix));
        return Cb(y, name, layer);
    }

    /// <summary>q, k and v of layer <paramref name="layer"/>, each [n_embd, n_tokens]: one matmul with the fused
    /// attn_qkv (from the file, or stacked at load) split into three, or three matmuls where the layer has separate
    /// attn_q, attn_k and attn_v.</summary>
    public (GgmlTensor Q, GgmlTensor K, GgmlTensor V) QkvProjections(GgmlTensor x, int layer)
    {
        if (_w.TryGet(TensorNames.Tn(ModelTensor.AttnQkv, TensorNames.WeightSuffix, layer)) is not null)
            return SplitQkv(Linear(x, ModelTensor.AttnQkv, layer, "wqkv"), layer);
        return (Linear(x, ModelTensor.AttnQ, layer, "Qcur"), Linear(x, ModelTensor.AttnK, layer, "Kcur"), Linear(x, ModelTensor.AttnV, layer, "Vcur"));
    }

    /// <summary>Splits a fused [3 n_embd, n_tokens] projection into q, k, v: views into its rows, not copies
    /// (<see cref="Attention"/> reads them through their row stride), as llama.cpp's gpt2 graph. Each copy would be a
    /// node of its own, and on the CPU every node ends in a barrier of all threads.</summary>
    private (GgmlTensor Q, GgmlTensor K, GgmlTensor V) SplitQkv(GgmlTensor qkv, int layer)
    {
        var embd = qkv.Ne(0) / 3;
        var tokens = qkv.Ne(1);
        GgmlTensor Part(int i, string name) =>
            Cb(_ctx.View(qkv, embd, tokens, qkv.Nb(1), (ulong)(i * embd * sizeof(float))), name, layer);
        return (Part(0, "Qcur"), Part(1, "Kcur"), Part(2, "Vcur"));
    }

    /// <summary>Multi-head causal self-attention of layer <paramref name="layer"/>: writes this batch's k and v into
    /// the cache, then attends over the first n_kv cells under the mask (which encodes both causality and sequence
    /// membership). q, k and v are [n_embd, n_tokens] with contiguous rows, which may be views into a wider fused
    /// projection. q is unscaled; scores are scaled by head_dim^-0.5. Returns [n_embd, n_tokens] before the output
    /// projection. Flash attention reads v as stored; mul_mat attention reads each head dimension's values over the
    /// cells as one row, so its cache holds v transposed (llama.cpp's layout without flash attention).</summary>
    public GgmlTensor Attention(GgmlTensor q, GgmlTensor k, GgmlTensor v, int layer)
    {
        var embd = q.Ne(0);
        var tokens = q.Ne(1);
        var heads = Hp.HeadCount;
        var headDim = embd / heads;
        var (kCache, vCache) = _cache.Layer(layer);
        // The stores must run before the reads below; nodes run in the order they were expanded.
        _graph.Expand(_ctx.SetRows(kCache, k, Io.CacheRows));
        var elem = _cache.ElementBytes;
        if (_flash)
            _graph.Expand(_ctx.SetRows(vCache, v, Io.CacheRows));
        else if (_valueRun is { } first) // [tokens, n_embd] columns first.. of the [cells, n_embd] cache
            _graph.Expand(_ctx.Cpy(_ctx.Transpose(v), _ctx.View(vCache, tokens, embd, vCache.Nb(1), (ulong)first * elem)));
        else // every value a row of its own, at the element the input names
        {
            // One token's values are contiguous even inside a fused projection; several tokens' are copied together.
            var values = tokens == 1 ? _ctx.View(v, 1, embd, sizeof(float), 0) : _ctx.Reshape(Contiguous(v), 1, embd * tokens);
            _graph.Expand(_ctx.SetRows(_ctx.Reshape(vCache, 1, vCache.Nelements), values, Io.ValueElements!.Value));
        }

        // One query's scores are a vector dot product per cell and head (tinyBLAS takes two queries or more): each head's
        // keys are read KeyReadWidth wide (the head size for a flash-attention cache) and q is padded with zeros to
        // match, so the extra products add nothing.
        long keyWidth = tokens == 1 ? _cache.KeyReadWidth : headDim;
        var kView = _ctx.View(kCache, keyWidth, heads, _nKv, (ulong)headDim * elem, kCache.Nb(1), 0);
        var qHeads = _ctx.View(q, headDim, heads, tokens, (ulong)headDim * sizeof(float), q.Nb(1), 0);
        var qh = _ctx.Permute(qHeads, 0, 2, 1, 3);                                   // [hd, tokens, heads]
        if (keyWidth > headDim) qh = _ctx.PadRows(qh, (int)(keyWidth - headDim));
        var kh = _ctx.Permute(kView, 0, 2, 1, 3);                                     // [hd, n_kv, heads]
        var scale = 1f / MathF.Sqrt(headDim);
        if (_flash)
        {
            // Fused kernel: reads V in cache layout, no score matrix or V copy; result is [hd, heads, tokens].
            var vView = _ctx.View(vCache, headDim, heads, _nKv, (ulong)headDim * elem, vCache.Nb(1), 0);
            var fused = _ctx.FlashAttention(qh, kh, _ctx.Permute(vView, 0, 2, 1, 3), Io.Mask, scale);
            return Cb(_ctx.Reshape(fused, embd, tokens), "kqv_out", layer);
        }
        var scores = _ctx.MulMat(kh, qh);                                             // [n_kv, tokens, heads]
        var probs = Cb(_ctx.SoftMax(scores, Io.Mask, scale), "kq_soft_max", layer);
        var vt = _ctx.View(vCache, _nKv, heads, headDim, (ulong)headDim * vCache.Nb(1), vCache.Nb(1), 0);  // [n_kv, heads, hd]
        var vh = _ctx.Permute(vt, 0, 2, 1, 3);                                        // [n_kv, hd, heads]
        var mixed = _ctx.MulMat(vh, probs);                                           // [hd, tokens, heads]
        return Cb(_ctx.Reshape(_ctx.Cont(_ctx.Permute(mixed, 0, 2, 1, 3)), embd, tokens), "kqv_out", layer);
    }

    private GgmlTensor Contiguous(GgmlTensor t) => t.IsContiguous ? t : _ctx.Cont(t);

    /// <summary>The two-matrix FFN of layer <paramref name="layer"/>: ffn_down(act(ffn_up(x))).</summary>
    public GgmlTensor Ffn(GgmlTensor x, FfnActivation activation, int layer)
    {
        var up = Linear(x, ModelTensor.FfnUp, layer, "ffn_up");
        var act = Cb(activation == FfnActivation.Relu ? _ctx.Relu(up) : _ctx.Gelu(up), "ffn_act", layer);
        return Linear(act, ModelTensor.FfnDown, layer, "ffn_out");
    }

    /// <summary>In the last layer, keeps only the tokens that produce logits, of both the attention result (before its
    /// output projection) and the residual stream; other layers and batches that want every row pass through. Every
    /// later step works on each token alone, so the rows that stay are computed exactly as before while the output
    /// projection, the FFN, the final norm and the LM head skip the rest (llama.cpp's <c>inp_out_ids</c>; k and v were
    /// already written to the cache for every token).</summary>
    public (GgmlTensor Attention, GgmlTensor Residual) OutputRows(int layer, GgmlTensor attention, GgmlTensor residual)
    {
        if (layer != Hp.BlockCount - 1 || Io.OutputRows is not { } rows) return (attention, residual);
        return (Cb(_ctx.GetRows(attention, rows), "kqv_out_rows", layer), Cb(_ctx.GetRows(residual, rows), "inp_out_rows", layer));
    }

    /// <summary>The LM head: output.weight, or token_embd.weight when tied; [n_vocab, n_outputs].</summary>
    public GgmlTensor LmHead(GgmlTensor x) =>
        _ctx.MulMat(_w.TryGet(TensorNames.Output) ?? Weight(ModelTensor.TokenEmbd), x);
}
