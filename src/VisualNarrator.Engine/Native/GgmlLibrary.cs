using System.Reflection;
using System.Runtime.InteropServices;
using LLama.Native;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// Makes ggml callable from this assembly, using the very copy of the native libraries that LLamaSharp loads.
/// </summary>
/// <remarks>
/// The libraries live in <c>runtimes/linux-x64/native/{noavx,avx,avx2,avx512}/</c> and only LLamaSharp knows
/// which variant suits this CPU. So we let LLamaSharp load <c>libllama.so</c> (which pulls in the ggml libraries),
/// find those files in <c>/proc/self/maps</c>, and resolve our <c>ggml-base</c>, <c>ggml</c> and <c>ggml-cpu</c>
/// imports to them. Loading a second copy would give a second backend registry and second global state.
/// </remarks>
public static class GgmlLibrary
{
    private static readonly Lazy<GgmlLibraryFiles> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Dictionary<string, IntPtr> Handles = new(StringComparer.Ordinal);

    // Kept in a static field: the native side holds only a function pointer to it.
    private static readonly NativeLogConfig.LLamaLogCallback LogCallback = OnNativeLog;

    [ThreadStatic] private static GgmlLogLevel lastLevel;

    /// <summary>
    /// Where native log lines go (llama.cpp and ggml share one callback). Called on native threads; keep it cheap.
    /// Default: lines at <see cref="MinimumLogLevel"/> or above are written to standard error.
    /// </summary>
    public static Action<GgmlLogLevel, string> LogSink { get; set; } = (level, text) => Console.Error.Write($"[ggml {level}] {text}");

    /// <summary>Lines below this level are dropped before reaching <see cref="LogSink"/>. Default: errors only.</summary>
    public static GgmlLogLevel MinimumLogLevel { get; set; } = GgmlLogLevel.Error;

    /// <summary>
    /// Loads the native libraries once (idempotent, thread-safe) and returns where they were found.
    /// Every type in this namespace calls it before touching native code. A failure is remembered: later calls
    /// throw the same exception (the process cannot load a different copy afterwards anyway).
    /// </summary>
    /// <exception cref="DllNotFoundException">The ggml libraries could not be found or loaded.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux x64.</exception>
    public static GgmlLibraryFiles EnsureLoaded() => Loaded.Value;

    private static GgmlLibraryFiles Load()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new PlatformNotSupportedException(
                $"The ggml engine supports linux-x64 only (this is {RuntimeInformation.RuntimeIdentifier}).");

        // libgomp reads its wait policy once, when LLamaSharp's libraries pull it in.
        OpenMpWaitPolicy.ApplyBeforeLoad();

        // Must happen before LLamaSharp's first native call, or its load-time logs go to stdout.
        NativeLogConfig.llama_log_set(LogCallback);

        try
        {
            // Cheap call whose only purpose is to make LLamaSharp pick the CPU variant and load it.
            _ = NativeApi.llama_max_devices();
        }
        catch (Exception e)
        {
            throw new DllNotFoundException(
                "LLamaSharp could not load its native library (libllama.so), so ggml is not available. " +
                "Is the LLamaSharp.Backend.Cpu package referenced and its runtimes/linux-x64/native folder deployed? " +
                e.Message, e);
        }

        var files = FindLoadedFiles(File.ReadAllLines("/proc/self/maps"));
        foreach (var (name, path) in new[] { (GgmlNative.BaseLibrary, files.BasePath), (GgmlNative.RegistryLibrary, files.RegistryPath), (GgmlNative.CpuLibrary, files.CpuPath) })
        {
            // Loading an already mapped file only bumps its reference count: same handle, same copy.
            Handles[name] = NativeLibrary.Load(path);
        }

        NativeLibrary.SetDllImportResolver(typeof(GgmlLibrary).Assembly, Resolve);
        GgmlTensor.CheckLayout();
        return files;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        => Handles.TryGetValue(libraryName, out var handle) ? handle : IntPtr.Zero;

    /// <summary>Picks the ggml files that sit next to the loaded <c>libllama.so</c> out of /proc/self/maps lines.</summary>
    /// <param name="mapsLines">Lines in the format of <c>/proc/self/maps</c>.</param>
    /// <exception cref="DllNotFoundException">The libraries are not (all) mapped; the message says which.</exception>
    public static GgmlLibraryFiles FindLoadedFiles(IEnumerable<string> mapsLines)
    {
        var mapped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in mapsLines)
        {
            var slash = line.IndexOf('/');
            if (slash >= 0) mapped.Add(line[slash..].Trim());
        }

        var llama = mapped.Where(p => Path.GetFileName(p) == "libllama.so").ToList();
        var ggmlBase = mapped.Where(p => Path.GetFileName(p) == "libggml-base.so").ToList();
        string? dir = llama.Count == 1 ? Path.GetDirectoryName(llama[0])
            : ggmlBase.Count == 1 ? Path.GetDirectoryName(ggmlBase[0])
            : null;
        if (dir is null)
            throw new DllNotFoundException(
                $"Expected exactly one loaded libllama.so (found {llama.Count}) or libggml-base.so (found {ggmlBase.Count}) " +
                "in /proc/self/maps after LLamaSharp loaded its native library. " +
                $"Mapped candidates: {string.Join(", ", llama.Concat(ggmlBase).DefaultIfEmpty("none"))}.");

        string Need(string file)
        {
            var path = Path.Combine(dir, file);
            if (!mapped.Contains(path))
                throw new DllNotFoundException($"{file} is not loaded from {dir}; LLamaSharp's native library set is incomplete.");
            return path;
        }

        // LLamaSharp's CUDA packages ship no libggml-cpu.so of their own: their libggml.so uses the CPU package's.
        var cpuElsewhere = mapped.Where(p => Path.GetFileName(p) == "libggml-cpu.so").ToList();
        var cpu = mapped.Contains(Path.Combine(dir, "libggml-cpu.so")) || cpuElsewhere.Count != 1 ? Need("libggml-cpu.so") : cpuElsewhere[0];
        return new GgmlLibraryFiles(dir, Need("libggml-base.so"), Need("libggml.so"), cpu);
    }

    private static void OnNativeLog(LLamaLogLevel level, string message)
    {
        // CONT lines continue the previous line and take its level.
        var mapped = level switch
        {
            LLamaLogLevel.Debug => GgmlLogLevel.Debug,
            LLamaLogLevel.Info => GgmlLogLevel.Info,
            LLamaLogLevel.Warning => GgmlLogLevel.Warning,
            LLamaLogLevel.Error => GgmlLogLevel.Error,
            LLamaLogLevel.Continue => lastLevel == 0 ? GgmlLogLevel.Info : lastLevel,
            _ => GgmlLogLevel.Info,
        };
        lastLevel = mapped;
        if (mapped < MinimumLogLevel) return;
        try
        {
            LogSink(mapped, message);
        }
        catch
        {
            // An exception must never unwind into native code.
        }
    }
}

/// <summary>The native files in use, from one LLamaSharp variant folder.</summary>
/// <param name="Directory">The folder, e.g. <c>.../runtimes/linux-x64/native/avx2</c>.</param>
/// <param name="BasePath">Full path of <c>libggml-base.so</c>.</param>
/// <param name="RegistryPath">Full path of <c>libggml.so</c>.</param>
/// <param name="CpuPath">Full path of <c>libggml-cpu.so</c> (from another folder where the variant has none, as
/// LLamaSharp's CUDA builds).</param>
public sealed record GgmlLibraryFiles(string Directory, string BasePath, string RegistryPath, string CpuPath);
