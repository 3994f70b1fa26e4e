using System.Runtime.InteropServices;
using TorchSharp;

namespace VisualNarrator.Convert.Torch;

/// <summary>TorchSharp could not be loaded; the message says why and what to do.</summary>
public sealed class TorchUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Makes TorchSharp 0.107.0 load on systems whose libstdc++ is older than the one libLibTorchSharp.so was built
/// against (Debian 12 and Ubuntu 22.04 ship GLIBCXX_3.4.30; the library asks for GLIBCXX_3.4.32 for one symbol,
/// <c>std::ios_base_library_init()</c>, which GCC 13's &lt;iostream&gt; references). Before TorchSharp loads its
/// native library, <see cref="EnsureInitialized"/>:
/// <list type="number">
/// <item>reads which libstdc++ versions the output folder's libLibTorchSharp.so needs and which the process's
/// libstdc++ defines;</item>
/// <item>if some are missing and every symbol that needs them is one the shim provides, marks those version
/// requirements weak (<c>VER_FLG_WEAK</c>) in that copy, written beside it and renamed over it, so the dynamic linker
/// no longer refuses to load it (the NuGet cache's copy is never touched);</item>
/// <item>loads <c>libvn_glibcxx_shim.so</c> (built by convert/TorchSharpNative.targets with g++ at build time; it
/// defines <c>std::ios_base_library_init()</c>) into the global symbol scope, so the symbol resolves if anything
/// binds it;</item>
/// <item>loads libLibTorchSharp.so itself and initialises TorchSharp's CPU backend.</item>
/// </list>
/// It also makes libtorch's OpenMP threads wait passively (unless OMP_WAIT_POLICY is set) and takes the thread count
/// from VN_TORCH_THREADS when set.
/// Every failure becomes a <see cref="TorchUnavailableException"/> that names the file and the fix, instead of
/// TorchSharp's misleading "package is not restored" (and before TorchSharp's fallback copies 500 MB of libtorch
/// beside the program).
/// </summary>
public static partial class TorchRuntime
{
    /// <summary>TorchSharp's native library.</summary>
    public const string LibraryFile = "libLibTorchSharp.so";

    /// <summary>The shim library built at build time.</summary>
    public const string ShimFile = "libvn_glibcxx_shim.so";

    private const string StdCxx = "libstdc++.so.6";

    /// <summary>Symbols the shim defines; any other symbol that needs a missing version cannot be fixed here.</summary>
    public static IReadOnlyList<string> ShimSymbols { get; } = ["_ZSt21ios_base_library_initv"];

    private static readonly Lazy<string> State = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads TorchSharp, applying the libstdc++ fix when needed. Safe to call many times and from many threads.</summary>
    /// <returns>One line describing what was done.</returns>
    /// <exception cref="TorchUnavailableException">TorchSharp cannot be loaded; the message says why.</exception>
    public static string EnsureInitialized() => State.Value;

