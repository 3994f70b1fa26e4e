using System.Runtime.InteropServices;
using VisualNarrator.Gguf;

namespace VisualNarrator.Testing;

/// <summary>A plain C# forward pass of OPT (pre- or post-LN, optional project_in / project_out, ReLU, separate q/k/v,
/// q scaled after its bias) and of llama.cpp's gpt2 (fused qkv, GELU), written from the HuggingFace and llama.cpp
/// definitions independently of the engine, in double precision, recomputing the whole sequence each time. Reads F32
/// and F16 weights from a GGUF file.</summary>
public sealed class ReferenceForward
{
    private readonly Dictionary<string, double[]> _w = [];
    private readonly string _arch;
    private readonly int _embd, _heads, _layers, _ff, _vocab, _tokEmbd;
    private readonly double _eps;
    private readonly bool _preLn;

    public ReferenceForward(string path)
    {
        var file = GgufFile.Open(path);
        _arch = file.GetString(GgufKeys.Architecture);
        _embd = (int)file.GetInteger($"{_arch}.embedding_length");
        _heads = (int)file.GetInteger($"{_arch}.attention.head_count");
        _layers = (int)file.GetInteger($"{_arch}.block_count");
        _ff = (int)file.GetInteger($"{_arch}.feed_forward_length");
        _eps = file.GetFloat32($"{_arch}.attention.layer_norm_epsilon");
        // modeling_opt.py: do_layer_norm_before, word_embed_proj_dim (project_in / project_out when != hidden).
        _preLn = file.GetBool($"{_arch}.layer_norm_before", true);
        _tokEmbd = (int)(file.GetIntegerOrNull($"{_arch}.token_embedding_length") ?? _embd);
        foreach (var t in file.Tensors)
        {
            var bytes = new byte[t.ByteSize];
            file.ReadTensorData(t, bytes);
            _w[t.Name] = t.Type switch
            {
                GgmlType.F32 => [.. MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(f => (double)f)],
                GgmlType.F16 => [.. MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (double)h)],
                _ => throw new NotSupportedException($"reference reads F32/F16 only, {t.Name} is {t.Type}"),
            };
        }
        _vocab = _w["token_embd.weight"].Length / _tokEmbd;
    }

    /// <summary>Logits after the last token of <paramref name="ids"/> (positions 0..n-1).</summary>
    public float[] LastLogits(IReadOnlyList<int> ids)
    {
        var n = ids.Count;
        var x = new double[n][];
        for (var t = 0; t < n; t++)
        {
            var tok = _w["token_embd.weight"].AsSpan(ids[t] * _tokEmbd, _tokEmbd).ToArray();
            if (_tokEmbd != _embd) tok = Linear(tok, "proj_in", _tokEmbd, _embd, bias: false);
            x[t] = new double[_embd];
            for (var i = 0; i < _embd; i++) x[t][i] = tok[i] + _w["position_embd.weight"][t * _embd + i];
        }
        var hd = _embd / _heads;
        var scale = 1.0 / Math.Sqrt(hd);
        for (var l = 0; l < _layers; l++)
        {
            var p = $"blk.{l}.";
            var h = _preLn ? x.Select(r => LayerNorm(r, p + "attn_norm")).ToArray() : x.Select(r => r.ToArray()).ToArray();
            double[][] q, k, v;
            if (_arch == "opt")
            {
                q = h.Select(r => Linear(r, p + "attn_q", _embd, _embd)).ToArray();
                k = h.Select(r => Linear(r, p + "attn_k", _embd, _embd)).ToArray();
                v = h.Select(r => Linear(r, p + "attn_v", _embd, _embd)).ToArray();
            }
            else
            {
                var qkv = h.Select(r => Linear(r, p + "attn_qkv", _embd, 3 * _embd)).ToArray();
                q = qkv.Select(r => r[.._embd]).ToArray();
                k = qkv.Select(r => r[_embd..(2 * _embd)]).ToArray();
                v = qkv.Select(r => r[(2 * _embd)..]).ToArray();
            }
            var attn = new double[n][];
            for (var t = 0; t < n; t++)
            {
                attn[t] = new double[_embd];
                for (var head = 0; head < _heads; head++)
                {
                    var o = head * hd;
                    var scores = new double[t + 1];
                    for (var s = 0; s <= t; s++)
                    {
                        double dot = 0;
                        for (var i = 0; i < hd; i++) dot += q[t][o + i] * scale * k[s][o + i];
                        scores[s] = dot;
                    }
                    var max = scores.Max();
                    var exp = scores.Select(sc => Math.Exp(sc - max)).ToArray();
                    var sum = exp.Sum();
                    for (var s = 0; s <= t; s++)
                        for (var i = 0; i < hd; i++) attn[t][o + i] += exp[s] / sum * v[s][o + i];
                }
            }
            for (var t = 0; t < n; t++)
            {
                var ao = Linear(attn[t], p + "attn_output", _embd, _embd);
                for (var i = 0; i < _embd; i++) x[t][i] += ao[i];
                if (!_preLn) x[t] = LayerNorm(x[t], p + "attn_norm");
                var f = _preLn ? LayerNorm(x[t], p + "ffn_norm") : x[t];
                var up = Linear(f, p + "ffn_up", _embd, _ff).Select(a => _arch == "opt" ? Math.Max(0, a) : Gelu(a)).ToArray();
                var down = Linear(up, p + "ffn_down", _ff, _embd);
                for (var i = 0; i < _embd; i++) x[t][i] += down[i];
                if (!_preLn) x[t] = LayerNorm(x[t], p + "ffn_norm");
            }
        }
        var last = _preLn ? LayerNorm(x[n - 1], "output_norm") : x[n - 1];
        if (_tokEmbd != _embd) last = Linear(last, "proj_out", _embd, _tokEmbd, bias: false);
        var head2 = _w.GetValueOrDefault("output.weight") ?? _w["token_embd.weight"];
        var logits = new float[_vocab];
        for (var r = 0; r < _vocab; r++)
        {
            double dot = 0;
            for (var i = 0; i < _tokEmbd; i++) dot += head2[r * _tokEmbd + i] * last[i];
            logits[r] = (float)dot;
        }
        return logits;
    }

    private double[] LayerNorm(double[] x, string name)
    {
        var mean = x.Average();
        var variance = x.Select(a => (a - mean) * (a - mean)).Average();
        var inv = 1.0 / Math.Sqrt(variance + _eps);
        var w = _w[name + ".weight"];
        var b = _w[name + ".bias"];
        return [.. x.Select((a, i) => (a - mean) * inv * w[i] + b[i])];
    }

    // GGUF weight {in, out}: row o (out) holds the in-vector, as torch's [out, in].
    private double[] Linear(double[] x, string name, int inDim, int outDim, bool bias = true)
    {
        var w = _w[name + ".weight"];
        var b = bias ? _w[name + ".bias"] : null;
        var y = new double[outDim];
        for (var o = 0; o < outDim; o++)
        {
            double dot = b?[o] ?? 0;
            for (var i = 0; i < inDim; i++) dot += w[o * inDim + i] * x[i];
            y[o] = dot;
        }
        return y;
    }

    // GPT-2's tanh approximation, which ggml_gelu implements.
    private static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}
