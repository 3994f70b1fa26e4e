using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;

namespace VisualNarrator.Testing;

/// <summary>Random F16 source models and their quantized versions, written once per test class.</summary>
public sealed class QuantizationFixture : IDisposable
{
    private readonly TestModels _models = new();
    private readonly Dictionary<string, string> _quantized = [];
    private readonly Lock _lock = new();

    /// <summary>Every dimension a multiple of 256, so every k-quant applies without fallback: 256 wide, 4 heads,
    /// 8 layers (so llama.cpp's use_more_bits picks layers 0, 3, 6, 7), FFN 512, 64 positions.</summary>
    public static ModelHyperparameters Mix256 => new("opt", 64, 256, 512, 8, 4, 1e-5f, 0);

    /// <summary>The layers whose attn_v and ffn_down q4_k_m / q5_k_m bump to Q6_K when there are 8 layers, worked out by
    /// hand from i &lt; n/8 || i &gt;= 7n/8 || (i - n/8) % 3 == 2 with n = 8: 0 (i &lt; 1), 7 (i &gt;= 7), 3 and 6 ((i - 1) % 3 == 2).</summary>
    public static readonly int[] MoreBitsLayersOf8 = [0, 3, 6, 7];

    /// <summary>The expected type of a tensor of the F16 Mix256 model, by llama.cpp's rule.</summary>
    public static string ExpectedType(string preset, string name, bool tied)
    {
        if (!name.EndsWith(".weight", StringComparison.Ordinal) || name.Contains("norm", StringComparison.Ordinal)) return "F32";
        if (name == "position_embd.weight") return "F16"; // never quantized: keeps the source type
        var lmHead = name == "output.weight" || (tied && name == "token_embd.weight");
        var layer = name.StartsWith("blk.", StringComparison.Ordinal) ? int.Parse(name.Split('.')[1]) : -1;
        var bumped = (name.EndsWith("attn_v.weight", StringComparison.Ordinal) || name.EndsWith("ffn_down.weight", StringComparison.Ordinal))
                     && MoreBitsLayersOf8.Contains(layer);
        return preset switch
        {
            "f16" => "F16",
            "q8_0" => "Q8_0",
            "q6_k" => "Q6_K",
            "q4_0" => lmHead ? "Q6_K" : "Q4_0",
            "q4_k_m" => lmHead || bumped ? "Q6_K" : "Q4_K",
            "q5_k_m" => lmHead || bumped ? "Q6_K" : "Q5_K",
            _ => throw new ArgumentException(preset),
        };
    }

    public string Folder => _models.Folder;

    /// <summary>The F16 Mix256 source. Weights have std 1/sqrt(256) = 0.0625, so each layer keeps the scale of its
    /// input as a trained model roughly does; TestModels' std 0.3 makes an 8-layer model so sensitive (saturated
    /// softmax, 5x gain per matrix) that even Q8_0 moves logits by most of their spread.</summary>
    public string Source(bool tied = true)
    {
        lock (_lock)
        {
            var path = PathFor($"mix256-f16-{(tied ? "tied" : "untied")}.gguf");
            if (!File.Exists(path))
                RandomModelWriter.Write(path, "opt", Mix256, RandomModelWriter.TinyTokenizer(), GgmlType.F16, seed: 7, std: 0.0625f, tiedOutput: tied);
            return path;
        }
    }

    public string Source(ModelHyperparameters hp, GgmlType type = GgmlType.F16) => _models.Get("opt", hp, type);

    public string PathFor(string name) => _models.PathFor(name);

    /// <summary>The F16 source quantized with <paramref name="preset"/> (cached).</summary>
    public string Quantized(string preset, bool tied = true)
    {
        var key = $"{preset}-{(tied ? "tied" : "untied")}";
        lock (_lock)
        {
            if (!_quantized.TryGetValue(key, out var path))
            {
                // "-quantized": the f16 preset would otherwise write over the F16 source it reads (same name).
                path = PathFor($"mix256-{key}-quantized.gguf");
                ModelQuantizer.Quantize(Source(tied), path, QuantizationPreset.Parse(preset));
                _quantized[key] = path;
            }
            return path;
        }
    }

    public void Dispose() => _models.Dispose();
}
