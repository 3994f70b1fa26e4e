using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// How OpenMP threads wait at barriers in this process. The CPU backend LLamaSharp ships is built with OpenMP: a graph
/// runs in one OpenMP parallel region with a barrier after every node, and libgomp's default is to spin at barriers
/// (and between graphs) before sleeping.
/// </summary>
/// <remarks>
/// On a machine whose cores are busy with other work, a spinning thread burns the time slice that the thread it waits
/// for needs, so every node costs a scheduling delay: the built-in model decoded 6-8 tokens/s with 2 threads and
/// the default policy but 90-130 tokens/s with <c>OMP_WAIT_POLICY=passive</c> on a 2-core machine at load 27-30.
/// libgomp reads the variable once, when it is loaded, so it must be in the native environment before LLamaSharp
/// loads its libraries; .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the
/// native environment on Linux, hence <c>setenv</c>.
/// </remarks>
public static partial class OpenMpWaitPolicy
{
    /// <summary>The variable libgomp reads: <c>active</c> (spin) or <c>passive</c> (sleep).</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>
    /// The policy in effect once the libraries are loaded: <c>passive</c> (set by this engine), or what the user's
    /// environment said (kept as given), or <c>unchanged</c> where libgomp was already loaded by someone else.
    /// Null before <see cref="GgmlLibrary.EnsureLoaded"/>.
    /// </summary>
    public static string? Effective { get; private set; }

    /// <summary>Whether <see cref="Effective"/> came from the user's environment rather than from this engine.</summary>
    public static bool FromEnvironment { get; private set; }

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=passive</c> in the native environment unless the user set it, before the OpenMP runtime
    /// is loaded. Called by <see cref="GgmlLibrary"/> before LLamaSharp loads its native libraries.
    /// </summary>
    internal static void ApplyBeforeLoad()
    {
        var given = Environment.GetEnvironmentVariable(Variable);
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
            return;
        }
        // overwrite = 0: a value that reached the native environment some other way still wins.
        if (setenv(Variable, "passive", 0) != 0)
        {
            Effective = "unchanged";
            return;
        }
        Effective = Marshal.PtrToStringUTF8(getenv(Variable)) ?? "unchanged";
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);
}
