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

    /// <summary>A graph whose weight bytes times tokens is below this computes on one thread when other work leaves no
    /// core free (<see cref="UnderLoad"/>): 512 MiB, such as one token of a 512 MiB model or eight of a 64 MiB one.</summary>
    public const long OneThreadWhenNoCoreFreeBelowBytes = 512L << 20;

    /// <summary>Whether <see cref="UnderLoad"/> may lower <paramref name="choice"/>: an automatic count of more than one
    /// thread.</summary>
    public static bool GivesWay(ThreadChoice choice) => choice.Automatic && choice.Threads > 1;

    /// <summary>
    /// Threads to compute a graph of <paramref name="tokens"/> tokens with now, for a model given
    /// <paramref name="choice"/>, while other work at normal priority keeps <paramref name="otherBusyCpus"/> of the
    /// machine's <paramref name="logicalCpus"/> busy: an automatic count drops to the physical cores that work leaves
    /// free; where it leaves none, a graph with less work than <see cref="OneThreadWhenNoCoreFreeBelowBytes"/> (weight
    /// bytes times tokens) computes on one thread and a larger one keeps the count. A count given with
    /// <c>--threads</c> stays.
    /// </summary>
    /// <remarks>
    /// Every graph node ends in a barrier, so a thread that shares its core with other work holds up the others at each
    /// node. Where a core is free, the threads that fit the free cores are faster than more that do not, for every size
    /// measured: beside one busy thread on 2 cores, decode on 1 thread against 2 ran opt-125m Q4_K_M at 207 against 72
    /// tokens/s, opt-1.3b Q4_K_M at 24.4 against 17.0 and opt-2.7b Q4_K_M at 10.5 against 8.1. Where no core is free,
    /// more threads also win a larger share of the cores: beside two busy threads, 1 thread against 2 ran opt-125m
    /// Q4_K_M (89 MB) at 147 against 106 tokens/s, opt-125m F16 (258 MB) 78 against 65, opt-350m Q8_0 (357 MB) 35
    /// against 32, but opt-350m F16 (665 MB) 25.7 against 26.6 and opt-1.3b Q4_K_M (0.8 GB) 17.0 against 19.1.
    /// More tokens per graph tip it the same way: opt-125m Q4_K_M's 8-sequence steps ran at 156 tokens/s on 1 thread
    /// and 178 on 2 (docs/benchmarks.md). Niced work does not count, since it yields to ours.
    /// </remarks>
    public static int UnderLoad(ThreadChoice choice, double otherBusyCpus, int logicalCpus, int tokens)
    {
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(logicalCpus);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        if (!GivesWay(choice) || !double.IsFinite(otherBusyCpus)) return choice.Threads;
        // Logical CPUs to cores: two busy hyperthreads of one core take that core.
        // A core counts as busy from 3/4 of one: less is the runtime's own threads (JIT, GC) and short bursts.
        var busyCores = (int)Math.Floor(Math.Max(0, otherBusyCpus) * choice.PhysicalCores / Math.Max(logicalCpus, choice.PhysicalCores)
            + 0.25);
        var free = choice.PhysicalCores - busyCores;
        if (free >= 1) return Math.Min(choice.Threads, free);
        var work = (double)choice.WeightBytes * tokens;
        return work < OneThreadWhenNoCoreFreeBelowBytes ? 1 : choice.Threads;
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
