using System.Buffers.Binary;
using System.Text;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Gguf.Tests;

public class GgufValidationTests
{
    private static GgufFormatException Reject(byte[] bytes) =>
        Assert.Throws<GgufFormatException>(() => GgufSamples.Parse(bytes, "bad.gguf"));

    private static byte[] Valid() => GgufSamples.Bytes(GgufSamples.AllValueTypes());

    [Fact]
    public void WrongMagic()
    {
        var b = Valid();
        b[0] = (byte)'X';
        var ex = Reject(b);
        Assert.Equal(0, ex.Offset);
        Assert.Contains("magic", ex.Message);
        Assert.StartsWith("bad.gguf: at byte 0:", ex.Message);
    }

    [Fact]
    public void UnsupportedVersion()
    {
        var b = Valid();
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 2);
        Assert.Contains("unsupported GGUF version 2", Reject(b).Message);
    }

    [Fact]
    public void TruncationAnywhere_IsAFormatError()
    {
        var b = Valid();
        foreach (var length in new[] { 0, 3, 7, 15, 23, 40, 200, b.Length - 1 })
            Assert.IsType<GgufFormatException>(Record.Exception(() => GgufSamples.Parse(b[..length])));
    }

    [Fact]
    public void HugeCounts_AreRejectedBeforeAllocating()
    {
        var b = Valid();
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), ulong.MaxValue);
        var ex = Reject(b);
        Assert.Equal(16, ex.Offset);
        Assert.Contains("metadata count", ex.Message);
    }

    [Fact]
    public void HugeStringLength_NamesTheKey()
    {
        var w = new GgufWriter().SetString("general.name", "abc");
        var b = GgufSamples.Bytes(w);
        // header 24 + key length 8 + key 12 + type 4 -> value length at 48
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(48), 1UL << 50);
        var ex = Reject(b);
        Assert.Contains("'general.name'", ex.Message);
        Assert.Equal(48, ex.Offset);
    }

    [Fact]
    public void UnknownValueType()
    {
        var b = GgufSamples.Bytes(new GgufWriter().SetUInt32("k", 1));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24 + 8 + 1), 99);
        Assert.Contains("unknown value type 99", Reject(b).Message);
    }

    [Fact]
    public void DuplicateKey()
    {
        var b = GgufSamples.Bytes(new GgufWriter().SetUInt32("ka", 1).SetUInt32("kb", 2));
        b[24 + 8 + 1] = (byte)'a'; // second key starts after the first's 8+2+4+4 bytes
        var second = 24 + 18 + 8 + 1;
        b[second] = (byte)'a';
        Assert.Contains("duplicate metadata key 'ka'", Reject(b).Message);
    }

    [Fact]
    public void DuplicateTensorName()
    {
        var b = GgufSamples.Bytes(new GgufWriter().AddTensor("aa", new float[4], 4).AddTensor("ab", new float[4], 4));
        var text = Encoding.ASCII.GetBytes("ab");
        var at = b.AsSpan().IndexOf(text);
        b[at + 1] = (byte)'a';
        Assert.Contains("duplicate tensor name 'aa'", Reject(b).Message);
    }

    [Theory]
    [InlineData(0UL, "dimension 0 is 0")]
    [InlineData(ulong.MaxValue, "dimension 0 is")]
    public void BadDimensions(ulong ne, string expected)
    {
        var b = GgufSamples.Bytes(new GgufWriter().AddTensor("w", new float[4], 4));
        // header 24, name 8+1, n_dims 4 -> ne0 at 37
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(37), ne);
        Assert.Contains(expected, Reject(b).Message);
    }

    [Fact]
    public void OverflowingElementCount()
    {
        var b = GgufSamples.Bytes(new GgufWriter().AddTensor("w", new float[4], 2, 2));
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(37), 1UL << 40);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(45), 1UL << 40);
        Assert.Contains("overflows", Reject(b).Message);
    }

    [Fact]
    public void TooManyDimensions()
    {
        var b = GgufSamples.Bytes(new GgufWriter().AddTensor("w", new float[4], 4));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(33), 5);
        Assert.Contains("5 dimensions", Reject(b).Message);
    }

    [Fact]
    public void UnknownTensorType()
    {
        var b = GgufSamples.Bytes(new GgufWriter().AddTensor("w", new float[4], 4));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(45), 4); // id 4 was removed from ggml
        Assert.Contains("unknown ggml type id 4", Reject(b).Message);
    }

    [Fact]
    public void MisalignedOffset()
    {
        var b = GgufSamples.Bytes(new GgufWriter().AddTensor("a", new float[4], 4).AddTensor("b", new float[4], 4));
        var second = 24 + (8 + 1 + 4 + 8 + 4 + 8) + (8 + 1 + 4 + 8 + 4);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(second), 8);
        Assert.Contains("not a multiple of the alignment 32", Reject(b).Message);
    }

    [Fact]
    public void OverlappingTensors()
    {
        var b = GgufSamples.Bytes(new GgufWriter().AddTensor("a", new float[16], 16).AddTensor("b", new float[16], 16));
        var second = 24 + (8 + 1 + 4 + 8 + 4 + 8) + (8 + 1 + 4 + 8 + 4);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(second), 32); // a is 64 bytes long
        Assert.Contains("overlaps", Reject(b).Message);
    }

    [Fact]
    public void DataOutsideTheFile()
    {
        var b = GgufSamples.Bytes(new GgufWriter().AddTensor("a", new float[16], 16));
        Assert.Contains("outside", Reject(b[..^40]).Message);
    }

    [Theory]
    [InlineData(12u)]
    [InlineData(0u)]
    [InlineData(24u)]
    public void AlignmentMustBeAPowerOfTwoMultipleOf8(uint alignment)
    {
        var b = GgufSamples.Bytes(new GgufWriter().SetUInt32(GgufKeys.Alignment, 32));
        var at = b.AsSpan().IndexOf("general.alignment"u8) + 17 + 4;
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), alignment);
        Assert.Contains($"alignment {alignment}", Reject(b).Message);
    }

    [Fact]
    public void TypedGetters_NameKeyAndTypes()
    {
        var file = GgufSamples.Parse(GgufSamples.Bytes(GgufSamples.AllValueTypes()), "m.gguf");
        var wrong = Assert.Throws<GgufFormatException>(() => file.GetUInt32("t.str"));
        Assert.Contains("'t.str' must be UINT32, found STRING", wrong.Message);
        var missing = Assert.Throws<GgufFormatException>(() => file.GetUInt32("opt.block_count"));
        Assert.Contains("missing required key 'opt.block_count'", missing.Message);
        Assert.StartsWith("m.gguf:", missing.Message);
    }
}
