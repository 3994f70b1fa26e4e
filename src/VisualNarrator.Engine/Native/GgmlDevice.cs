namespace VisualNarrator.Engine.Native;

/// <summary>Kind of a ggml backend device (<c>enum ggml_backend_dev_type</c> in this ggml build).</summary>
public enum GgmlDeviceType
{
    /// <summary>CPU with system memory.</summary>
    Cpu = 0,

    /// <summary>GPU with dedicated memory.</summary>
    Gpu = 1,

    /// <summary>Integrated GPU sharing system memory.</summary>
    IntegratedGpu = 2,

    /// <summary>Accelerator used alongside the CPU backend (BLAS, AMX).</summary>
    Accelerator = 3,
}

/// <summary>A device known to ggml's backend registry.</summary>
public sealed class GgmlDevice
{
    internal GgmlDevice(IntPtr handle)
    {
        Handle = handle;
        Name = GgmlNative.Str(GgmlNative.ggml_backend_dev_name(handle));
        Description = GgmlNative.Str(GgmlNative.ggml_backend_dev_description(handle));
        Type = (GgmlDeviceType)(GgmlNative.ggml_backend_dev_type(handle) & 0xFF);
    }

    /// <summary>The native <c>ggml_backend_dev_t</c> (owned by the registry, never freed).</summary>
    internal IntPtr Handle { get; }

    /// <summary>Registry name, e.g. <c>CPU</c> or <c>CUDA0</c>.</summary>
    public string Name { get; }

    /// <summary>Human-readable description (CPU model, GPU name).</summary>
    public string Description { get; }

    /// <summary>Device kind.</summary>
    public GgmlDeviceType Type { get; }

    /// <summary>Free and total memory in bytes, as the device reports them now.</summary>
    public unsafe (ulong Free, ulong Total) Memory
    {
        get
        {
            nuint free, total;
            GgmlNative.ggml_backend_dev_memory(Handle, &free, &total);
            return (free, total);
        }
    }

    /// <summary>All devices in the registry, in registry order.</summary>
    public static IReadOnlyList<GgmlDevice> All
    {
        get
        {
            GgmlLibrary.EnsureLoaded();
            GgmlBackends.LoadFromEnvironment();
            var n = (int)GgmlNative.ggml_backend_dev_count();
            var list = new List<GgmlDevice>(n);
            for (int i = 0; i < n; i++) list.Add(new GgmlDevice(GgmlNative.ggml_backend_dev_get((nuint)i)));
            return list;
        }
    }

    /// <summary>
    /// Finds a device: <c>cpu</c> or <c>gpu</c> pick the first of that kind; anything else matches a registry name
    /// (case-insensitive), e.g. <c>CUDA0</c>.
    /// </summary>
    /// <exception cref="Inference.InvalidSettingException">No such device; the message lists those available.</exception>
    public static GgmlDevice Find(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var all = All;
        var found = name.Trim().ToLowerInvariant() switch
        {
            "cpu" => all.FirstOrDefault(d => d.Type == GgmlDeviceType.Cpu),
            "gpu" => all.FirstOrDefault(d => d.Type == GgmlDeviceType.Gpu) ?? all.FirstOrDefault(d => d.Type == GgmlDeviceType.IntegratedGpu),
            _ => all.FirstOrDefault(d => string.Equals(d.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)),
        };
        return found ?? throw new Inference.InvalidSettingException("--device",
            $"No ggml device '{name}'. Available: {string.Join(", ", all.Select(d => d.ToString()).DefaultIfEmpty("none"))}.");
    }

    /// <summary>e.g. <c>CPU (Cpu: AMD EPYC ...)</c>.</summary>
    public override string ToString() => $"{Name} ({Type}: {Description})";
}
