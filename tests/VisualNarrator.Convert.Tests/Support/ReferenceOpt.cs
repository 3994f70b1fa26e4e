using VisualNarrator.Convert.Modeling;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Tests.Support;

/// <summary>An independent OPT forward pass in float64, written from HF's modeling_opt.py with explicit per-head
/// loops and a hand-written LayerNorm, reading the weights by their HF keys.</summary>
internal static class ReferenceOpt
{
    public static float[] LastLogits(OptForCausalLM model, int[] ids)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = model.Config;
        var w = model.BaseParameters().ToDictionary(p => p.Key, p => p.Value.detach().to(ScalarType.Float64));
        Tensor? Get(string key) => w.TryGetValue(key, out var t) ? t : null;
        Tensor Linear(Tensor x, string prefix) => Get(prefix + ".bias") is { } b ? x.matmul(w[prefix + ".weight"].t()) + b : x.matmul(w[prefix + ".weight"].t());
        Tensor Norm(Tensor x, string prefix)
        {
            var mean = x.mean([-1], keepdim: true);
            var variance = (x - mean).pow(2).mean([-1], keepdim: true);
            var y = (x - mean) / (variance + 1e-5).sqrt();
            if (Get(prefix + ".weight") is { } g) y = y * g + w[prefix + ".bias"];
            return y;
        }
        var t = ids.Length;
        var x = w["model.decoder.embed_tokens.weight"].index_select(0, tensor(ids.Select(i => (long)i).ToArray()));
        if (Get("model.decoder.project_in.weight") is not null) x = Linear(x, "model.decoder.project_in");
        var h = x + w["model.decoder.embed_positions.weight"].narrow(0, 2, t);
        var headDim = c.HiddenSize / c.NumAttentionHeads;
        for (var l = 0; l < c.NumHiddenLayers; l++)
        {
            var p = $"model.decoder.layers.{l}.";
            var residual = h;
            if (c.DoLayerNormBefore) h = Norm(h, p + "self_attn_layer_norm");
            var q = Linear(h, p + "self_attn.q_proj") * Math.Pow(headDim, -0.5);
            var k = Linear(h, p + "self_attn.k_proj");
            var v = Linear(h, p + "self_attn.v_proj");
            var heads = new List<Tensor>();
            for (var head = 0; head < c.NumAttentionHeads; head++)
            {
                var qh = q.narrow(1, head * headDim, headDim);
                var kh = k.narrow(1, head * headDim, headDim);
                var vh = v.narrow(1, head * headDim, headDim);
                var scores = qh.matmul(kh.t());
                var rows = new List<Tensor>();
                for (var i = 0; i < t; i++)
                {
                    var s = scores[i].narrow(0, 0, i + 1);
                    var e = (s - s.max()).exp();
                    rows.Add((e / e.sum()).matmul(vh.narrow(0, 0, i + 1)));
                }
                heads.Add(stack(rows));
            }
            h = residual + Linear(cat(heads, 1), p + "self_attn.out_proj");
            if (!c.DoLayerNormBefore) h = Norm(h, p + "self_attn_layer_norm");
            residual = h;
            if (c.DoLayerNormBefore) h = Norm(h, p + "final_layer_norm");
            h = residual + Linear(Linear(h, p + "fc1").clamp_min(0), p + "fc2");
            if (!c.DoLayerNormBefore) h = Norm(h, p + "final_layer_norm");
        }
        if (Get("model.decoder.final_layer_norm.weight") is not null || (c.HasFinalLayerNorm && !c.LayerNormElementwiseAffine))
            h = Norm(h, "model.decoder.final_layer_norm");
        if (Get("model.decoder.project_out.weight") is not null) h = Linear(h, "model.decoder.project_out");
        var head2 = Get("lm_head.weight") ?? w["model.decoder.embed_tokens.weight"];
        return h[-1].matmul(head2.t()).to(ScalarType.Float32).data<float>().ToArray();
    }
}
