using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
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

    [Theory]
    [InlineData(160, 2, true, 128)] // head size 80 (opt-2.7b's): read 128 wide
    [InlineData(128, 4, true, 64)]  // 32 (the built-in model's): 64
    [InlineData(96, 6, true, 16)]   // 16: 64 would be four times as wide
    [InlineData(128, 2, true, 64)]  // 64 already
    [InlineData(160, 2, false, 80)] // values not transposed: flash attention reads the keys itself
    public void KeyReadWidth_RoundsTheHeadSizeUpTo64_WhereThatAtMostDoublesIt(int width, int heads, bool transposed, int expected)
    {
        var hp = new ModelHyperparameters("opt", 64, width, 4 * width, 2, heads, 1e-5f, 0);
        using var backend = GgmlBackend.Create("cpu", 1);
        using var cache = new KvCache(hp, backend, 24, KvCacheType.F16, transposed);
        Assert.Equal(expected, cache.KeyReadWidth);
    }

    /// <summary>A widened cache holds each layer's keys, then its values, apart and zeroed, so the widest read of a
    /// layer's keys (its last cell's last head, KeyReadWidth long) ends inside that layer's values.</summary>
    [Fact]
    public void WidenedCache_HoldsEachLayersKeysThenItsValues_SoTheWidestKeyReadEndsInThem()
    {
        var hp = new ModelHyperparameters("opt", 64, 160, 640, 3, 2, 1e-5f, 0);
        using var backend = GgmlBackend.Create("cpu", 1);
        using var cache = new KvCache(hp, backend, 24, KvCacheType.F16, transposedValues: true);
        Assert.Equal(128, cache.KeyReadWidth);
        var spans = Enumerable.Range(0, hp.BlockCount)
            .SelectMany(l => new[] { cache.Layer(l).K, cache.Layer(l).V })
            .Select(t => (Start: Address(t.HostData), End: Address(t.HostData) + (long)t.Nbytes, Zero: t.HostData.IndexOfAnyExcept((byte)0) < 0))
            .ToList();
        for (var i = 1; i < spans.Count; i++) Assert.True(spans[i].Start >= spans[i - 1].End, $"tensor {i} overlaps the one before");
        Assert.All(spans, s => Assert.True(s.Zero && s.Start % GgmlBackendBuffer.CpuAlignment == 0));
        Assert.True(spans[^1].End - spans[0].Start <= (long)cache.BufferBytes);
        for (var l = 0; l < hp.BlockCount; l++)
        {
            var (keys, values) = (spans[2 * l], spans[2 * l + 1]);
            var widestReadEnd = keys.Start + (long)cache.Layer(l).K.Nb(1) * (cache.Cells - 1) + 2L * (hp.EmbeddingLength - hp.HeadDim + cache.KeyReadWidth);
            Assert.InRange(widestReadEnd, keys.End, values.End);
        }
    }

    private static unsafe long Address(Span<byte> data)
    {
        fixed (byte* p = data) return (long)p;
    }
}
