using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Gguf.Tests;

public class GgufRoundTripTests
{
    [Fact]
    public void WriteReadRewrite_GivesIdenticalBytes_ForEveryValueType()
    {
        var first = GgufSamples.Bytes(GgufSamples.AllValueTypes());
        var dir = Directory.CreateTempSubdirectory("gguf-rt");
        try
        {
            var path = Path.Combine(dir.FullName, "a.gguf");
            File.WriteAllBytes(path, first);
            var file = GgufFile.Open(path);
            var second = GgufSamples.Bytes(GgufWriter.CopyOf(file));
            Assert.Equal(first, second);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Reader_ReturnsTheValuesThatWereWritten()
    {
        var writer = GgufSamples.AllValueTypes();
        var file = GgufSamples.Parse(GgufSamples.Bytes(writer));
        Assert.Equal(3u, file.Version);
        Assert.Equal(writer.Metadata.Keys, file.Metadata.Keys);
        foreach (var (key, value) in writer.Metadata)
            Assert.Equal(value, file.Metadata[key]);
        foreach (var type in Enum.GetValues<GgufValueType>())
            Assert.Contains(file.Metadata.Values, v => v.Type == type);
        Assert.Equal("héllo wörld ✓ 日本", file.GetString("t.str"));
        Assert.Equal(ulong.MaxValue, file.Get<ulong>("t.u64", GgufValueType.UInt64));
        var nested = file.Metadata["t.arr.nested"].AsArray().As<GgufArray>();
        Assert.Equal(9f, nested[2].As<GgufArray>()[0].As<float>()[0]);
    }

    [Fact]
    public void TensorDirectory_HasShapesSizesAndAlignedOffsets()
    {
        var file = GgufSamples.Parse(GgufSamples.Bytes(GgufSamples.AllValueTypes()));
        var q8 = file.FindTensor("blk.0.ffn_up.weight")!;
        Assert.Equal(GgmlType.Q8_0, q8.Type);
        Assert.Equal([64L, 3L], q8.Shape);
        Assert.Equal(2 * 34 * 3, q8.ByteSize);
        var q4k = file.FindTensor("blk.0.ffn_down.weight")!;
        Assert.Equal(144 * 2, q4k.ByteSize);
        Assert.All(file.Tensors, t => Assert.Equal(0, (t.FileOffset) % 32));
        Assert.All(file.Tensors, t => Assert.Equal(file.DataOffset + t.RelativeOffset, t.FileOffset));
    }

    [Fact]
    public void TensorData_ReadsBackExactly()
    {
        var rng = new Random(3);
        var data = GgufSamples.RandomFloats(rng, 48);
        var w = new GgufWriter().SetString(GgufKeys.Architecture, "x").AddTensor("w", data, 16, 3);
        var dir = Directory.CreateTempSubdirectory("gguf-data");
        try
        {
            var path = Path.Combine(dir.FullName, "w.gguf");
            w.WriteTo(path);
            var file = GgufFile.Open(path);
            var bytes = new byte[file.Tensors[0].ByteSize];
            file.ReadTensorData(file.Tensors[0], bytes);
            Assert.Equal(data, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray());
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Writer_FailingMidway_LeavesNoFileAndKeepsTheOldOne()
    {
        var dir = Directory.CreateTempSubdirectory("gguf-atomic");
        try
        {
            var path = Path.Combine(dir.FullName, "model.gguf");
            File.WriteAllText(path, "previous content");
            var w = new GgufWriter().SetString(GgufKeys.Architecture, "x")
                .AddTensor("a", GgmlType.F32, [4], s => s.Write(new byte[16]))
                .AddTensor("b", GgmlType.F32, [4], _ => throw new IOException("source vanished"));
            Assert.Throws<IOException>(() => w.WriteTo(path));
            Assert.Equal("previous content", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(dir.FullName));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Writer_RejectsCallbackThatWritesTheWrongSize()
    {
        var w = new GgufWriter().AddTensor("a", GgmlType.F32, [4], s => s.Write(new byte[12]));
        var ex = Assert.Throws<InvalidOperationException>(() => w.WriteTo(new MemoryStream()));
        Assert.Contains("'a'", ex.Message);
    }

    [Fact]
    public void CustomAlignment_IsHonoured()
    {
        var w = new GgufWriter().SetUInt32(GgufKeys.Alignment, 64).SetString(GgufKeys.Architecture, "x")
            .AddTensor("a", new float[3], 3).AddTensor("b", new float[5], 5);
        var file = GgufSamples.Parse(GgufSamples.Bytes(w));
        Assert.Equal(64u, file.Alignment);
        Assert.All(file.Tensors, t => Assert.Equal(0, t.FileOffset % 64));
    }
}
