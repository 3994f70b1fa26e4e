using System.Globalization;

namespace VisualNarrator.Engine.Inference;

/// <summary>The CPU thread count chosen for a model, and why.</summary>
/// <param name="Threads">Threads the CPU backend computes with.</param>
/// <param name="Automatic">True when chosen by <see cref="ThreadPolicy"/> (<c>--threads 0</c>), false when given.</param>
/// <param name="WeightBytes">Bytes of weights read per decoded token (the file's tensor data), the work measure.</param>
/// <param name="PhysicalCores">Physical cores available to this process, the upper bound.</param>
public sealed record ThreadChoice(int Threads, bool Automatic, long WeightBytes, int PhysicalCores)
{
    /// <summary>One line for CLI output, e.g. <c>1 thread (auto: 9.5 MB of weights, 2 cores)</c>.</summary>
    public override string ToString()
    {
        var t = Threads == 1 ? "1 thread" : $"{Threads} threads";
        return Automatic
            ? string.Create(CultureInfo.InvariantCulture, $"{t} (auto: {WeightBytes / 1e6:F1} MB of weights, {PhysicalCores} physical cores)")
            : $"{t} (--threads)";
    }
}

/// <summary>
/// Picks the default thread count from the model's size: one thread per <see cref="BytesPerThread"/> of weights,
/// at least 1 and at most the physical cores.
/// </summary>
/// <remarks>
/// Every graph node ends in a barrier that all threads must reach, so a thread must get enough work per token to pay
/// for its share of the barriers; decode is bound by memory bandwidth, which more physical cores (not hyperthreads)
/// use better. With threads that sleep at barriers (see <see cref="Native.OpenMpWaitPolicy"/>) the built-in model
/// (7.8 MB of weights) decoded 155-235 tokens/s on 2 threads and 105-171 on 1 on a busy 2-core machine, so even it
/// gets 2 threads; a 16-core machine gives it 2, not 16.
/// </remarks>
public static class ThreadPolicy
{
    /// <summary>Weight bytes that justify one more thread: 4 MiB (a few L2 caches' worth of rows per thread).</summary>
    public const long BytesPerThread = 4L << 20;

    /// <summary>The thread count for <paramref name="requested"/> threads (0: automatic) and a model whose tensors
    /// take <paramref name="weightBytes"/> bytes, on a machine with <paramref name="physicalCores"/> cores.</summary>
    public static ThreadChoice Choose(int requested, long weightBytes, int physicalCores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requested);
        ArgumentOutOfRangeException.ThrowIfNegative(weightBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(physicalCores);
        if (requested > 0) return new ThreadChoice(requested, false, weightBytes, physicalCores);
        var byWork = (int)Math.Min(int.MaxValue, Math.Max(1, (weightBytes + BytesPerThread - 1) / BytesPerThread));
        return new ThreadChoice(Math.Min(byWork, physicalCores), true, weightBytes, physicalCores);
    }

    /// <summary>Models with fewer weight bytes than this give way to other work (<see cref="UnderLoad"/>): 32 MiB.</summary>
    public const long GiveWayBelowBytes = 32L << 20;

    /// <summary>Whether <see cref="UnderLoad"/> may lower <paramref name="choice"/>: an automatic count for a model
    /// under <see cref="GiveWayBelowBytes"/>.</summary>
    public static bool GivesWay(ThreadChoice choice) => choice.Automatic && choice.WeightBytes < GiveWayBelowBytes;

    /// <summary>
    /// Threads to compute with now, for a model given <paramref name="choice"/>, while other work at normal priority
    /// keeps <paramref name="otherBusyCpus"/> of the machine's <paramref name="logicalCpus"/> busy: for a small model
    /// (under <see cref="GiveWayBelowBytes"/>) an automatic count drops to the physical cores that work leaves free (at
    /// least 1); a larger model's count, or one given with <c>--threads</c>, stays.
    /// </summary>
    /// <remarks>
    /// Every graph node ends in a barrier, so a thread that waits for a core holds up the others at each node. With
    /// little work per node that costs more than the second thread gains: on 2 cores beside 2 busy processes, the
    /// built-in model (9.5 MB) ran <c>eval --set test</c> in 38-44 s on 2 threads and 31-34 s on 1. With more work
    /// per node the second thread still pays: opt-125m Q4_K_M (89 MB) under <c>bench --contention 2</c> decoded
    /// 23-35 tokens/s on 2 threads and 20-24 on 1, so the limit sits between the two. Niced work does not count,
    /// since it yields to ours.
    /// </remarks>
    public static int UnderLoad(ThreadChoice choice, double otherBusyCpus, int logicalCpus)
    {
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(logicalCpus);
        if (!GivesWay(choice) || !double.IsFinite(otherBusyCpus)) return choice.Threads;
        // Logical CPUs to cores: two busy hyperthreads of one core take that core.
        var busyCores = (int)Math.Round(Math.Max(0, otherBusyCpus) * choice.PhysicalCores / Math.Max(logicalCpus, choice.PhysicalCores),
            MidpointRounding.AwayFromZero);
        return Math.Clamp(Math.Min(choice.Threads, choice.PhysicalCores - busyCores), 1, choice.Threads);
    }

    /// <summary>
    /// Physical cores this process may run on: distinct (package, core) pairs in Linux's CPU topology, capped by
    /// <see cref="Environment.ProcessorCount"/> (which honours affinity and CPU quotas); that count where the topology
    /// cannot be read.
    /// </summary>
    public static int PhysicalCores()
    {
        var logical = Environment.ProcessorCount;
        try
        {
            var cores = new HashSet<(string, string)>();
            foreach (var cpu in Directory.EnumerateDirectories("/sys/devices/system/cpu", "cpu*"))
            {
                var topology = Path.Combine(cpu, "topology");
                var core = Path.Combine(topology, "core_id");
                var package = Path.Combine(topology, "physical_package_id");
                if (!File.Exists(core) || !File.Exists(package)) continue;
                cores.Add((File.ReadAllText(package).Trim(), File.ReadAllText(core).Trim()));
            }
            return cores.Count == 0 ? logical : Math.Clamp(cores.Count, 1, logical);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return logical;
        }
    }
}
