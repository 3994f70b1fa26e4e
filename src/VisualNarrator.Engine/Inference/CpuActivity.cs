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
    /// <paramref name="oursCpus"/> (this engine's compute threads' CPU time over the same wall time). Never below 0.</summary>
    public static double OtherBusyCpus(CpuTimes earlier, CpuTimes later, int logicalCpus, double oursCpus)
    {
        var total = later.Total - earlier.Total;
        if (total <= 0) return 0;
        var busy = (double)(later.NormalBusy - earlier.NormalBusy) / total * logicalCpus;
        return Math.Max(0, busy - oursCpus);
    }
}

/// <summary>
/// Samples how many CPUs other work keeps busy while this engine computes, at most every <see cref="Interval"/>: the
/// machine's counters from <c>/proc/stat</c> less the CPU time of this engine's own compute threads over the same span.
/// Other work in this process counts as other work (the threads of another model or engine, a server's other
/// requests, <c>bench --contention</c>'s busy threads), since it takes cores from our threads as much as another
/// process does. Unavailable (null) where <c>/proc/stat</c> cannot be read, or where this process may use fewer CPUs than
/// the machine has (an affinity mask or a container's CPU limit), since the machine-wide counters would then count work
/// on CPUs we never run on.
/// </summary>
/// <remarks>
/// Our compute threads' CPU time is the CPU time of the thread that runs a graph (<see cref="RecordCompute"/>) times
/// the threads the graph ran on: the CPU backend splits each node evenly, and the calling thread is one of them. What
/// other work used is then scaled to what it wants (<see cref="OtherDemand"/>). A span covers only a run of graphs
/// without a pause longer than <see cref="IdleGap"/>: what the machine did while we were idle says nothing about
/// whether our threads would get cores.
/// </remarks>
public sealed class CpuActivity
{
    /// <summary>Shortest span a sample covers; shorter ones are mostly scheduler-tick noise (the counters move in
    /// 10 ms ticks).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>A pause between graphs longer than this starts a new span: decode steps follow each other within a
    /// few milliseconds, while a pause this long is the engine waiting for work.</summary>
    public static readonly TimeSpan IdleGap = TimeSpan.FromMilliseconds(50);

    private const string ProcStat = "/proc/stat";
    private readonly int _logicalCpus;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private CpuTimes _machine;
    private TimeSpan _at;
    private TimeSpan? _lastGraphEnd;
    // This span's sums: our compute threads' CPU time, and the graph-running thread's CPU and wall time in graphs.
    private TimeSpan _oursCpu;
    private TimeSpan _callerCpu;
    private TimeSpan _callerWall;

    private CpuActivity(int logicalCpus, CpuTimes first)
    {
        _logicalCpus = logicalCpus;
        _machine = first;
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

    /// <summary>CPUs other normal-priority work would keep busy (<see cref="OtherDemand"/>), over the last completed
    /// span of at least <see cref="Interval"/> (0 until the first span completes).</summary>
    public double OtherBusyCpus { get; private set; }

    /// <summary>
    /// Other work's demand in CPUs: the CPUs it used (<paramref name="otherUsedCpus"/>) divided by the share of a core
    /// each of our compute threads got while it computed (<paramref name="ourShare"/>, taken as at least 1/4). Linux gives
    /// threads of one priority equal shares, so work that used 1 CPU while each of our threads got half a core is two
    /// threads that each want a core: two busy threads beside our two on 2 cores use 1 CPU between them, and without
    /// this scaling would look like one busy core with one free.
    /// </summary>
    public static double OtherDemand(double otherUsedCpus, double ourShare) =>
        Math.Max(0, otherUsedCpus) / Math.Clamp(double.IsFinite(ourShare) ? ourShare : 1, 0.25, 1.0);

    /// <summary>Counts a graph this engine just computed in <paramref name="wall"/> time: <paramref name="callerCpu"/>
    /// is the CPU time the thread that ran it used meanwhile, <paramref name="threads"/> the threads it ran on.</summary>
    public void RecordCompute(TimeSpan callerCpu, TimeSpan wall, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        if (callerCpu > TimeSpan.Zero && wall > TimeSpan.Zero)
        {
            _oursCpu += callerCpu * threads;
            _callerCpu += callerCpu;
            _callerWall += wall;
        }
        _lastGraphEnd = _wall.Elapsed;
    }

    /// <summary>Called before a graph, with the CPU time the thread that runs graphs used since the last one ended
    /// (<paramref name="callerCpuSinceLastGraph"/>: building this graph, sampling), which counts as this engine's own.
    /// After a pause longer than <see cref="IdleGap"/> it starts a new span instead; otherwise it takes a new sample if
    /// the span is at least <see cref="Interval"/> long. True when it took one.</summary>
    public bool Update(TimeSpan callerCpuSinceLastGraph)
    {
        var now = _wall.Elapsed;
        if (_lastGraphEnd is not { } end || now - end > IdleGap)
        {
            // Idle since the last graph (or none yet): the span starts with this graph.
            if (TryRead() is { } fresh) StartSpan(fresh, now);
            _lastGraphEnd = now;
            return false;
        }
        if (callerCpuSinceLastGraph > TimeSpan.Zero) _oursCpu += callerCpuSinceLastGraph;
        var span = now - _at;
        if (span < Interval) return false;
        if (TryRead() is not { } machine) return false; // keep the last figure
        var used = CpuTimes.OtherBusyCpus(_machine, machine, _logicalCpus, _oursCpu / span);
        var share = _callerWall > TimeSpan.Zero ? _callerCpu / _callerWall : 1;
        OtherBusyCpus = OtherDemand(used, share);
        StartSpan(machine, now);
        return true;
    }

    private void StartSpan(CpuTimes machine, TimeSpan now) =>
        (_machine, _at, _oursCpu, _callerCpu, _callerWall) = (machine, now, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    private static CpuTimes? TryRead()
    {
        try
        {
            using var reader = new StreamReader(ProcStat);
            return CpuTimes.Parse(reader.ReadLine() ?? "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
