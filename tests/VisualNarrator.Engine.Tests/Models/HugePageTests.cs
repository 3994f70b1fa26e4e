using System.Globalization;
using System.Runtime.Intrinsics.X86;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>Weights read into the CPU's memory (the plain buffer and the repack buffer) and the KV cache sit on
/// transparent huge pages wherever the kernel offers them on request (its common default, under which no memory gets
/// them unasked).</summary>
public sealed class HugePageTests(TestModels models) : IClassFixture<TestModels>
{
    private const string Setting = "/sys/kernel/mm/transparent_hugepage/enabled";

    /// <summary>1024 wide, two layers: some 12 MiB of Q4_K matrices, several whole 2 MiB pages in each buffer.</summary>
    private static ModelHyperparameters Shape => new("opt", 64, 1024, 4096, 2, 16, 1e-5f, 0);

    [SkippableTheory]
    [InlineData("f32", "blk.0.ffn_up.weight")]
    [InlineData("q4_k_m", "blk.0.ffn_up.weight")]
    public void WeightsReadIntoMemory_AreOnHugePages(string type, string weight)
    {
        SkipWithoutHugePages();
        var source = models.Get("opt", Shape, tied: false);
        var path = source;
        if (type != "f32")
        {
            path = models.PathFor($"huge-pages-{type}.gguf");
            if (!File.Exists(path)) ModelQuantizer.Quantize(source, path, QuantizationPreset.Parse(type));
        }
        // f32 read rather than mapped: the plain CPU buffer. q4_k_m mapped: its Q4_K matrices alone are read, into the
        // repack buffer (where the CPU repacks them).
        using var model = Model.Load(path, new ModelLoadOptions(MapFile: type != "f32"));
        var tensor = model.Weights[weight];
        if (type == "f32") Assert.False(tensor.InRepackBuffer);
        else if (Avx2.IsSupported) Assert.True(tensor.InRepackBuffer);

        var address = (ulong)tensor.Field<IntPtr>(GgmlTensor.DataOffset);
        var region = MemoryRegion(address, "AnonHugePages:");
        Assert.True(region.Kilobytes >= 2048,
            $"{weight} at 0x{address:x} lies in {region.Range} with {region.Kilobytes} kB on huge pages");
    }

    [SkippableFact]
    public unsafe void MappedWeights_OfAFileThisProjectWrote_AreOnHugePages()
    {
        SkipWithoutHugePages();
        // Written afresh, so its pages are in the cache as the writer left them (its 2 MiB blocks), not as a read made them.
        var path = models.PathFor($"huge-pages-mapped-{Guid.NewGuid():N}.gguf");
        GgufWriter.CopyOf(GgufFile.Open(models.Get("opt", Shape, tied: false))).WriteTo(path);
        try
        {
            using var model = Model.Load(path, new ModelLoadOptions(MapFile: true));
            var tensor = model.Weights["blk.0.ffn_up.weight"]; // F32, 16 MiB: several whole 2 MiB pages
            var address = (ulong)tensor.Field<IntPtr>(GgmlTensor.DataOffset);
            Assert.Equal(GgmlType.F32, tensor.Type);
            // A page is mapped when first touched: touch one in the middle of the matrix, away from its ends.
            var inside = (address + (8UL << 20)) & ~((2UL << 20) - 1);
            _ = *(byte*)inside;

            var region = MemoryRegion(inside, "FilePmdMapped:");
            Assert.Contains(" hg", region.Flags); // the map asked for huge pages (MADV_HUGEPAGE)
            Assert.True(region.Kilobytes >= 2048,
                $"the touched page at 0x{inside:x} in {region.Range} is not a 2 MiB page ({region.Kilobytes} kB)");
        }
        finally { File.Delete(path); }
    }

    [SkippableFact]
    public void KvCache_IsOnHugePages_FromItsFirstWrite()
    {
        SkipWithoutHugePages();
        using var backend = GgmlBackend.Create();
        // A page fault takes a small page when no huge page is free at that moment (the other tests of this run
        // allocate too); without the request none of three caches would get one.
        var seen = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // 1024 wide, 2048 cells of F16: 4 MiB per layer's keys or values.
            using var cache = new KvCache(Shape with { ContextLength = 2048 }, backend, 2048, KvCacheType.F16);
            var (_, values) = cache.Layer(0);
            values.SetData<byte>([1, 2, 3, 4]); // the first cell's first write, as a decode makes it

            var address = (ulong)values.Field<IntPtr>(GgmlTensor.DataOffset);
            var region = MemoryRegion(address, "AnonHugePages:");
            if (region.Kilobytes >= 2048) return;
            seen.Add($"0x{address:x} in {region.Range} with {region.Kilobytes} kB on huge pages");
        }
        Assert.Fail($"the cache's layer-0 values never lay on huge pages: {string.Join("; ", seen)}");
    }

    private static void SkipWithoutHugePages() =>
        Skip.IfNot(File.Exists(Setting) && !File.ReadAllText(Setting).Contains("[never]", StringComparison.Ordinal),
            "this kernel offers no transparent huge pages");

    /// <summary>The mapping holding <paramref name="address"/> in /proc/self/smaps: its range, its kB figure named
    /// <paramref name="field"/> (e.g. "AnonHugePages:") and its VmFlags line.</summary>
    private static (string Range, long Kilobytes, string Flags) MemoryRegion(ulong address, string field)
    {
        string? range = null;
        long? kilobytes = null;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            // A mapping's header starts "start-end perms ..." in hex; its fields follow as "Name: value kB", and
            // "VmFlags: ..." comes last.
            var first = line.Split(' ', 2)[0];
            var bounds = first.Split('-');
            if (bounds.Length == 2 && ulong.TryParse(bounds[0], NumberStyles.HexNumber, null, out var start)
                && ulong.TryParse(bounds[1], NumberStyles.HexNumber, null, out var end))
            {
                range = address >= start && address < end ? first : null;
            }
            else if (range is not null && first == field)
            {
                kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (range is not null && first == "VmFlags:")
            {
                return (range, kilobytes ?? throw new InvalidOperationException($"{range} in /proc/self/smaps has no {field}"), line);
            }
        }
        throw new InvalidOperationException($"no mapping in /proc/self/smaps holds 0x{address:x}");
    }
}
