namespace VisualNarrator.Gguf;

/// <summary>One entry of a GGUF tensor directory.</summary>
/// <param name="Name">Tensor name (at most 63 bytes of UTF-8, as ggml allows).</param>
/// <param name="Type">Element type.</param>
/// <param name="Shape">Dimensions in ggml order: Shape[0] is the innermost (contiguous) dimension.</param>
/// <param name="RelativeOffset">Offset from the start of the data section, as stored in the file.</param>
/// <param name="FileOffset">Absolute byte offset of the data in the file.</param>
/// <param name="ByteSize">Size of the data in bytes, from the type's block layout.</param>
public sealed record GgufTensorInfo(string Name, GgmlType Type, long[] Shape, long RelativeOffset, long FileOffset, long ByteSize)
{
    /// <summary>Total number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Dimension i, or 1 beyond the stored dimensions (ggml's convention).</summary>
    public long Ne(int i) => i < Shape.Length ? Shape[i] : 1;

    /// <summary>Shape as "{a, b}" in ggml order.</summary>
    public string ShapeText => "{" + string.Join(", ", Shape) + "}";
}
