using System.Diagnostics;
using System.Globalization;

namespace VisualNarrator.Engine.Inference;

/// <summary>
/// The machine's CPU time counters from the first (<c>cpu</c>) line of Linux's <c>/proc/stat</c>, in clock ticks.
/// </summary>
/// <param name="NormalBusy">Time spent running work at normal or higher priority: user + system + irq + softirq. Niced
/// work (the <c>nice</c> column) is left out: it yields to ours, so it does not take cores from us.</param>
/// <param name="Total">Every column (idle and iowait included): the elapsed time times the number of logical CPUs.</param>
public readonly record struct CpuTimes(long NormalBusy, long Total)
{
    /// <summary>Parses a <c>cpu  user nice system idle iowait irq softirq steal ...</c> line.</summary>
    /// <exception cref="FormatException">Not such a line.</exception>
    public static CpuTimes Parse(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 8 || fields[0] != "cpu")
            throw new FormatException($"not the cpu line of /proc/stat (cpu user nice system idle iowait irq softirq ...): '{line}'");
        var ticks = new long[fields.Length - 1];
        for (var i = 1; i < fields.Length; i++)
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out ticks[i - 1]))
                throw new FormatException($"/proc/stat cpu line field {i} is not a tick count: '{fields[i]}'");
        // guest and guest_nice (columns 9 and 10) are already counted in user and nice.
        var total = ticks.Take(Math.Min(ticks.Length, 8)).Sum();
        return new CpuTimes(ticks[0] + ticks[2] + ticks[5] + ticks[6], total);
    }

    /// <summary>Logical CPUs kept busy by other work at normal priority between <paramref name="earlier"/> and
    /// <paramref name="later"/>: the machine's normal-priority busy share times <paramref name="logicalCpus"/>, less
    /// <paramref name="oursCpus"/> (this process's CPU time over the same wall time). Never below 0.</summary>
    public static double OtherBusyCpus(CpuTimes earlier, CpuTimes later, int logicalCpus, double oursCpus)
    {
        var total = later.Total - earlier.Total;
        if (total <= 0) return 0;
        var busy = (double)(later.NormalBusy - earlier.NormalBusy) / total * logicalCpus;
        return Math.Max(0, busy - oursCpus);
    }
}

/// <summary>
/// Samples how many CPUs other processes keep busy, at most every <see cref="Interval"/>: the machine's counters from
/// <c>/proc/stat</c> and this process's CPU time over the same span. Unavailable (null) where <c>/proc/stat</c> cannot
/// be read, or where this process may use fewer CPUs than the machine has (an affinity mask or a container's CPU
/// limit), since the machine-wide counters would then count work on CPUs we never run on.
/// </summary>
public sealed class CpuActivity
{
    /// <summary>Shortest span a sample covers; shorter ones are mostly scheduler-tick noise (the counters move in
    /// 10 ms ticks).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private const string ProcStat = "/proc/stat";
    private readonly int _logicalCpus;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private CpuTimes _machine;
    private TimeSpan _ours;
    private TimeSpan _at;

    private CpuActivity(int logicalCpus, CpuTimes first)
    {
        _logicalCpus = logicalCpus;
        _machine = first;
        _ours = Environment.CpuUsage.TotalTime;
    }

    /// <summary>A sampler, or null where this machine does not offer the counters for all the CPUs we may use.</summary>
    public static CpuActivity? TryCreate()
    {
        try
        {
            var lines = File.ReadAllLines(ProcStat);
            var cpus = lines.Count(l => l.StartsWith("cpu", StringComparison.Ordinal) && l.Length > 3 && char.IsAsciiDigit(l[3]));
            if (cpus == 0 || cpus != Environment.ProcessorCount) return null;
            return new CpuActivity(cpus, CpuTimes.Parse(lines[0]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Logical CPUs of this machine.</summary>
    public int LogicalCpus => _logicalCpus;

    /// <summary>CPUs other normal-priority work kept busy over the last completed span of at least <see cref="Interval"/>
    /// (0 until the first span completes).</summary>
    public double OtherBusyCpus { get; private set; }

    /// <summary>Takes a new sample if the current span is at least <see cref="Interval"/> long; true when it did.</summary>
    public bool Update()
    {
        var now = _wall.Elapsed;
        var span = now - _at;
        if (span < Interval) return false;
        CpuTimes machine;
        try
        {
            using var reader = new StreamReader(ProcStat);
            machine = CpuTimes.Parse(reader.ReadLine() ?? "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return false; // keep the last figure
        }
        var ours = Environment.CpuUsage.TotalTime;
        OtherBusyCpus = CpuTimes.OtherBusyCpus(_machine, machine, _logicalCpus, (ours - _ours) / span);
        (_machine, _ours, _at) = (machine, ours, now);
        return true;
    }
}