    private static string Initialize()
    {
        var notes = new List<string>();
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
        {
            // libtorch's OpenMP threads spin while they wait for work by default. On a shared 2-core machine that
            // made LoRA training about 5 times slower (measured: 30 vs 156 tokens/s on opt-125m); passive waiting costs
            // nothing measurable when the machine is idle. libgomp reads this when libtorch loads it, so it must be in
            // the native environment before then (Environment.SetEnvironmentVariable does not reach getenv).
            if (SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0) == 0) notes.Add("OMP_WAIT_POLICY=PASSIVE");
        }
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            var dir = AppContext.BaseDirectory;
            var lib = Path.Combine(dir, LibraryFile);
            if (!File.Exists(lib))
                throw new TorchUnavailableException($"{LibraryFile} is not in {dir}. The project must reference TorchSharp and libtorch-cpu-linux-x64 and build with RuntimeIdentifier linux-x64, which copies the native libraries beside the program.");
            var stdcxx = FindLibStdCxx();
            if (stdcxx is null) notes.Add($"{StdCxx} not found; {LibraryFile} left as it is");
            else notes.AddRange(ApplyLibStdCxxFix(lib, stdcxx));
            try
            {
                NativeLibrary.Load(lib);
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                throw new TorchUnavailableException($"the dynamic linker refused {lib}: {ex.Message}", ex);
            }
        }
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception ex)
        {
            var first = ex.Message.Split('\n', 2)[0];
            throw new TorchUnavailableException($"TorchSharp did not initialise its CPU backend: {first}", ex);
        }
        if (Environment.GetEnvironmentVariable("VN_TORCH_THREADS") is { Length: > 0 } threads)
        {
            if (!int.TryParse(threads, out var n) || n < 1)
                throw new TorchUnavailableException($"VN_TORCH_THREADS is '{threads}'; expected a positive number of threads");
            torch.set_num_threads(n);
        }
        notes.Add($"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}, {torch.get_num_threads()} threads");
        return string.Join("; ", notes);
    }

    /// <summary>Makes <paramref name="lib"/> (a copy of libLibTorchSharp.so) loadable with <paramref name="stdcxx"/>:
    /// marks the libstdc++ versions it needs and <paramref name="stdcxx"/> lacks as weak (in place, through a temporary
    /// file and a rename), when every symbol behind them is one the shim provides, and loads the shim from the same
    /// folder when it was built.</summary>
    /// <returns>What was done, one note per step.</returns>
    /// <exception cref="TorchUnavailableException">The fix does not apply (other symbols need the missing versions,
    /// the file cannot be written, or the shim is needed but absent); the message says what to do instead.</exception>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static IReadOnlyList<string> ApplyLibStdCxxFix(string lib, string stdcxx)
    {
        var notes = new List<string>();
        var dir = Path.GetDirectoryName(Path.GetFullPath(lib))!;
        ElfVersionInfo info, std;
        try
        {
            info = ElfVersionInfo.Read(lib);
            std = ElfVersionInfo.Read(stdcxx);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new TorchUnavailableException($"cannot read the symbol versions of {lib} or {stdcxx}: {ex.Message}", ex);
        }
        var missing = info.Needs.Where(n => n.Library == StdCxx && !std.Definitions.Contains(n.Version)).ToList();
        if (missing.Count == 0)
        {
            notes.Add($"{StdCxx} at {stdcxx} has every version {LibraryFile} needs");
            return notes;
        }
        var indices = missing.Select(m => m.Index).ToHashSet();
        var needing = info.UndefinedSymbols.Where(s => indices.Contains(s.VersionIndex)).ToList();
        var versions = string.Join(", ", missing.Select(m => m.Version));
        var foreign = needing.Where(s => !ShimSymbols.Contains(s.Name)).Select(s => s.Name).ToList();
        if (foreign.Count > 0)
            throw new TorchUnavailableException($"{LibraryFile} needs {versions} from {StdCxx}, which {stdcxx} lacks, for symbols the shim does not provide: {string.Join(", ", foreign.Take(10))}. Install a libstdc++6 from GCC 13 or newer.");

        var strong = missing.Where(m => !m.IsWeak).ToList();
        if (strong.Count > 0)
        {
            var temp = Path.Combine(dir, $".{LibraryFile}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            try
            {
                File.WriteAllBytes(temp, info.WithWeakNeeds(strong));
                File.SetUnixFileMode(temp, File.GetUnixFileMode(lib));
                File.Move(temp, lib, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw new TorchUnavailableException($"{LibraryFile} needs {versions} from {StdCxx}, which {stdcxx} lacks, and the fix (marking that requirement weak in {lib}) could not be written: {ex.Message}. Run once from a writable build output, or install a libstdc++6 from GCC 13 or newer.", ex);
            }
            notes.Add($"marked {string.Join(", ", strong.Select(m => m.Version))} weak in {lib}");
        }

        var shim = Path.Combine(dir, ShimFile);
        if (File.Exists(shim))
        {
            var handle = DlOpen(shim, RtldNow | RtldGlobal);
            if (handle == 0)
                throw new TorchUnavailableException($"cannot load {shim}: {Marshal.PtrToStringUTF8(DlError())}");
            notes.Add($"loaded {ShimFile}");
        }
        else if (needing.Any(s => s.Relocations > 0))
        {
            throw new TorchUnavailableException($"{LibraryFile} binds {string.Join(", ", needing.Select(s => s.Name))} ({versions}), which {stdcxx} lacks, and {shim} was not built: install g++ (apt-get install g++) and rebuild, or install a libstdc++6 from GCC 13 or newer.");
        }
        else
        {
            notes.Add($"{ShimFile} not built (no g++); not needed, since no relocation binds {string.Join(", ", needing.Select(s => s.Name))}");
        }
        return notes;
    }

    /// <summary>The libstdc++ this process uses (from /proc/self/maps), else the first one in the usual places.</summary>
    public static string? FindLibStdCxx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/');
                if (at < 0) continue;
                var path = line[at..].Trim();
                if (Path.GetFileName(path).StartsWith(StdCxx, StringComparison.Ordinal)) return path;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        string[] dirs = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib"];
        return dirs.Select(d => Path.Combine(d, StdCxx)).FirstOrDefault(File.Exists);
    }

    private const int RtldNow = 2, RtldGlobal = 0x100;

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
    private static partial nint DlError();
}
