using System.Globalization;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Quantization;

/// <summary>The type chosen for one tensor: <see cref="Type"/> is what gets written; <see cref="Intended"/> is what the
/// mix asked for before the row-length fallback (they differ when the row length is not a multiple of the intended
/// type's block size).</summary>
/// <param name="Type">The type written.</param>
/// <param name="Intended">The type the mix rule chose before any fallback.</param>
public readonly record struct TensorTypeChoice(GgmlType Type, GgmlType Intended)
{
    /// <summary>True when the row length forced a different type than the mix chose.</summary>
    public bool FellBack => Type != Intended;
}

/// <summary>
/// llama.cpp's per-tensor type selection (<c>llama_tensor_get_type</c> in src/llama-quant.cpp, upstream master as
/// read for this project), restricted to the presets of <see cref="QuantizationPreset"/>:
/// <list type="number">
/// <item>Only tensors that llama.cpp quantizes are touched: at least 2 dimensions, name ending in <c>weight</c>, not
/// a <c>_norm.weight</c>, not <c>position_embd.weight</c> or <c>token_types.weight</c>. Every other tensor keeps its
/// source type (1-D norms and biases stay F32; the position table stays as it is).</item>
/// <item>f16: every quantizable tensor becomes F16; no mix, no fallback.</item>
/// <item>For the quantized presets the start is the preset's default type, then:
/// <c>output.weight</c>, and <c>token_embd.weight</c> when the model has no <c>output.weight</c> (tied LM head),
/// become Q8_0 when their row length is not a multiple of the default type's block size, else keep Q8_0 for q8_0,
/// else Q6_K. For q4_k_m and q5_k_m, <c>attn_v</c> (and the fused <c>attn_qkv</c>, which llama.cpp treats alike) and
/// <c>ffn_down</c> of layer i of n become Q6_K when <c>i &lt; n/8 || i &gt;= 7n/8 || (i - n/8) % 3 == 2</c>
/// (integer division; llama.cpp counts those tensors in layer order, which is the layer index).</item>
/// <item>Fallback when the row length (ne0) is not a multiple of the chosen type's block: Q4_K to Q5_0, Q5_K to Q5_1,
/// Q6_K to Q8_0, and F16 when even 32 does not divide it; Q8_0 and Q4_0 have no fallback in llama.cpp, so such a
/// tensor is an error.</item>
/// </list>
/// </summary>
public static class QuantizationMix
{
    /// <summary>Whether llama.cpp would quantize a tensor of this name and shape at all (otherwise it is copied).</summary>
    public static bool AllowsQuantization(string name, IReadOnlyList<long> shape)
    {
        // ggml_n_dims: trailing dimensions of 1 do not count.
        var dims = shape.Count;
        while (dims > 1 && shape[dims - 1] == 1) dims--;
        if (dims < 2) return false;
        if (!name.EndsWith("weight", StringComparison.Ordinal)) return false;
        if (name.Contains("_norm.weight", StringComparison.Ordinal)) return false;
        if (name == TensorNames.PositionEmbd || name == "token_types.weight") return false;
        return !name.Contains("ffn_gate_inp.weight", StringComparison.Ordinal);
    }

    /// <summary>Chooses the type of one tensor.</summary>
    /// <param name="preset">The whole-model type.</param>
    /// <param name="name">GGUF tensor name.</param>
    /// <param name="shape">ggml-order shape (shape[0] is the row length).</param>
    /// <param name="sourceType">The tensor's type in the input file (kept when the tensor is not quantized).</param>
    /// <param name="blockCount">Number of layers ({arch}.block_count).</param>
    /// <param name="tiedEmbeddings">True when the file has no <c>output.weight</c>, so token_embd doubles as the LM head.</param>
    /// <exception cref="ArgumentException">No type fits the row length (llama.cpp has no fallback for Q8_0/Q4_0), or a
    /// per-layer tensor has no <c>blk.N.</c> prefix.</exception>
    public static TensorTypeChoice Choose(QuantizationPreset preset, string name, IReadOnlyList<long> shape, GgmlType sourceType,
        int blockCount, bool tiedEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(preset);
        if (!AllowsQuantization(name, shape)) return new(sourceType, sourceType);
        var type = preset.DefaultType;
        if (!preset.IsQuantized) return new(type, type);

        var rowLength = shape[0];
        if (name == TensorNames.Output || (tiedEmbeddings && name == TensorNames.TokenEmbd))
        {
            if (rowLength % GgmlTypeInfo.BlockSize(type) != 0) type = GgmlType.Q8_0;
            else if (type != GgmlType.Q8_0) type = GgmlType.Q6_K;
        }
        else if (preset == QuantizationPreset.Q4_K_M || preset == QuantizationPreset.Q5_K_M)
        {
            var attnV = name.Contains("attn_v.weight", StringComparison.Ordinal) || name.Contains("attn_qkv.weight", StringComparison.Ordinal);
            var ffnDown = name.Contains("ffn_down", StringComparison.Ordinal);
            if ((attnV || ffnDown) && UseMoreBits(LayerOf(name, blockCount), blockCount)) type = GgmlType.Q6_K;
        }
        return new(Fallback(name, rowLength, type), type);
    }

    /// <summary>llama.cpp's <c>use_more_bits</c>: the first and last eighth of the layers, and every third layer between.</summary>
    public static bool UseMoreBits(int layer, int layerCount) =>
        layer < layerCount / 8 || layer >= 7 * layerCount / 8 || (layer - layerCount / 8) % 3 == 2;

    private static GgmlType Fallback(string name, long rowLength, GgmlType type)
    {
        if (rowLength % GgmlTypeInfo.BlockSize(type) == 0) return type;
        var fallback = type switch
        {
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q5_K => GgmlType.Q5_1,
            GgmlType.Q6_K => GgmlType.Q8_0,
            _ => throw new ArgumentException(
                $"tensor '{name}' has rows of {rowLength} elements, not a multiple of the {GgmlTypeInfo.Name(type)} block of {GgmlTypeInfo.BlockSize(type)}, and {GgmlTypeInfo.Name(type)} has no fallback type (as in llama.cpp)"),
        };
        return rowLength % GgmlTypeInfo.BlockSize(fallback) == 0 ? fallback : GgmlType.F16;
    }

    private static int LayerOf(string name, int blockCount)
    {
        const string prefix = "blk.";
        var end = name.IndexOf('.', prefix.Length);
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || end < 0
            || !int.TryParse(name.AsSpan(prefix.Length, end - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var layer)
            || layer >= blockCount)
            throw new ArgumentException($"tensor '{name}' is a per-layer tensor but has no 'blk.N.' prefix with N below the block count {blockCount}");
        return layer;
    }
}
