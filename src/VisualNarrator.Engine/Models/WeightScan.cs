using System.Buffers;
using System.Buffers.Binary;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Models;

/// <summary>
/// Scans a model's weights for NaN and infinity before they reach native code (llama.cpp's <c>--check-tensors</c>):
/// every value of F32, F16 and BF16 tensors, and the scale fields of block-quantized ones (the only floats a
/// quantized block holds; its integer quants cannot be non-finite). Managed only, one sequential pass over the data.
/// </summary>
public static class WeightScan
{
    /// <summary>Throws <see cref="ModelLoadException"/> naming the first tensor and element that is not finite.</summary>
    public static void ThrowIfNonFinite(GgufFile file, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        using var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (stream.Length != file.FileLength) throw new IOException($"{file.Path} changed size since its metadata was read");
        long total = file.Tensors.Sum(t => t.ByteSize), done = 0;
        var chunk = ArrayPool<byte>.Shared.Rent(4 << 20);
        try
        {
            foreach (var t in file.Tensors.OrderBy(t => t.FileOffset))
            {
                var unit = Unit(t.Type);
                if (unit == 0) { done += t.ByteSize; continue; }
                // Chunks hold whole blocks, so every block's scales are checked inside one chunk.
                var chunkBytes = chunk.Length / unit * unit;
                stream.Position = t.FileOffset;
                for (long offset = 0; offset < t.ByteSize;)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var n = (int)Math.Min(chunkBytes, t.ByteSize - offset);
                    stream.ReadExactly(chunk, 0, n);
                    if (FirstNonFinite(t.Type, chunk.AsSpan(0, n)) is { } bad)
                        throw new ModelLoadException(file.Path, $"tensor '{t.Name}' holds a non-finite value ({bad.Value}) " +
                            $"in {(unit == GgmlTypeInfo.BlockBytes(t.Type) && GgmlTypeInfo.IsQuantized(t.Type) ? "the scale of block" : "element")} " +
                            $"{(offset / unit) + bad.Index}; the file is corrupt");
                    offset += n;
                }
                done += t.ByteSize;
                progress?.Report(total == 0 ? 1 : (double)done / total);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Bytes of one checked unit (an element, or a quantization block); 0 for types without floats.</summary>
    private static int Unit(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 or GgmlType.BF16 => 2,
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1
            or GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K => GgmlTypeInfo.BlockBytes(type),
        _ => 0,
    };

    /// <summary>Offsets of the F16 scale fields inside one block (ggml's block_* structs).</summary>
    private static int[] HalfScales(GgmlType type) => type switch
    {
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => [0],
        GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q8_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
        GgmlType.Q2_K => [80, 82],  // scales[16], qs[64], d, dmin
        GgmlType.Q3_K => [108],     // hmask[32], qs[64], scales[12], d
        GgmlType.Q6_K => [208],     // ql[128], qh[64], scales[16], d
        _ => [],
    };

    private static (long Index, string Value)? FirstNonFinite(GgmlType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case GgmlType.F32:
                for (var i = 0; i + 4 <= data.Length; i += 4)
                {
                    var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
                    if ((bits & 0x7F800000u) == 0x7F800000u) return (i / 4, Describe(float.IsNaN(BitConverter.UInt32BitsToSingle(bits)), bits >> 31 != 0));
                }
                return null;
            case GgmlType.F16:
                for (var i = 0; i + 2 <= data.Length; i += 2)
                {
                    var bits = BinaryPrimitives.ReadUInt16LittleEndian(data[i..]);
                    if ((bits & 0x7C00) == 0x7C00) return (i / 2, Describe((bits & 0x03FF) != 0, bits >> 15 != 0));
                }
                return null;
            case GgmlType.BF16:
                for (var i = 0; i + 2 <= data.Length; i += 2)
                {
                    var bits = BinaryPrimitives.ReadUInt16LittleEndian(data[i..]);
                    if ((bits & 0x7F80) == 0x7F80) return (i / 2, Describe((bits & 0x007F) != 0, bits >> 15 != 0));
                }
                return null;
            default:
                var block = GgmlTypeInfo.BlockBytes(type);
                var scales = HalfScales(type);
                for (var b = 0; b + block <= data.Length; b += block)
                    foreach (var s in scales)
                    {
                        var bits = BinaryPrimitives.ReadUInt16LittleEndian(data[(b + s)..]);
                        if ((bits & 0x7C00) == 0x7C00) return (b / block, Describe((bits & 0x03FF) != 0, bits >> 15 != 0));
                    }
                return null;
        }
    }

    private static string Describe(bool nan, bool negative) => nan ? "NaN" : negative ? "-inf" : "+inf";
}
