using System.Buffers.Binary;
using System.Diagnostics;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Gguf.Tests;

public class GgufFuzzTests
{
    private const int Mutations = 6000;
    private const long MaxAllocation = 100L * 1024 * 1024;

    [Fact]
    public void Mutations_EitherParseOrRaiseTheFormatException()
    {
        var samples = new[]
        {
            GgufSamples.Bytes(GgufSamples.AllValueTypes()),
            GgufSamples.Bytes(new GgufWriter().SetUInt32(GgufKeys.Alignment, 64).SetString(GgufKeys.Architecture, "gpt2")
                .SetStringArray(GgufKeys.Tokens, ["a", "b", "ab"]).AddTensor("t", new float[8], 4, 2)),
        };
        var maps = samples.Select(GgufFieldMap.Of).ToArray();
        var rng = new Random(20261127);
        int parsed = 0, rejected = 0;
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < Mutations; i++)
        {
            var which = rng.Next(samples.Length);
            var (bytes, how) = Mutate(samples[which], maps[which], rng);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            try
            {
                GgufSamples.Parse(bytes, "fuzz.gguf");
                parsed++;
            }
            catch (GgufFormatException ex)
            {
                Assert.StartsWith("fuzz.gguf: at byte ", ex.Message);
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutation #{i} ({how}) raised {ex.GetType().Name}: {ex.Message}");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < MaxAllocation, $"mutation #{i} ({how}) allocated {allocated} bytes");
            if (watch.Elapsed > slowest) slowest = watch.Elapsed;
        }
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"slowest parse took {slowest}");
        // Both outcomes must occur, or the mutator is not exercising the parser.
        Assert.True(rejected > Mutations / 2, $"only {rejected} of {Mutations} mutations were rejected");
        Assert.True(parsed > 50, $"only {parsed} mutations parsed");
    }

    private static (byte[] Bytes, string How) Mutate(byte[] original, GgufFieldMap map, Random rng)
    {
        var b = (byte[])original.Clone();
        switch (rng.Next(5))
        {
            case 0:
                var flips = 1 + rng.Next(8);
                for (var f = 0; f < flips; f++)
                {
                    var at = rng.Next(rng.Next(2) == 0 ? map.HeaderEnd : b.Length);
                    b[at] ^= (byte)(1 << rng.Next(8));
                }
                return (b, $"{flips} bit flips");
            case 1:
                var length = rng.Next(b.Length);
                return (b[..length], $"truncated to {length}");
            case 2:
                var field = map.LengthFields[rng.Next(map.LengthFields.Count)];
                ulong[] huge = [ulong.MaxValue, long.MaxValue, 1UL << 40, 1UL << 32, (ulong)b.Length, (ulong)b.Length * 4, 0];
                var v = huge[rng.Next(huge.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(field), v);
                return (b, $"u64 at {field} = {v}");
            case 3:
                var typeField = map.TypeFields[rng.Next(map.TypeFields.Count)];
                uint[] bad = [13, 31, 40, 255, uint.MaxValue, 9, 0, 5];
                var t = bad[rng.Next(bad.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(typeField), t);
                return (b, $"u32 at {typeField} = {t}");
            default:
                var at2 = rng.Next(map.HeaderEnd - 4);
                var value = (uint)rng.Next();
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at2), value);
                return (b, $"random u32 at {at2}");
        }
    }
}
