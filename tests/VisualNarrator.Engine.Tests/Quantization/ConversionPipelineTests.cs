using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Quantization;

/// <summary>The pipeline that converts tensors on worker threads while the writer takes them in file order: what it
/// hands over, and what the writer sees when a worker fails.</summary>
public sealed class ConversionPipelineTests(QuantizationFixture fixture) : IClassFixture<QuantizationFixture>
{
    [Fact]
    public void Takes_every_converted_tensor_in_file_order_with_ggml_quantize_chunks_bytes()
    {
        var file = GgufFile.Open(fixture.Source());
        var converted = ModelQuantizer.Plan(file, QuantizationPreset.Q4_K_M).Tensors.Where(t => t.Converts).ToList();
        using var source = file.OpenForParallelReads();
        // Three workers on a small model: several tensors are in flight at once.
        using var pipeline = new ConversionPipeline(file, source, converted, threads: 3, CancellationToken.None);
        foreach (var tensor in converted)
        {
            var raw = new byte[tensor.Source.ByteSize];
            file.ReadTensorData(tensor.Source, raw);
            var values = new float[tensor.Source.ElementCount];
            Ggml.ToFloat(tensor.Source.Type, raw, values);
            var expected = Ggml.Quantize(tensor.Type, values, tensor.Source.Shape[0]);
            Assert.True(expected.AsSpan().SequenceEqual(pipeline.Take()),
                $"{tensor.Source.Name} is not the tensor taken in its place");
        }
        Assert.Throws<InvalidOperationException>(() => pipeline.Take());
    }

    [Fact]
    public void A_read_that_fails_on_a_worker_reaches_the_writer_as_it_was_thrown()
    {
        var file = GgufFile.Open(fixture.Source());
        var converted = ModelQuantizer.Plan(file, QuantizationPreset.Q8_0).Tensors.Where(t => t.Converts).ToList();
        // The workers read through a handle to a copy that ends inside the first converted tensor.
        var cut = fixture.PathFor("cut-short.gguf");
        File.Copy(fixture.Source(), cut, overwrite: true);
        var end = converted[0].Source.FileOffset + converted[0].Source.ByteSize / 2;
        using (var shorten = File.OpenHandle(cut, FileMode.Open, FileAccess.Write))
            RandomAccess.SetLength(shorten, end);
        using var source = File.OpenHandle(cut);
        using var pipeline = new ConversionPipeline(file, source, converted, threads: 2, CancellationToken.None);

        var ex = Assert.Throws<EndOfStreamException>(() => pipeline.Take());
        Assert.Contains($"inside tensor '{converted[0].Source.Name}'", ex.Message);
    }

    [Fact]
    public void A_cancelled_token_reaches_the_writer_and_stops_the_workers()
    {
        var file = GgufFile.Open(fixture.Source());
        var converted = ModelQuantizer.Plan(file, QuantizationPreset.Q4_K_M).Tensors.Where(t => t.Converts).ToList();
        using var source = file.OpenForParallelReads();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var pipeline = new ConversionPipeline(file, source, converted, threads: 2, cts.Token);
        Assert.ThrowsAny<OperationCanceledException>(() => pipeline.Take());
        pipeline.Dispose(); // returns only once both workers have stopped
    }
}
