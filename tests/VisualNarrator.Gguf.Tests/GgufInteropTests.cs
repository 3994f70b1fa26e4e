using LLama;
using LLama.Common;
using LLama.Native;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Gguf.Tests;

/// <summary>Interop both ways with the native GGUF code in LLamaSharp 0.30.0's libraries.</summary>
public sealed class GgufInteropTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("gguf-interop");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void FileWrittenByGgml_ReadsWithTheSameKeysValuesAndOffsets()
    {
        var path = Path.Combine(_dir.FullName, "ggml.gguf");
        var rng = new Random(5);
        var f32 = GgufSamples.RandomBytes(rng, 4 * 64 * 3);
        var q8 = GgufSamples.RandomBytes(rng, 34 * 2 * 5);
        using (var w = new GgufNativeWriter())
        {
            w.Set("general.architecture", "gpt2");
            w.Set("t.u8", (byte)7); w.Set("t.i8", (sbyte)-7); w.Set("t.u16", (ushort)65000); w.Set("t.i16", (short)-300);
            w.Set("t.u32", 4_000_000_000u); w.Set("t.i32", -5); w.Set("t.f32", 0.25f); w.Set("t.u64", ulong.MaxValue);
            w.Set("t.i64", long.MinValue); w.Set("t.f64", Math.E); w.Set("t.bool", true); w.Set("t.str", "ünïcode ✓");
            w.SetArray("t.arr.i32", GgufValueType.Int32, new[] { 1, -2, 3 });
            w.SetArray("t.arr.f32", GgufValueType.Float32, new[] { 1.5f, -0.5f });
            w.SetArray("t.arr.str", new[] { "Ġthe", "</s>", "" });
            w.AddTensor("a.weight", GgmlType.F32, [64, 3], f32);
            w.AddTensor("b.weight", GgmlType.Q8_0, [64, 5], q8);
            w.WriteTo(path);
        }

        var file = GgufFile.Open(path);
        Assert.Equal("gpt2", file.GetString("general.architecture"));
        Assert.Equal((byte)7, file.Get<byte>("t.u8", GgufValueType.UInt8));
        Assert.Equal((sbyte)-7, file.Get<sbyte>("t.i8", GgufValueType.Int8));
        Assert.Equal((ushort)65000, file.Get<ushort>("t.u16", GgufValueType.UInt16));
        Assert.Equal((short)-300, file.Get<short>("t.i16", GgufValueType.Int16));
        Assert.Equal(4_000_000_000u, file.GetUInt32("t.u32"));
        Assert.Equal(-5, file.Get<int>("t.i32", GgufValueType.Int32));
        Assert.Equal(0.25f, file.GetFloat32("t.f32"));
        Assert.Equal(ulong.MaxValue, file.Get<ulong>("t.u64", GgufValueType.UInt64));
        Assert.Equal(long.MinValue, file.Get<long>("t.i64", GgufValueType.Int64));
        Assert.Equal(Math.E, file.Get<double>("t.f64", GgufValueType.Float64));
        Assert.True(file.GetBool("t.bool", false));
        Assert.Equal("ünïcode ✓", file.GetString("t.str"));
        Assert.Equal([1, -2, 3], file.GetArray<int>("t.arr.i32", GgufValueType.Int32));
        Assert.Equal([1.5f, -0.5f], file.GetArray<float>("t.arr.f32", GgufValueType.Float32));
        Assert.Equal(["Ġthe", "</s>", ""], file.GetStringArray("t.arr.str"));

        Assert.Equal(["a.weight", "b.weight"], file.Tensors.Select(t => t.Name));
        var b = file.FindTensor("b.weight")!;
        Assert.Equal(GgmlType.Q8_0, b.Type);
        Assert.Equal([64L, 5L], b.Shape);
        // ggml lays tensors out back to back, each padded to the alignment.
        Assert.Equal(0, file.Tensors[0].RelativeOffset);
        Assert.Equal((f32.Length + 31) / 32 * 32, b.RelativeOffset);
        var read = new byte[b.ByteSize];
        file.ReadTensorData(b, read);
        Assert.Equal(q8, read);
        var readA = new byte[f32.Length];
        file.ReadTensorData(file.Tensors[0], readA);
        Assert.Equal(f32, readA);

        // And our writer reproduces ggml's bytes for the same content.
        var ours = Path.Combine(_dir.FullName, "ours.gguf");
        GgufWriter.CopyOf(file).WriteTo(ours);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(ours));
    }

    [Fact]
    public void Gpt2FileWrittenByUs_LoadsInLlamaCpp_AndYieldsFiniteLogits()
    {
        var path = Path.Combine(_dir.FullName, "gpt2.gguf");
        RandomModelWriter.Write(path, "gpt2", TestModels.TinyOpt, RandomModelWriter.TinyTokenizer(), GgmlType.F32, std: 0.3f);
        GgmlLibrary.EnsureLoaded();
        var p = new ModelParams(path) { ContextSize = 32, GpuLayerCount = 0, Threads = 2 };
        using var weights = LLamaWeights.LoadFromFile(p);
        Assert.Equal(TestModels.TinyOpt.EmbeddingLength, weights.EmbeddingSize);
        using var context = weights.CreateContext(p);
        var batch = new LLamaBatch();
        int[] prompt = [2, 100, 200, 42];
        for (var i = 0; i < prompt.Length; i++) batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
        Assert.Equal(DecodeResult.Ok, context.NativeHandle.Decode(batch));
        var logits = context.NativeHandle.GetLogitsIth(prompt.Length - 1).ToArray();
        Assert.Equal(RandomModelWriter.TinyTokenizer().Count, logits.Length);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        Assert.True(logits.Max() - logits.Min() > 1f, "logits should not be flat");
    }
}
