namespace VisualNarrator.Engine.Native;

/// <summary>A backend library loaded into ggml's registry, and the devices it added.</summary>
/// <param name="Path">The library file.</param>
/// <param name="Name">The backend's registry name, e.g. <c>Vulkan</c> or <c>CUDA</c>.</param>
/// <param name="Devices">Names of the devices it registered (none when its driver found no usable device).</param>
public sealed record GgmlBackendLibrary(string Path, string Name, IReadOnlyList<string> Devices);

/// <summary>
/// Extra ggml backend libraries (Vulkan, CUDA, Metal builds of ggml) loaded next to the CPU backend that LLamaSharp
/// ships, so their devices appear in <see cref="GgmlDevice.All"/>. Libraries come from explicit paths
/// (<c>--backend</c>, <c>Narrator:BackendPaths</c>) and from <c>GGML_BACKEND_PATH</c> (one path, or several separated
/// by ':'), which is read on the first device lookup.
/// </summary>
public static class GgmlBackends
{
    /// <summary>The environment variable ggml itself uses for an extra backend library.</summary>
    public const string PathVariable = "GGML_BACKEND_PATH";

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, GgmlBackendLibrary> ByPath = new(StringComparer.Ordinal);
    private static bool environmentLoaded;

    /// <summary>Libraries loaded so far, in load order.</summary>
    public static IReadOnlyList<GgmlBackendLibrary> Loaded
    {
        get
        {
            lock (Gate) return [.. ByPath.Values];
        }
    }

    /// <summary>
    /// Loads a backend library once (later calls with the same file return the first result). The library must be
    /// built against a ggml whose backend API matches LLamaSharp's (ggml checks the API version and refuses others).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">ggml refused the library; the message names it.</exception>
    public static GgmlBackendLibrary Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{full}: no such ggml backend library", full);
        GgmlLibrary.EnsureLoaded();
        lock (Gate)
        {
            if (ByPath.TryGetValue(full, out var known)) return known;
            var reg = GgmlNative.ggml_backend_load(full);
            if (reg == IntPtr.Zero)
                throw new InvalidDataException(
                    $"{full}: ggml could not load it as a backend (not a ggml backend library, a missing dependency such as " +
                    "libvulkan.so.1 or the CUDA runtime, or a ggml backend API version other than LLamaSharp's)");
            var devices = new List<string>();
            var n = (int)GgmlNative.ggml_backend_reg_dev_count(reg);
            for (var i = 0; i < n; i++)
                devices.Add(GgmlNative.Str(GgmlNative.ggml_backend_dev_name(GgmlNative.ggml_backend_reg_dev_get(reg, (nuint)i))));
            var loaded = new GgmlBackendLibrary(full, GgmlNative.Str(GgmlNative.ggml_backend_reg_name(reg)), devices);
            ByPath[full] = loaded;
            return loaded;
        }
    }

    /// <summary>Loads every library named in <c>GGML_BACKEND_PATH</c>, once per process.</summary>
    /// <exception cref="FileNotFoundException">A named file does not exist (the message says it came from the variable).</exception>
    public static void LoadFromEnvironment()
    {
        lock (Gate)
        {
            if (environmentLoaded) return;
            environmentLoaded = true;
        }
        var value = Environment.GetEnvironmentVariable(PathVariable);
        if (string.IsNullOrWhiteSpace(value)) return;
        foreach (var path in value.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{PathVariable} names {path}, which does not exist", path);
            Load(path);
        }
    }

    /// <summary>
    /// Sets an environment variable where native code sees it (ggml backends read settings such as
    /// <c>GGML_VK_VISIBLE_DEVICES</c> with getenv when they load). Call before <see cref="Load"/>.
    /// </summary>
    public static void SetNativeEnvironment(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (GgmlNative.setenv(name, value, 1) != 0) throw new InvalidOperationException($"setenv({name}) failed");
        Environment.SetEnvironmentVariable(name, value);
    }
}
