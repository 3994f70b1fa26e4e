using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>The calling thread's own CPU time (libc's <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>).</summary>
internal static unsafe partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, TimeSpec* time);

    private static bool _unavailable;

    /// <summary>CPU time the calling thread has used so far; null where the clock cannot be read (not Linux).</summary>
    public static TimeSpan? Now()
    {
        if (_unavailable || !OperatingSystem.IsLinux()) return null;
        try
        {
            TimeSpec time;
            if (ClockGetTime(ClockThreadCpuTimeId, &time) != 0) return null;
            return TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
            return null;
        }
    }
}
