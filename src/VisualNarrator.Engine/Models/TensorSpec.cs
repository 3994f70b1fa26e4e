using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Models;

/// <summary>One tensor an architecture expects: name, ggml-order shape, whether it may be absent, and whether it is
/// a weight matrix (any supported type) or a vector (F32 only, as llama.cpp keeps norms and biases).</summary>
public sealed record TensorSpec(string Name, long[] Shape, bool Required = true)
{
    /// <summary>Matrices may be stored in these types; vectors only in F32.</summary>
    public static readonly IReadOnlySet<GgmlType> MatrixTypes = new HashSet<GgmlType>
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    /// <summary>True for 2-D tensors.</summary>
    public bool IsMatrix => Shape.Length == 2;

    /// <summary>Shape as "{a, b}".</summary>
    public string ShapeText => "{" + string.Join(", ", Shape) + "}";

    /// <summary>Checks a file's tensor against this spec; returns the problem, or null when it fits.</summary>
    public string? Check(GgufTensorInfo? actual)
    {
        if (actual is null) return Required ? $"missing tensor '{Name}' (expected shape {ShapeText})" : null;
        if (!actual.Shape.SequenceEqual(Shape))
            return $"tensor '{Name}' has shape {actual.ShapeText}, expected {ShapeText}";
        if (IsMatrix ? !MatrixTypes.Contains(actual.Type) : actual.Type != GgmlType.F32)
            return $"tensor '{Name}' has type {GgmlTypeInfo.Name(actual.Type)}, expected " +
                   (IsMatrix ? string.Join("/", MatrixTypes.Select(GgmlTypeInfo.Name)) : "F32");
        return null;
    }
}
