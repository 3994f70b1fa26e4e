using System.Collections.Frozen;
using System.Runtime.InteropServices;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// Facts about ggml element types, and quantization. Types are ggml type ids (<c>enum ggml_type</c>).
/// </summary>
public static unsafe class Ggml
{
    // Types ggml_quantize_chunk accepts; any other type makes it abort the process.
    private static readonly FrozenSet<GgmlType> Quantizable = new[]
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16,
        GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
        GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ3_XXS, GgmlType.IQ1_S, GgmlType.IQ4_NL, GgmlType.IQ3_S,
        GgmlType.IQ2_S, GgmlType.IQ4_XS, GgmlType.IQ1_M, GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.MXFP4,
    }.ToFrozenSet();

    private static readonly Lazy<bool> CpuReady = new(() =>
    {
        GgmlLibrary.EnsureLoaded();
        GgmlNative.ggml_cpu_init();
        return true;
    });

    /// <summary>Whether <paramref name="type"/> is a type this ggml knows (not out of range, not a removed id).</summary>
    public static bool IsKnownType(GgmlType type)
    {
        GgmlLibrary.EnsureLoaded();
        // ggml indexes its traits table without a bounds check, so test the range first.
        var id = (uint)type;
        return id < GgmlTypeId.Count && GgmlNative.ggml_blck_size(id) > 0 && GgmlNative.ggml_type_size(id) > 0;
    }

    /// <summary>Bytes per block (for F32: 4; Q8_0: 34).</summary>
    public static ulong TypeSize(GgmlType type) => GgmlNative.ggml_type_size(Known(type));

    /// <summary>Elements per block (1 for plain types; 32 for Q8_0; 256 for k-quants).</summary>
    public static long BlockSize(GgmlType type) => GgmlNative.ggml_blck_size(Known(type));

    /// <summary>Bytes taken by a row of <paramref name="elements"/> elements.</summary>
    /// <exception cref="ArgumentException">The count is not a multiple of the block size.</exception>
    public static ulong RowSize(GgmlType type, long elements)
    {
        var block = BlockSize(type);
        if (elements < 0 || elements % block != 0)
            throw new ArgumentException($"{TypeName(type)} rows need a multiple of {block} elements; got {elements}.", nameof(elements));
        return GgmlNative.ggml_row_size((uint)type, elements);
    }

    /// <summary>ggml's name of the type, e.g. <c>f32</c>, <c>q8_0</c>, <c>q4_K</c>.</summary>
    public static string TypeName(GgmlType type) => GgmlNative.Str(GgmlNative.ggml_type_name(Known(type)));

    /// <summary>Whether the type is a block-quantized one.</summary>
    public static bool IsQuantized(GgmlType type) => GgmlNative.ggml_is_quantized(Known(type));

    /// <summary>Whether quantizing to this type needs an importance matrix (some IQ types).</summary>
    public static bool QuantizeRequiresImportance(GgmlType type) => GgmlNative.ggml_quantize_requires_imatrix(Known(type));

    /// <summary>
    /// Converts rows of F32 values (<paramref name="source"/>, row-major, <paramref name="rowLength"/> per row)
    /// to <paramref name="type"/> with <c>ggml_quantize_chunk</c>; returns the encoded bytes.
    /// </summary>
    /// <param name="type">Target type: F32, F16, BF16 or a quantized type that ggml can produce.</param>
    /// <param name="source">The values, a whole number of rows.</param>
    /// <param name="rowLength">Elements per row; a multiple of the type's block size.</param>
    /// <param name="importance">Optional per-column importance (length <paramref name="rowLength"/>); required by some IQ types.</param>
    public static byte[] Quantize(GgmlType type, ReadOnlySpan<float> source, long rowLength, ReadOnlySpan<float> importance = default)
    {
        var rowBytes = CheckQuantize(type, source.Length, rowLength, importance);
        var result = new byte[checked((long)rowBytes * (source.Length / rowLength))];
        QuantizeRows(type, source, rowLength, importance, result);
        return result;
    }

    /// <summary>
    /// Like <see cref="Quantize"/>, but writes the encoded rows into <paramref name="destination"/>, which must hold
    /// exactly their bytes (no intermediate array: the quantizer fills its output tensor in place).
    /// </summary>
    /// <param name="type">Target type: F32, F16, BF16 or a quantized type that ggml can produce.</param>
    /// <param name="source">The values, a whole number of rows.</param>
    /// <param name="rowLength">Elements per row; a multiple of the type's block size.</param>
    /// <param name="destination">Exactly rows × the type's row size bytes.</param>
    public static void QuantizeInto(GgmlType type, ReadOnlySpan<float> source, long rowLength, Span<byte> destination)
    {
        var rowBytes = CheckQuantize(type, source.Length, rowLength, default);
        var bytes = checked((long)rowBytes * (source.Length / rowLength));
        if (destination.Length != bytes)
            throw new ArgumentException($"{source.Length / rowLength} rows of {TypeName(type)} take {bytes} bytes; the destination has {destination.Length}.", nameof(destination));
        QuantizeRows(type, source, rowLength, default, destination);
    }

    /// <summary>
    /// Widens F32, F16 or BF16 values (<paramref name="source"/>, raw element bytes) to F32 with the CPU backend's row
    /// conversion (SIMD where the CPU has it). All three conversions are exact.
    /// </summary>
    /// <param name="type">The element type of <paramref name="source"/>.</param>
    /// <param name="source">Raw elements: 4 bytes each for F32, 2 for F16 and BF16.</param>
    /// <param name="destination">One float per element.</param>
    /// <exception cref="ArgumentException">Another type, or the lengths do not match.</exception>
    public static void ToFloat(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        var elementBytes = type switch
        {
            GgmlType.F32 => 4,
            GgmlType.F16 or GgmlType.BF16 => 2,
            _ => throw new ArgumentException($"only F32, F16 and BF16 widen to F32, not {GgmlTypeInfo.Name(type)}.", nameof(type)),
        };
        if (source.Length != (long)destination.Length * elementBytes)
            throw new ArgumentException($"{source.Length} bytes of {GgmlTypeInfo.Name(type)} are not {destination.Length} elements.", nameof(source));
        if (type == GgmlType.F32)
        {
            MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
            return;
        }
        _ = CpuReady.Value;
        fixed (byte* src = source)
        fixed (float* dst = destination)
        {
            if (type == GgmlType.F16) GgmlNative.ggml_cpu_fp16_to_fp32((ushort*)src, dst, destination.Length);
            else GgmlNative.ggml_cpu_bf16_to_fp32((ushort*)src, dst, destination.Length);
        }
    }

    private static ulong CheckQuantize(GgmlType type, int values, long rowLength, ReadOnlySpan<float> importance)
    {
        Known(type);
        if (!Quantizable.Contains(type))
            throw new ArgumentException($"ggml cannot quantize to {TypeName(type)}.", nameof(type));
        if (rowLength <= 0 || values % rowLength != 0)
            throw new ArgumentException($"{values} values are not a whole number of rows of {rowLength}.", nameof(rowLength));
        var rowBytes = RowSize(type, rowLength);
        if (!importance.IsEmpty && importance.Length != rowLength)
            throw new ArgumentException($"Importance has {importance.Length} values; rows have {rowLength}.", nameof(importance));
        if (importance.IsEmpty && QuantizeRequiresImportance(type))
            throw new ArgumentException($"{TypeName(type)} needs an importance matrix.", nameof(importance));
        return rowBytes;
    }

    private static void QuantizeRows(GgmlType type, ReadOnlySpan<float> source, long rowLength, ReadOnlySpan<float> importance, Span<byte> destination)
    {
        long rows = source.Length / rowLength;
        if (rows == 0) return;
        fixed (float* src = source)
        fixed (float* imatrix = importance)
        fixed (byte* dst = destination)
        {
            var written = (ulong)GgmlNative.ggml_quantize_chunk((uint)type, src, dst, 0, rows, rowLength, importance.IsEmpty ? null : imatrix);
            if (written != (ulong)destination.Length)
                throw new InvalidOperationException($"ggml_quantize_chunk wrote {written} bytes; expected {destination.Length}.");
        }
    }

    /// <summary>The ggml version string of the loaded library (e.g. <c>0.18.0</c>).</summary>
    public static string Version
    {
        get
        {
            GgmlLibrary.EnsureLoaded();
            return GgmlNative.Str(GgmlNative.ggml_version());
        }
    }

    private static uint Known(GgmlType type)
        => IsKnownType(type) ? (uint)type : throw new ArgumentOutOfRangeException(nameof(type), type, "Not a ggml type id known to this ggml.");
}
