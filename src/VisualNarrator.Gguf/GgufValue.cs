using System.Globalization;

namespace VisualNarrator.Gguf;

/// <summary>GGUF metadata value types, with their on-disk ids.</summary>
#pragma warning disable CS1591 // Self-describing names from the GGUF specification.
public enum GgufValueType : uint
{
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6,
    Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
}
#pragma warning restore CS1591

/// <summary>One typed metadata value. <see cref="Value"/> holds the CLR value of the exact GGUF type
/// (byte, sbyte, ushort, short, uint, int, float, bool, string, <see cref="GgufArray"/>, ulong, long, double).</summary>
public sealed class GgufValue : IEquatable<GgufValue>
{
    private GgufValue(GgufValueType type, object value)
    {
        Type = type;
        Value = value;
    }

    /// <summary>The GGUF type of the value.</summary>
    public GgufValueType Type { get; }

    /// <summary>The value, boxed as the CLR type that matches <see cref="Type"/>.</summary>
    public object Value { get; }

    /// <summary>Wraps a CLR value, picking the GGUF type from its CLR type.</summary>
    public static GgufValue From(object value) => value switch
    {
        byte v => new(GgufValueType.UInt8, v),
        sbyte v => new(GgufValueType.Int8, v),
        ushort v => new(GgufValueType.UInt16, v),
        short v => new(GgufValueType.Int16, v),
        uint v => new(GgufValueType.UInt32, v),
        int v => new(GgufValueType.Int32, v),
        float v => new(GgufValueType.Float32, v),
        bool v => new(GgufValueType.Bool, v),
        string v => new(GgufValueType.String, v),
        GgufArray v => new(GgufValueType.Array, v),
        ulong v => new(GgufValueType.UInt64, v),
        long v => new(GgufValueType.Int64, v),
        double v => new(GgufValueType.Float64, v),
        _ => throw new ArgumentException($"GGUF has no value type for CLR type {value?.GetType().Name ?? "null"}"),
    };

    /// <summary>The value as an array; throws when it is not one.</summary>
    public GgufArray AsArray() => Value as GgufArray ?? throw new InvalidCastException($"GGUF value is {Type}, not an array");

    /// <summary>Integer value of any integer type, widened to long (UInt64 above long.MaxValue throws).</summary>
    public bool TryGetInteger(out long value)
    {
        switch (Value)
        {
            case byte v: value = v; return true;
            case sbyte v: value = v; return true;
            case ushort v: value = v; return true;
            case short v: value = v; return true;
            case uint v: value = v; return true;
            case int v: value = v; return true;
            case long v: value = v; return true;
            case ulong v when v <= long.MaxValue: value = (long)v; return true;
            default: value = 0; return false;
        }
    }

    /// <inheritdoc />
    public bool Equals(GgufValue? other) =>
        other is not null && other.Type == Type && (Value is GgufArray a ? a.Equals(other.Value) : Value.Equals(other.Value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GgufValue);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Value);

    /// <summary>Human-readable form; arrays are summarised as their length and first items.</summary>
    public override string ToString() => Value switch
    {
        string s => s,
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? "",
    };
}

/// <summary>A GGUF array: one element type and a typed CLR array of items
/// (string[] for strings, <see cref="GgufArray"/>[] for arrays of arrays).</summary>
public sealed class GgufArray : IEquatable<GgufArray>
{
    /// <summary>Creates an array from a typed CLR array whose element type matches <paramref name="elementType"/>.</summary>
    public GgufArray(GgufValueType elementType, Array items)
    {
        var expected = ClrType(elementType);
        if (items.GetType().GetElementType() != expected)
            throw new ArgumentException($"a GGUF {elementType} array needs {expected.Name}[] items, got {items.GetType().Name}");
        ElementType = elementType;
        Items = items;
    }

    /// <summary>The type of every element.</summary>
    public GgufValueType ElementType { get; }

    /// <summary>The items, as a typed CLR array.</summary>
    public Array Items { get; }

    /// <summary>Number of items.</summary>
    public int Count => Items.Length;

    /// <summary>Creates an array of strings.</summary>
    public static GgufArray Of(params string[] items) => new(GgufValueType.String, items);

    /// <summary>Creates an array of int32.</summary>
    public static GgufArray Of(params int[] items) => new(GgufValueType.Int32, items);

    /// <summary>Creates an array of uint32.</summary>
    public static GgufArray Of(params uint[] items) => new(GgufValueType.UInt32, items);

    /// <summary>Creates an array of float32.</summary>
    public static GgufArray Of(params float[] items) => new(GgufValueType.Float32, items);

    /// <summary>Items as <typeparamref name="T"/>[]; throws naming both types when they differ.</summary>
    public T[] As<T>() => Items as T[] ?? throw new InvalidCastException($"GGUF array holds {ElementType}, not {typeof(T).Name}");

    /// <summary>The CLR element type used for a GGUF element type.</summary>
    public static Type ClrType(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => typeof(byte),
        GgufValueType.Int8 => typeof(sbyte),
        GgufValueType.UInt16 => typeof(ushort),
        GgufValueType.Int16 => typeof(short),
        GgufValueType.UInt32 => typeof(uint),
        GgufValueType.Int32 => typeof(int),
        GgufValueType.Float32 => typeof(float),
        GgufValueType.Bool => typeof(bool),
        GgufValueType.String => typeof(string),
        GgufValueType.Array => typeof(GgufArray),
        GgufValueType.UInt64 => typeof(ulong),
        GgufValueType.Int64 => typeof(long),
        GgufValueType.Float64 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"unknown GGUF value type {(uint)type}"),
    };

    /// <inheritdoc />
    public bool Equals(GgufArray? other)
    {
        if (other is null || other.ElementType != ElementType || other.Count != Count) return false;
        for (var i = 0; i < Count; i++)
            if (!Equals(Items.GetValue(i), other.Items.GetValue(i))) return false;
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GgufArray);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ElementType, Count);

    /// <summary>Summary: element type, length and the first few items.</summary>
    public override string ToString()
    {
        const int shown = 5;
        var first = Enumerable.Range(0, Math.Min(shown, Count)).Select(i => Items.GetValue(i) switch
        {
            string s => '"' + s + '"',
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var o => o?.ToString() ?? "",
        });
        return $"[{ElementType} x {Count}] [{string.Join(", ", first)}{(Count > shown ? ", ..." : "")}]";
    }
}
