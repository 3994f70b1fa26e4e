using System.Text.RegularExpressions;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Placement;

/// <summary>
/// Device memory a model needs, per part, computed in C# from the file's tensor directory and the inference settings
/// before anything native allocates: weights per layer and outside the layers (embeddings, output head), the KV cache
/// per layer, and the compute buffer of the largest graph a context reserves.
/// </summary>
/// <param name="LayerWeightBytes">Weight bytes of each layer (<c>blk.N.*</c>), layer 0 first.</param>
/// <param name="OuterWeightBytes">Weight bytes outside the layers: token and position embeddings, output norm and head.</param>
/// <param name="KvBytesPerLayer">KV-cache bytes of one layer (keys and values, every cell).</param>
/// <param name="ComputeBytes">Compute-buffer bytes of the largest graph (an upper bound: every intermediate of one layer
/// counted as if all were alive at once, plus the inputs, embeddings, output head and logits).</param>
public sealed partial record MemoryNeeds(IReadOnlyList<long> LayerWeightBytes, long OuterWeightBytes, long KvBytesPerLayer, long ComputeBytes)
{
    /// <summary>Slack per tensor for the device's buffer alignment.</summary>
    public const long AlignmentSlack = 256;

    /// <summary>Number of layers.</summary>
    public int LayerCount => LayerWeightBytes.Count;

    /// <summary>All weight bytes.</summary>
    public long WeightBytes => LayerWeightBytes.Sum() + OuterWeightBytes;

    /// <summary>KV-cache bytes over all layers.</summary>
    public long KvBytes => KvBytesPerLayer * LayerCount;

    /// <summary>Everything on one device.</summary>
    public long TotalBytes => WeightBytes + KvBytes + ComputeBytes;

    /// <summary>Needs of a model file under the given inference settings.</summary>
    public static MemoryNeeds Of(GgufFile file, ModelHyperparameters hp, InferenceOptions inference)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Of(hp, file.Tensors.Select(t => (t.Name, t.ByteSize)), inference);
    }

    /// <summary>Needs of a model of a given shape stored as <paramref name="preset"/> (null: F32), as the quantizer
    /// writes it from an F16 file (tied output head; matrices it leaves alone, such as position_embd, stay F16), without
    /// any file.</summary>
    public static MemoryNeeds OfShape(DecoderArchitecture architecture, ModelHyperparameters hp, QuantizationPreset? preset, InferenceOptions inference)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var tensors = architecture.Tensors(hp).Where(s => s.Required).Select(s =>
        {
            var type = preset is null ? GgmlType.F32
                : QuantizationMix.Choose(preset, s.Name, s.Shape, s.IsMatrix ? GgmlType.F16 : GgmlType.F32, hp.BlockCount, tiedEmbeddings: true).Type;
            var rows = s.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            return (s.Name, GgmlTypeInfo.RowBytes(type, s.Shape[0]) * rows);
        });
        return Of(hp, tensors, inference);
    }

    /// <summary>Needs from a list of tensors (name, bytes).</summary>
    public static MemoryNeeds Of(ModelHyperparameters hp, IEnumerable<(string Name, long Bytes)> tensors, InferenceOptions inference)
    {
        ArgumentNullException.ThrowIfNull(hp);
        ArgumentNullException.ThrowIfNull(inference);
        var layers = new long[hp.BlockCount];
        long outer = 0;
        foreach (var (name, bytes) in tensors)
        {
            var layer = LayerOf(name);
            if (layer is { } l && l < layers.Length) layers[l] += bytes + AlignmentSlack;
            else outer += bytes + AlignmentSlack;
        }
        var cells = inference.CellsFor(hp);
        var tokens = Math.Min(inference.MaxBatchTokens, cells);
        return new(layers, outer, LayerKvBytes(hp, cells, inference.CacheType),
            Compute(hp, tokens, tokens, cells, inference.FlashFor(hp, cpuOnly: false)));
    }

    /// <summary>The layer of a tensor named <c>blk.N.*</c>, or null.</summary>
    public static int? LayerOf(string tensorName)
    {
        var m = LayerName().Match(tensorName);
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Keys and values of one layer: two [n_embd, cells] tensors.</summary>
    public static long LayerKvBytes(ModelHyperparameters hp, int cells, KvCacheType type) =>
        2L * hp.EmbeddingLength * cells * (type == KvCacheType.F16 ? 2 : 4) + 2 * AlignmentSlack;

    /// <summary>
    /// Upper bound of the compute buffer for a decode graph of <paramref name="tokens"/> tokens, <paramref name="outputs"/>
    /// logits rows and <paramref name="kvCells"/> attended cells: inputs, embeddings and logits, plus every intermediate
    /// of one layer at once (ggml's allocator reuses a layer's memory for the next).
    /// </summary>
    public static long Compute(ModelHyperparameters hp, long tokens, long outputs, long kvCells, bool flash)
    {
        ArgumentNullException.ThrowIfNull(hp);
        const long f32 = 4;
        long e = hp.EmbeddingLength, ff = hp.FeedForwardLength, heads = hp.HeadCount, n = tokens, o = outputs;
        var maskRows = flash ? (n + 63) / 64 * 64 : n;
        // tokens, positions, cells, mask, output rows; without flash attention, each value's element in the V cache
        var inputs = n * 4 + n * 4 + n * 8 + kvCells * maskRows * (flash ? 2 : 4) + o * 4 + (flash ? 0 : e * n * 8);
        var embeddings = 3 * e * n * f32;
        var attention = flash
            ? 2 * e * n * f32
            : 2 * kvCells * n * heads * f32 + 2 * e * n * f32;
        // norm, scale, shift; q, k, v (product and bias each); output projection; residual; FFN norm; up, act, down; residual
        var layer = 18 * e * n * f32 + 3 * ff * n * f32 + attention;
        var head = 4 * e * o * f32 + (long)hp.VocabSize * o * f32;
        const long tensors = 96;
        return inputs + embeddings + layer + head + tensors * AlignmentSlack;
    }

    [GeneratedRegex(@"^blk\.(\d+)\.")]
    private static partial Regex LayerName();
}
