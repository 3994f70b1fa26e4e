using System.Runtime.InteropServices;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Quantization;

/// <summary>The bytes the quantizer writes: equal to ggml_quantize_chunk on whole tensors, the same on every run,
/// and never a partial file.</summary>
public sealed class QuantizerOutputTests(QuantizationFixture fixture) : IClassFixture<QuantizationFixture>
{
    private static float[] Widen(GgufFile file, GgufTensorInfo tensor)
    {
        var bytes = new byte[tensor.ByteSize];
        file.ReadTensorData(tensor, bytes);
        return tensor.Type switch
        {
            GgmlType.F16 => MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h).ToArray(),
            GgmlType.F32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
            _ => throw new InvalidOperationException($"{tensor.Name} is {tensor.Type}"),
        };
    }

    [Theory]
    [InlineData("q8_0")]
    [InlineData("q4_k_m")]
    public void ConvertedTensors_EqualGgmlQuantizeChunkOfTheWholeTensor(string preset)
    {
        // The quantizer converts in parallel row chunks; one ggml_quantize_chunk call over all rows must give the same bytes.
        var source = GgufFile.Open(fixture.Source());
        var output = GgufFile.Open(fixture.Quantized(preset));
        var checkedTensors = 0;
        foreach (var t in output.Tensors.Where(t => t.Type != source.FindTensor(t.Name)!.Type))
        {
            var expected = Ggml.Quantize(t.Type, Widen(source, source.FindTensor(t.Name)!), t.Shape[0]);
            var actual = new byte[t.ByteSize];
            output.ReadTensorData(t, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{t.Name} ({GgmlTypeInfo.Name(t.Type)}) differs from ggml_quantize_chunk");
            checkedTensors++;
        }
        Assert.Equal(1 + 8 * 6, checkedTensors); // token_embd and the six matrices of each of the 8 layers
    }

    [Theory]
    [InlineData("q8_0")]
    [InlineData("q4_k_m")]
    public void FromF32Source_ConvertedTensors_EqualGgmlQuantizeChunkOfTheWholeTensor(string preset)
    {
        // F32 rows are quantized where they lie in the read buffer, F16 rows through a widened copy: both must match.
        var sourcePath = fixture.Source(QuantizationFixture.Mix256, GgmlType.F32);
        var outputPath = fixture.PathFor($"from-f32-{preset}.gguf");
        ModelQuantizer.Quantize(sourcePath, outputPath, QuantizationPreset.Parse(preset));
        var source = GgufFile.Open(sourcePath);
        var output = GgufFile.Open(outputPath);
        var converted = output.Tensors.Where(t => t.Type != source.FindTensor(t.Name)!.Type).ToList();
        Assert.Equal(1 + 8 * 6, converted.Count);
        foreach (var t in converted)
        {
            Assert.Equal(GgmlType.F32, source.FindTensor(t.Name)!.Type);
            var expected = Ggml.Quantize(t.Type, Widen(source, source.FindTensor(t.Name)!), t.Shape[0]);
            var actual = new byte[t.ByteSize];
            output.ReadTensorData(t, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{t.Name} ({GgmlTypeInfo.Name(t.Type)}) differs from ggml_quantize_chunk");
        }
    }

    [Fact]
    public void UnconvertedTensors_AreCopiedByteForByte()
    {
        var source = GgufFile.Open(fixture.Source());
        var output = GgufFile.Open(fixture.Quantized("q8_0"));
        foreach (var t in output.Tensors.Where(t => t.Type == source.FindTensor(t.Name)!.Type))
        {
            var s = source.FindTensor(t.Name)!;
            byte[] a = new byte[s.ByteSize], b = new byte[t.ByteSize];
            source.ReadTensorData(s, a);
            output.ReadTensorData(t, b);
            Assert.True(a.AsSpan().SequenceEqual(b), t.Name);
        }
    }

    [Fact]
    public void TwoRuns_OneAndAllThreads_GiveIdenticalBytes()
    {
        string a = fixture.PathFor("det-a.gguf"), b = fixture.PathFor("det-b.gguf");
        ModelQuantizer.Quantize(fixture.Source(), a, QuantizationPreset.Q4_K_M);
        ModelQuantizer.Quantize(fixture.Source(), b, QuantizationPreset.Q4_K_M, new QuantizeOptions(Threads: 1));
        Assert.True(File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)));
        Assert.True(File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(fixture.Quantized("q4_k_m"))));
    }

    [Fact]
    public void Progress_ReportsEveryTensorInOrder()
    {
        var reports = new List<QuantizeProgress>();
        var result = ModelQuantizer.Quantize(fixture.Source(), fixture.PathFor("progress.gguf"), QuantizationPreset.Q8_0,
            progress: new SyncProgress(reports.Add));
        var source = GgufFile.Open(fixture.Source());
        Assert.Equal(source.Tensors.Select(t => t.Name), reports.Select(r => r.Tensor));
        Assert.Equal(Enumerable.Range(1, source.Tensors.Count), reports.Select(r => r.TensorsDone));
        Assert.Equal(source.Tensors.Sum(t => t.ByteSize), reports[^1].SourceBytesDone);
        Assert.Equal(reports[^1].SourceBytesTotal, reports[^1].SourceBytesDone);
        Assert.Equal(new FileInfo(fixture.PathFor("progress.gguf")).Length, result.OutputBytes);
        Assert.True(result.OutputBytes < result.InputBytes);
    }

    [Fact]
    public void ProgressThatThrows_LeavesNoOutputAndNoTempFile()
    {
        var output = fixture.PathFor("throws.gguf");
        var ex = Assert.Throws<InvalidOperationException>(() => ModelQuantizer.Quantize(fixture.Source(), output, QuantizationPreset.Q4_K_M,
            progress: new SyncProgress(p => { if (p.TensorsDone == 5) throw new InvalidOperationException("stop here"); })));
        Assert.Equal("stop here", ex.Message);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(fixture.Folder, "*.tmp"));
    }

    [Fact]
    public void Cancellation_MidWrite_LeavesAnExistingOutputUntouched()
    {
        var output = fixture.PathFor("cancelled.gguf");
        File.WriteAllText(output, "previous contents");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => ModelQuantizer.Quantize(fixture.Source(), output, QuantizationPreset.Q8_0,
            progress: new SyncProgress(p => { if (p.TensorsDone == 3) cts.Cancel(); }), cancellationToken: cts.Token));
        Assert.Equal("previous contents", File.ReadAllText(output));
        Assert.Empty(Directory.GetFiles(fixture.Folder, "*.tmp"));
    }

    internal sealed class SyncProgress(Action<QuantizeProgress> report) : IProgress<QuantizeProgress>
    {
        public void Report(QuantizeProgress value) => report(value);
    }
}
