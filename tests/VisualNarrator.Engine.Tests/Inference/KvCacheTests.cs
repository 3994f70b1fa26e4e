using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Native;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Inference;

/// <summary>The CPU KV cache's memory: zero-filled memory of its own (not cleared page by page at creation), every
/// layer's keys and values aligned as ggml's kernels need, and zeros even where a freed cache's data was before; a
/// transposed V cache's rows padded to an odd number of cache lines.</summary>
[Collection("ggml")]
public sealed class KvCacheTests
{
    [Fact]
    public void ANewCpuCache_IsAlignedAndAllZeros_EvenInMemoryAFreedCacheFilled()
    {
        var hp = TestModels.Wider;
        using var backend = GgmlBackend.Create("cpu", 1);
        // Small caches (below glibc's mmap threshold) come from the heap, where the memory of the cache freed just
        // before is handed out again: without zero-filling, the second cache would read the first one's 0x5A bytes.
        for (var round = 0; round < 4; round++)
        {
            using var cache = new KvCache(hp, backend, 16, KvCacheType.F32);
            for (var layer = 0; layer < hp.BlockCount; layer++)
            {
                foreach (var tensor in new[] { cache.Layer(layer).K, cache.Layer(layer).V })
                {
                    var data = tensor.HostData;
                    Assert.Equal((int)tensor.Nbytes, data.Length);
                    Assert.Equal(0, Address(data) % GgmlBackendBuffer.CpuAlignment);
                    Assert.Equal(-1, data.IndexOfAnyExcept((byte)0));
                    data.Fill(0x5A);
                }
            }
        }
    }

    [Fact]
    public void TheLayersTensors_DoNotOverlap_AndFitTheBuffer()
    {
        var hp = TestModels.Wider;
        using var backend = GgmlBackend.Create("cpu", 1);
        using var cache = new KvCache(hp, backend, 24, KvCacheType.F16);
        var spans = Enumerable.Range(0, hp.BlockCount)
            .SelectMany(l => new[] { cache.Layer(l).K, cache.Layer(l).V })
            .Select(t => (Start: Address(t.HostData), End: Address(t.HostData) + (long)t.Nbytes))
            .OrderBy(s => s.Start).ToList();
        for (var i = 1; i < spans.Count; i++) Assert.True(spans[i].Start >= spans[i - 1].End, $"tensor {i} overlaps the one before");
        Assert.True(spans[^1].End - spans[0].Start <= (long)cache.BufferBytes);
        Assert.Equal(2L * hp.BlockCount * hp.EmbeddingLength * 24 * sizeof(short), spans.Sum(s => s.End - s.Start));
    }

    [Theory]
    [InlineData(2048, 2, 2080)] // 4096 bytes, 64 lines: one more
    [InlineData(2047, 2, 2080)]
    [InlineData(264, 2, 288)]   // 9 lines already
    [InlineData(2048, 4, 2064)] // 8192 bytes, 128 lines: one more
    [InlineData(1, 4, 16)]
    public void TransposedValueRows_SpanAnOddNumberOfCacheLines(int cells, int elementBytes, int rowLength)
    {
        Assert.Equal(rowLength, KvCache.SetSpreadRow(cells, elementBytes));
        Assert.Equal(1, rowLength * elementBytes / 64 % 2);
    }

    [Fact]
    public void CpuCache_PadsTransposedValueRows_AndKeepsTheCellCount()
    {
        var hp = TestModels.Wider;
        using var backend = GgmlBackend.Create("cpu", 1);
        using var transposed = new KvCache(hp, backend, 2048, KvCacheType.F16, transposedValues: true);
        using var plain = new KvCache(hp, backend, 2048, KvCacheType.F16);
        Assert.Equal(2048, transposed.Cells);
        Assert.Equal(2080, transposed.ValueRowLength);
        Assert.Equal(2080, transposed.Layer(0).V.Ne(0));
        Assert.Equal(2048, plain.ValueRowLength);
    }

    private static unsafe long Address(Span<byte> data)
    {
        fixed (byte* p = data) return (long)p;
    }
}
