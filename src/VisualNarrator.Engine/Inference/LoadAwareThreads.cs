namespace VisualNarrator.Engine.Inference;

/// <summary>
/// Keeps an automatic thread count (<see cref="ThreadPolicy.Choose"/>) to the cores that other work leaves free,
/// re-read from <see cref="CpuActivity"/> at most every <see cref="CpuActivity.Interval"/> before a graph is computed
/// (<see cref="ThreadPolicy.UnderLoad"/>). llama.cpp keeps its count whatever else runs; on a shared machine that
/// costs it too. Contexts of one model may compute at once, so the sampler is used under a lock.
/// </summary>
internal sealed class LoadAwareThreads
{
    private readonly ThreadChoice _choice;
    private readonly CpuActivity _activity;

    /// <summary>Starts at the chosen count.</summary>
    public LoadAwareThreads(ThreadChoice choice, CpuActivity activity)
    {
        _choice = choice;
        _activity = activity;
    }

    /// <summary>Samples the machine if a span has passed and returns the count for the next graph, of
    /// <paramref name="tokens"/> tokens; <paramref name="callerCpuSinceLastGraph"/> is the CPU time the calling thread
    /// used since the last graph ended (<see cref="CpuActivity.Update"/>).</summary>
    public int Next(int tokens, TimeSpan callerCpuSinceLastGraph)
    {
        lock (_activity)
        {
            _activity.Update(callerCpuSinceLastGraph);
            return ThreadPolicy.UnderLoad(_choice, _activity.OtherBusyCpus, _activity.LogicalCpus, tokens);
        }
    }

    /// <summary>Counts a graph just computed in <paramref name="wall"/> time on <paramref name="threads"/> threads, whose
    /// calling thread used <paramref name="callerCpu"/> of CPU time (<see cref="CpuActivity.RecordCompute"/>).</summary>
    public void Computed(TimeSpan callerCpu, TimeSpan wall, int threads)
    {
        lock (_activity) _activity.RecordCompute(callerCpu, wall, threads);
    }
}
