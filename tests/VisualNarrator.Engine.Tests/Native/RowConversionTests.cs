using System.Runtime.InteropServices;
using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Tests.Native;

/// <summary>The quantizer's native steps: ggml's F16/BF16 row widening gives the same floats as the managed conversion
/// for every bit pattern, and quantizing into a caller's buffer gives the same bytes as quantizing into a new one.</summary>
public sealed class RowConversionTests
{
    private static readonly ushort[] EveryPattern = [.. Enumerable.Range(0, 1 << 16).Select(i => (ushort)i)];

    [Fact]
    public void F16_EveryBitPattern_WidensAsManagedHalf()
    {
        var widened = new float[EveryPattern.Length];
        Ggml.ToFloat(GgmlType.F16, MemoryMarshal.AsBytes(EveryPattern.AsSpan()), widened);
        for (var i = 0; i < EveryPattern.Length; i++)
        {
            var expected = (float)BitConverter.UInt16BitsToHalf(EveryPattern[i]);
            // NaN payloads may differ between conversions; a NaN must stay a NaN.
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(widened[i]), $"0x{i:x4}");
            else Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(widened[i]), $"0x{i:x4}: {expected} vs {widened[i]}");
        }
    }

    [Fact]
    public void BF16_EveryBitPattern_WidensToTheUpperHalfOfAnF32()
    {
        var widened = new float[EveryPattern.Length];
        Ggml.ToFloat(GgmlType.BF16, MemoryMarshal.AsBytes(EveryPattern.AsSpan()), widened);
        for (var i = 0; i < EveryPattern.Length; i++)
        {
            var expected = BitConverter.UInt32BitsToSingle((uint)EveryPattern[i] << 16);
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(widened[i]), $"0x{i:x4}");
            else Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(widened[i]), $"0x{i:x4}: {expected} vs {widened[i]}");
        }
    }

    [Fact]
    public void ToFloat_RefusesOtherTypesAndMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => Ggml.ToFloat(GgmlType.Q8_0, new byte[34], new float[32]));
        Assert.Throws<ArgumentException>(() => Ggml.ToFloat(GgmlType.F16, new byte[6], new float[4]));
        var f32 = new[] { 1.5f, -2f, float.MaxValue };
        var copy = new float[3];
        Ggml.ToFloat(GgmlType.F32, MemoryMarshal.AsBytes(f32.AsSpan()), copy);
        Assert.Equal(f32, copy);
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q6_K)]
    [InlineData(GgmlType.F16)]
    public void QuantizeInto_WritesTheBytesOfQuantize(GgmlType type)
    {
        const int rowLength = 512, rows = 5;
        var values = GgmlRig.Random(rowLength * rows, 11);
        var expected = Ggml.Quantize(type, values, rowLength);
        var actual = new byte[expected.Length];
        Ggml.QuantizeInto(type, values, rowLength, actual);
        Assert.Equal(expected, actual);
        Assert.Throws<ArgumentException>(() => Ggml.QuantizeInto(type, values, rowLength, new byte[expected.Length + 1]));
        Assert.Throws<ArgumentException>(() => Ggml.QuantizeInto(GgmlType.I32, values, rowLength, actual));
    }
}
