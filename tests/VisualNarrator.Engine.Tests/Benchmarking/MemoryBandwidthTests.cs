using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;
using Xunit;

namespace VisualNarrator.Engine.Tests.Benchmarking;

public sealed class MemoryBandwidthTests(TestModels models) : IClassFixture<TestModels>
{
    [Theory]
    [InlineData(1, 1L << 20)]
    [InlineData(2, (1L << 20) + 8 * 7)] // slices and vectors that do not divide the buffer: the tails must be read too
    [InlineData(3, (3L << 20) + 8 * 13)]
    public void MeasureRead_ReadsEveryWordOnce(int threads, long bytes)
    {
        var result = MemoryBandwidth.MeasureRead(bytes, threads, passes: 2);

        var words = bytes / 8;
        Assert.Equal(words * (words - 1) / 2, result.Checksum); // the buffer holds 0, 1, 2, ... words - 1
        Assert.Equal(bytes, result.Bytes);
        Assert.Equal(threads, result.Threads);
        Assert.True(double.IsFinite(result.BytesPerSecond) && result.BytesPerSecond > 0);
    }

    [Fact]
    public void MeasureRead_RefusesBuffersSmallerThanOneMiB()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBandwidth.MeasureRead(1 << 19));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBandwidth.MeasureRead(threads: 0));
    }

    [Fact]
    public void DecodeBytes_CountTheTiedEmbeddingAsTheHead_ButNotThePositionTable()
    {
        var hp = TestModels.TinyOpt;
        var file = GgufFile.Open(models.Get("opt", hp, GgmlType.F16, tied: true));
        var all = file.Tensors.Sum(t => t.ByteSize);
        var positions = file.FindTensor(TensorNames.PositionEmbd)!.ByteSize;

        var bytes = MemoryBandwidth.DecodeBytesPerToken(file, hp.BlockCount, hp.EmbeddingLength, cachedTokens: 10);

        Assert.Null(file.FindTensor(TensorNames.Output));
        Assert.Equal(all - positions + 2L * hp.BlockCount * hp.EmbeddingLength * 10 * 2, bytes);
    }

    [Fact]
    public void DecodeBytes_WithASeparateHead_CountOnlyOneEmbeddingMatrix()
    {
        var hp = TestModels.TinyOpt;
        var file = GgufFile.Open(models.Get("opt", hp, GgmlType.F16, tied: false));
        var all = file.Tensors.Sum(t => t.ByteSize);
        var positions = file.FindTensor(TensorNames.PositionEmbd)!.ByteSize;
        var embedding = file.FindTensor(TensorNames.TokenEmbd)!.ByteSize;

        Assert.NotNull(file.FindTensor(TensorNames.Output));
        Assert.Equal(all - positions - embedding, MemoryBandwidth.DecodeBytesPerToken(file, hp.BlockCount, hp.EmbeddingLength, cachedTokens: 0));
    }
}
