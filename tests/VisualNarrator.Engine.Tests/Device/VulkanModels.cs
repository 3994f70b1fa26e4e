using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Device;

/// <summary>The device tests run one at a time in one collection: they share the loaded models and contexts.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VulkanCollection : ICollectionFixture<VulkanModels>
{
    public const string Name = "Vulkan device";
}

/// <summary>
/// Models and contexts on Vulkan0 and on the CPU, made once for the whole run. Device models are never disposed:
/// freeing a Vulkan buffer and then computing another graph crashed Mesa's llvmpipe driver, so device memory lives
/// until the process ends (and there is little of it: tiny models, 64 cells).
/// </summary>
public sealed class VulkanModels : IDisposable
{
    /// <summary>Every dimension a multiple of 256 so Q4_K_M quantizes without fallback; 4 layers so a split can put
    /// some on each side; weights of std 1/sqrt(256) keep each layer's output on the scale of its input.</summary>
    public static ModelHyperparameters Shape => new("opt", 64, 256, 512, 4, 4, 1e-5f, 0);

    /// <summary>The settings every context here uses (F16 cache, the device's KV type; flash attention).</summary>
    public static InferenceOptions Inference => new(ContextSize: 64, CacheType: KvCacheType.F16, MaxBatchTokens: 64);

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vn-device");
    private readonly Dictionary<string, (Model Model, InferenceContext Context)> _loaded = [];
    private readonly Lock _lock = new();

    /// <summary>The test model stored as <paramref name="type"/>: f32, f16, q8_0 or q4_k_m.</summary>
    public string File(string type)
    {
        lock (_lock)
        {
            var path = Path.Combine(_dir.FullName, $"device-{type}.gguf");
            if (System.IO.File.Exists(path)) return path;
            var f16 = Path.Combine(_dir.FullName, "device-f16.gguf");
            if (!System.IO.File.Exists(f16))
                RandomModelWriter.Write(f16, "opt", Shape, RandomModelWriter.TinyTokenizer(), GgmlType.F16, seed: 11, std: 0.0625f);
            if (type == "f32")
                RandomModelWriter.Write(path, "opt", Shape, RandomModelWriter.TinyTokenizer(), GgmlType.F32, seed: 11, std: 0.0625f);
            else if (type != "f16")
                ModelQuantizer.Quantize(f16, path, QuantizationPreset.Parse(type));
            return path;
        }
    }

    /// <summary>The test model's layers as Q4_K_M with 512 positions, enough for <c>narrator bench</c>'s plan.</summary>
    public string BenchFile()
    {
        lock (_lock)
        {
            var path = Path.Combine(_dir.FullName, "device-bench-q4_k_m.gguf");
            if (System.IO.File.Exists(path)) return path;
            var f16 = Path.Combine(_dir.FullName, "device-bench-f16.gguf");
            RandomModelWriter.Write(f16, "opt", Shape with { ContextLength = 512 }, RandomModelWriter.TinyTokenizer(), GgmlType.F16, seed: 11, std: 0.0625f);
            ModelQuantizer.Quantize(f16, path, QuantizationPreset.Parse("q4_k_m"));
            return path;
        }
    }

    /// <summary>The model of <paramref name="type"/> loaded on the CPU (<paramref name="gpuLayers"/> null) or on
    /// Vulkan0 with that many layers, with its context (<paramref name="flashAttention"/> as
    /// <see cref="InferenceOptions.FlashAttention"/>); made once.</summary>
    public (Model Model, InferenceContext Context) Get(string type, string? gpuLayers, bool? flashAttention = null)
    {
        var path = File(type);
        lock (_lock)
        {
            var key = $"{type}/{gpuLayers ?? "cpu"}/{flashAttention?.ToString() ?? "auto"}";
            if (!_loaded.TryGetValue(key, out var loaded))
            {
                var inference = Inference with { FlashAttention = flashAttention };
                var options = gpuLayers is null
                    ? new ModelLoadOptions(Threads: 2)
                    : new ModelLoadOptions(VulkanDevice.Name, 2, GpuLayers.Parse(gpuLayers), [VulkanDevice.Require()], inference);
                var model = Model.Load(path, options);
                loaded = (model, new InferenceContext(model, inference));
                _loaded[key] = loaded;
            }
            loaded.Context.Cache.Clear();
            return loaded;
        }
    }

    /// <summary>Keeps a device model alive for the run (see the class remarks).</summary>
    public void Keep(Model model)
    {
        lock (_lock) _loaded[$"kept/{_loaded.Count}"] = (model, null!);
    }

    public void Dispose()
    {
        foreach (var (model, context) in _loaded.Values.Where(l => l.Model.DeviceBackend is null))
        {
            context?.Dispose();
            model.Dispose();
        }
        _dir.Delete(recursive: true);
    }
}
