using System.Globalization;
using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// How OpenMP threads wait at barriers in this process. The CPU backend LLamaSharp ships is built with OpenMP: a graph
/// runs in one OpenMP parallel region with a barrier after every node, and libgomp's default is to spin at barriers
/// (and between graphs) for about 300,000 pauses (some 20 ms on this project's machine) before sleeping.
/// </summary>
/// <remarks>
/// Both extremes lose. On a machine whose cores are busy with other work, a long spin burns the time slice that the
/// thread it waits for needs, so every node costs a scheduling delay: the built-in model decoded 6-8 tokens/s with 2
/// threads and the default policy but 90-130 tokens/s with <c>OMP_WAIT_POLICY=passive</c> on a 2-core machine at load
/// 27-30. Sleeping at once loses on an idle virtual machine: a thread that sleeps at every barrier idles its virtual
/// CPU, which the host then gives away, and waking it costs far more than the wait it replaced (opt-125m Q4_K_M
/// decoded 40-81 tokens/s sleeping at once and 89-106 with a short spin, same machine, nothing else running). So the
/// engine waits passively after a short spin, <see cref="SpinCount"/> pauses. libgomp reads both variables once, when
/// it is loaded, so they must be in the native environment before LLamaSharp loads its libraries; .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the native environment on Linux,
/// hence <c>setenv</c>.
/// </remarks>
public static partial class OpenMpWaitPolicy
{
    /// <summary>The variable libgomp reads: <c>active</c> (spin) or <c>passive</c> (sleep).</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>The variable libgomp reads for how many pauses a waiting thread spins before it sleeps.</summary>
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>Pauses a waiting thread spins before it sleeps: 1,000, about 70 µs at the 60-75 ns a pause takes on
    /// this project's machine. Longer than a barrier usually waits on an idle machine; a small part of the 3 ms or so a
    /// busy Linux machine gives a thread per turn (with two busy processes on two cores, 1,000 pauses cost opt-125m
    /// 13-26% of its decode speed against sleeping at once; on an idle machine 1,000 gained as much as 3,000).</summary>
    public const int SpinCount = 1000;

    /// <summary>
    /// The policy in effect once the libraries are loaded: <c>passive</c> (set by this engine), or what the user's
    /// environment said (kept as given), or <c>unchanged</c> where libgomp was already loaded by someone else.
    /// Null before <see cref="GgmlLibrary.EnsureLoaded"/>.
    /// </summary>
    public static string? Effective { get; private set; }

    /// <summary>The spin count in effect: <see cref="SpinCount"/> set by this engine, the user's
    /// <c>GOMP_SPINCOUNT</c>, or null where libgomp derives it from the policy (the user chose a policy but no count,
    /// or libgomp was loaded before the engine could set it).</summary>
    public static string? EffectiveSpinCount { get; private set; }

    /// <summary>Whether <see cref="Effective"/> came from the user's environment rather than from this engine.</summary>
    public static bool FromEnvironment { get; private set; }

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=passive</c> and <c>GOMP_SPINCOUNT</c>=<see cref="SpinCount"/> in the native environment,
    /// before the OpenMP runtime is loaded. A policy the user set is kept and then the spin count is left to libgomp; a
    /// spin count the user set is kept. Called by <see cref="GgmlLibrary"/> before LLamaSharp loads its native libraries.
    /// </summary>
    internal static void ApplyBeforeLoad()
    {
        var given = Environment.GetEnvironmentVariable(Variable);
        var givenSpins = Environment.GetEnvironmentVariable(SpinCountVariable);
        EffectiveSpinCount = string.IsNullOrEmpty(givenSpins) ? null : givenSpins;
        if (!string.IsNullOrEmpty(given))
        {
            Effective = given;
            FromEnvironment = true;
            return;
        }
        if (File.ReadLines("/proc/self/maps").Any(l => l.Contains("/libgomp.so", StringComparison.Ordinal)))
        {
            // Too late to change: libgomp read its settings when it was loaded.
            Effective = "unchanged";
            EffectiveSpinCount = null;
            return;
        }
        // overwrite = 0: a value that reached the native environment some other way still wins.
        if (setenv(Variable, "passive", 0) != 0)
        {
            Effective = "unchanged";
            return;
        }
        Effective = Marshal.PtrToStringUTF8(getenv(Variable)) ?? "unchanged";
        if (setenv(SpinCountVariable, SpinCount.ToString(CultureInfo.InvariantCulture), 0) == 0)
            EffectiveSpinCount = Marshal.PtrToStringUTF8(getenv(SpinCountVariable));
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);
}
