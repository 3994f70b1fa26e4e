using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// Facts about ggml element types, and quantization. Types are ggml type ids (<c>enum ggml_type</c>).
/// </summary>
public static unsafe class Ggml
{
    // Types ggml_quantize_chunk accepts; any other id makes it abort the process.
    private static readonly HashSet<uint> Quantizable =
        [0, 1, 2, 3, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 22, 23, 29, 30, 34, 35, 39];

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
        Known(type);
        if (!Quantizable.Contains((uint)type))
            throw new ArgumentException($"ggml cannot quantize to {TypeName(type)}.", nameof(type));
        if (rowLength <= 0 || source.Length % rowLength != 0)
            throw new ArgumentException($"{source.Length} values are not a whole number of rows of {rowLength}.", nameof(rowLength));
        var rowBytes = RowSize(type, rowLength);
        if (!importance.IsEmpty && importance.Length != rowLength)
            throw new ArgumentException($"Importance has {importance.Length} values; rows have {rowLength}.", nameof(importance));
        if (importance.IsEmpty && QuantizeRequiresImportance(type))
            throw new ArgumentException($"{TypeName(type)} needs an importance matrix.", nameof(importance));

        long rows = source.Length / rowLength;
        var result = new byte[checked((long)rowBytes * rows)];
        if (rows == 0) return result;
        fixed (float* src = source)
        fixed (float* imatrix = importance)
        fixed (byte* dst = result)
        {
            var written = (ulong)GgmlNative.ggml_quantize_chunk((uint)type, src, dst, 0, rows, rowLength, importance.IsEmpty ? null : imatrix);
            if (written != (ulong)result.Length)
                throw new InvalidOperationException($"ggml_quantize_chunk wrote {written} bytes; expected {result.Length}.");
        }
        return result;
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
