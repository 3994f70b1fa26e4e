namespace VisualNarrator.Engine.Inference;

/// <summary>
/// Keeps a small model's automatic thread count (<see cref="ThreadPolicy.Choose"/>) to the cores that other work leaves free,
/// re-read from <see cref="CpuActivity"/> at most every <see cref="CpuActivity.Interval"/> before a graph is computed
/// (<see cref="ThreadPolicy.UnderLoad"/>). llama.cpp keeps its count whatever else runs; on a shared machine that
/// costs it too.
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
        Current = choice.Threads;
    }

    /// <summary>The count for the next graph.</summary>
    public int Current { get; private set; }

    /// <summary>Samples the machine if a span has passed and returns the count for the next graph.</summary>
    public int Next()
    {
        if (_activity.Update()) Current = ThreadPolicy.UnderLoad(_choice, _activity.OtherBusyCpus, _activity.LogicalCpus);
        return Current;
    }
}
