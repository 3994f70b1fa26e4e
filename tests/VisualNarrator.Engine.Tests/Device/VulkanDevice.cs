using VisualNarrator.Engine.Native;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Device;

/// <summary>
/// Finds the ggml Vulkan backend for the device tests: <c>VN_VULKAN_BACKEND</c> (a path to libggml-vulkan.so), else the
/// copy <c>.ci/run</c> installs under the repository (npm <c>@node-llama-cpp/linux-x64-vulkan</c> in <c>.native/vulkan</c>),
/// and Vulkan0 on it (Mesa's llvmpipe in CI). Tests skip with the missing piece named when any is absent.
/// </summary>
public static class VulkanDevice
{
    /// <summary>Overrides where libggml-vulkan.so is looked for.</summary>
    public const string LibraryVariable = "VN_VULKAN_BACKEND";

    /// <summary>The device the tests run on.</summary>
    public const string Name = "Vulkan0";

    private static readonly Lazy<(string? Library, string? Problem)> Loaded = new(Load);

    /// <summary>Where .ci/run installs the library (relative to the repository root).</summary>
    public static string InstalledLibrary =>
        Path.Combine(RepoPaths.Root, ".native", "vulkan", "node_modules", "@node-llama-cpp", "linux-x64-vulkan", "bins", "linux-x64-vulkan", "libggml-vulkan.so");

    /// <summary>Set by .ci/run once it has installed the driver and the library: then a missing Vulkan0 fails.</summary>
    public const string RequireVariable = "VN_REQUIRE_VULKAN";

    /// <summary>Path of the loaded library; skips the calling test with the reason when Vulkan0 is not available
    /// (fails instead where <see cref="RequireVariable"/> is 1).</summary>
    public static string Require()
    {
        var (library, problem) = Loaded.Value;
        if (problem is not null && Environment.GetEnvironmentVariable(RequireVariable) == "1")
            Assert.Fail($"{RequireVariable}=1 but {problem}");
        Skip.If(problem is not null, problem);
        return library!;
    }

    private static (string?, string?) Load()
    {
        var library = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } env ? env : InstalledLibrary;
        if (!File.Exists(library))
            return (null, $"no ggml Vulkan backend at {library} (run .ci/run, or npm install --prefix .native/vulkan @node-llama-cpp/linux-x64-vulkan@3.22.1, or set {LibraryVariable})");
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/libvulkan.so.1"))
            return (null, "no Vulkan loader (apt-get install -y libvulkan1 mesa-vulkan-drivers)");
        // Mesa's llvmpipe is a CPU-type Vulkan device, which ggml skips unless it is named visible.
        if (Environment.GetEnvironmentVariable("GGML_VK_VISIBLE_DEVICES") is null) GgmlBackends.SetNativeEnvironment("GGML_VK_VISIBLE_DEVICES", "0");
        var loaded = GgmlBackends.Load(library);
        if (!loaded.Devices.Contains(Name))
            return (null, $"{library} loaded but registered no {Name} (devices: {string.Join(", ", loaded.Devices.DefaultIfEmpty("none"))}); is mesa-vulkan-drivers installed?");
        return (library, null);
    }
}
