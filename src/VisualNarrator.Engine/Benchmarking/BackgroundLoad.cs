namespace VisualNarrator.Engine.Benchmarking;

/// <summary>
/// CPU-bound threads that keep cores busy while a measurement runs (<c>bench --contention N</c>), so the busy-machine
/// case is measured the same way every time. Each thread spins on integer arithmetic until disposed; they run at
/// normal priority, like a compiler or another model next to ours.
/// </summary>
public sealed class BackgroundLoad : IDisposable
{
    private readonly Thread[] _threads;
    private volatile bool _stop;

    /// <summary>Starts <paramref name="threads"/> busy threads (0: none).</summary>
    public BackgroundLoad(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 1024);
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Spin) { IsBackground = true, Name = $"bench contention {i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Number of busy threads.</summary>
    public int Threads => _threads.Length;

    /// <summary>Iterations done so far by all threads together; grows while the load runs.</summary>
    public long Iterations => Interlocked.Read(ref _iterations);

    private long _iterations;
    private ulong _sink;

    private void Spin()
    {
        ulong x = 88172645463325252UL;
        while (!_stop)
        {
            // A few thousand xorshift steps between checks: pure ALU work, no memory traffic, no syscalls.
            for (var i = 0; i < 4096; i++)
            {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
            }
            Volatile.Write(ref _sink, x); // an observable result, so the loop cannot be optimised away
            Interlocked.Increment(ref _iterations);
        }
    }

    /// <summary>Stops and joins the threads.</summary>
    public void Dispose()
    {
        _stop = true;
        foreach (var t in _threads) t.Join();
    }
}
