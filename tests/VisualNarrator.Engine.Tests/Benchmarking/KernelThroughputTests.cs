using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;
using Xunit;

namespace VisualNarrator.Engine.Tests.Benchmarking;

public sealed class KernelThroughputTests(TestModels models) : IClassFixture<TestModels>
{
    [Theory]
    [InlineData(GgmlType.F16, 512)]   // 12 × 512 × 1 KiB = 6 MiB per layer; 768 would be 13.5
    [InlineData(GgmlType.Q8_0, 768)]  // 7.2 MiB; 1024 would be 12.8
    [InlineData(GgmlType.Q4_K, 1024)] // 6.8 MiB; 1280 would be 10.5
    public void Width_IsTheWidestWhoseLayerTakesAQuarterOfTheCache(GgmlType type, int expected)
    {
        var cache = 32L << 20;
        var width = KernelThroughput.WidthFor(type, cache);

        Assert.Equal(expected, width);
        Assert.True(KernelThroughput.LayerBytes(type, width) <= cache / 4);
        Assert.True(KernelThroughput.LayerBytes(type, width + 256) > cache / 4);
    }

    [Fact]
    public void Width_NeverGoesBelowOneBlockRow()
    {
        Assert.Equal(256, KernelThroughput.WidthFor(GgmlType.F32, 1L << 20));
    }

    [Fact]
    public void Measure_TimesTheTwoExtraLayers_AndKeepsItsModelsForTheNextRun()
    {
        var cache = models.PathFor("kernel-cache");

        var result = KernelThroughput.Measure(cache, QuantizationPreset.Q8_0, threads: 1, minSeconds: 0.05);

        // The marginal bytes are the two extra layers' weights (plus their share of the cached keys and values): the
        // difference of the two files' decode bytes.
        var files = Directory.GetFiles(cache, "*-q8_0.gguf").OrderBy(f => new FileInfo(f).Length).ToArray();
        Assert.Equal(2, files.Length);
        long Bytes(string path, int layers) => MemoryBandwidth.DecodeBytesPerToken(GgufFile.Open(path), layers, result.Width, 8 + 16);
        Assert.Equal(Bytes(files[1], 3) - Bytes(files[0], 1), result.MarginalBytes);
        Assert.True(result.MarginalBytes > 2 * KernelThroughput.LayerBytes(GgmlType.Q8_0, result.Width));
        Assert.Equal("q8_0", result.Type);
        Assert.Equal(1, result.Threads);
        Assert.True(result.MarginalSeconds > 0 && double.IsFinite(result.BytesPerSecond));
        Assert.Equal(result.MarginalBytes / result.MarginalSeconds, result.BytesPerSecond, 1e-9 * result.BytesPerSecond);

        var written = files.Select(File.GetLastWriteTimeUtc).ToArray();
        KernelThroughput.Measure(cache, QuantizationPreset.Q8_0, threads: 1, minSeconds: 0.05);
        Assert.Equal(written, files.Select(File.GetLastWriteTimeUtc).ToArray());
    }
}
