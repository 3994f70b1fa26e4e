using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>A main-memory read measurement.</summary>
/// <param name="Bytes">Buffer size read per pass.</param>
/// <param name="Threads">Threads reading it, each its own slice.</param>
/// <param name="Passes">Passes timed; the figure is the fastest.</param>
/// <param name="BytesPerSecond">Bytes read per second in the fastest pass.</param>
/// <param name="Checksum">Sum of the buffer's 64-bit words as the readers computed it (proves every word was read).</param>
public sealed record BandwidthResult(long Bytes, int Threads, int Passes, double BytesPerSecond, long Checksum);

/// <summary>
/// How fast this machine streams memory into the cores, the bound on single-stream decode: each generated token reads
/// every matmul weight once (a decode step is a chain of matrix-vector products), so decode can go no faster than
/// read bandwidth ÷ bytes read per token.
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>
    /// Fills a buffer of <paramref name="bytes"/> (use several times the last-level cache, so it streams from memory),
    /// then reads it <paramref name="passes"/> times with <paramref name="threads"/> threads, each summing its slice with
    /// the widest vector loads the CPU has. Returns the fastest pass: slower ones lost time to other work on the machine.
    /// </summary>
    public static BandwidthResult MeasureRead(long bytes = 1L << 30, int threads = 1, int passes = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1L << 20);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        var words = bytes / sizeof(long);
        var data = GC.AllocateUninitializedArray<long>(checked((int)words));
        var slices = Slices(words, threads);
        // Writing every word first maps the pages, so the timed passes read memory rather than take page faults.
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var (start, length) = slices[t];
            for (var i = start; i < start + length; i++) data[i] = i;
        });
        var best = double.MaxValue;
        long checksum = 0;
        var sums = new long[threads];
        for (var pass = 0; pass < passes; pass++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var (start, length) = slices[t];
                sums[t] = Sum(data.AsSpan((int)start, (int)length));
            });
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            checksum = sums.Sum();
        }
        return new BandwidthResult(words * sizeof(long), threads, passes, words * sizeof(long) / best, checksum);
    }

    /// <summary>
    /// Bytes one decode step reads from memory: every weight tensor in full (the tied token embedding too, since it is
    /// the LM head), except the position table and, where the file has a separate <c>output</c>, the token embedding,
    /// of which a step reads one row; plus the F16 keys and values of <paramref name="cachedTokens"/> earlier tokens.
    /// </summary>
    public static long DecodeBytesPerToken(Gguf.GgufFile file, int layers, int width, int cachedTokens)
    {
        var untiedHead = file.FindTensor(Models.TensorNames.Output) is not null;
        var weights = file.Tensors
            .Where(t => t.Name != Models.TensorNames.PositionEmbd && !(untiedHead && t.Name == Models.TensorNames.TokenEmbd))
            .Sum(t => t.ByteSize);
        return weights + 2L * layers * width * cachedTokens * sizeof(short);
    }

    private static (long Start, long Length)[] Slices(long words, int threads)
    {
        var slices = new (long, long)[threads];
        var per = words / threads;
        for (var t = 0; t < threads; t++) slices[t] = (t * per, t == threads - 1 ? words - t * per : per);
        return slices;
    }

    /// <summary>Sum of the words, four independent vector accumulators so loads overlap.</summary>
    private static long Sum(ReadOnlySpan<long> span)
    {
        var vectors = MemoryMarshal.Cast<long, Vector<long>>(span);
        Vector<long> a = default, b = default, c = default, d = default;
        var i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }
        for (; i < vectors.Length; i++) a += vectors[i];
        var total = Vector.Sum(a + b + c + d);
        for (var j = vectors.Length * Vector<long>.Count; j < span.Length; j++) total += span[j];
        return total;
    }
}
