using System.CommandLine;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;

namespace VisualNarrator.Cli.Commands;

/// <summary>Options every command that runs a model shares: the model file, device, threads, context size and cache
/// type.</summary>
public sealed class EngineOptions
{
    /// <summary>--model FILE.gguf.</summary>
    public Option<FileInfo> Model { get; } = new("--model", "-m") { Description = "GGUF model file", Required = true };
    /// <summary>--device NAME.</summary>
    public Option<string> Device { get; } = new("--device") { Description = "ggml device: cpu, or a GPU name (e.g. CUDA0, Vulkan0; see narrator devices) where that backend is installed", DefaultValueFactory = _ => "cpu" };
    /// <summary>--gpu-layers N|all|auto|half.</summary>
    public Option<string?> GpuLayers { get; } = new("--gpu-layers", "-ngl") { Description = "On a GPU --device: layers to put there (the last ones), all (default: weights, KV cache and compute on the device), auto (as many as fit its free memory) or half; the rest runs on the CPU" };
    /// <summary>--backend PATH (repeatable).</summary>
    public Option<string[]> Backends { get; } = BackendOption();

    /// <summary>A --backend option (also used by <c>narrator devices</c>).</summary>
    public static Option<string[]> BackendOption() => new("--backend")
    {
        Description = "ggml backend library to load, e.g. libggml-vulkan.so (repeatable; GGML_BACKEND_PATH works too)",
        AllowMultipleArgumentsPerToken = false,
    };
    /// <summary>--threads N.</summary>
    public Option<int> Threads { get; } = new("--threads", "-t") { Description = "CPU threads (0: automatic, by model size: 1 per 4 MiB of weights, at most the physical cores; fewer while other work keeps cores busy, for a model wholly on the CPU)", DefaultValueFactory = _ => 0 };
    /// <summary>--context N.</summary>
    public Option<int> Context { get; } = new("--context", "-c") { Description = "KV-cache cells (0, the default: the model's context length)", DefaultValueFactory = _ => new InferenceOptions().ContextSize };
    /// <summary>--cache-type f16|f32.</summary>
    public Option<string> CacheType { get; } = new("--cache-type") { Description = "KV-cache element type: f16 or f32", DefaultValueFactory = _ => "f16" };

    /// <summary>--flash-attn auto|on|off.</summary>
    public Option<string> FlashAttention { get; } = new("--flash-attn", "-fa") { Description = "Fused attention kernel: auto (default: on, except on the CPU alone for a head size that is not a multiple of 64, e.g. opt-2.7b's 80, where mul_mat attention is faster), on (as llama.cpp on CPU) or off (mul_mat + soft_max)", DefaultValueFactory = _ => "auto" };

    /// <summary>--check-tensors.</summary>
    public Option<bool> CheckTensors { get; } = new("--check-tensors") { Description = "Scan the weights for NaN and infinity before loading (as llama.cpp's --check-tensors)" };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Device);
        command.Options.Add(GpuLayers);
        command.Options.Add(Backends);
        command.Options.Add(Threads);
        command.Options.Add(Context);
        command.Options.Add(CacheType);
        command.Options.Add(FlashAttention);
        command.Options.Add(CheckTensors);
    }

    /// <summary>Loads the model named on the command line.</summary>
    public Model LoadModel(ParseResult parse)
    {
        var file = parse.GetValue(Model) ?? BuiltInModelFile();
        if (Directory.Exists(file.FullName))
            throw new UsageException($"--model {file.FullName}: is a folder, not a GGUF model file");
        if (!file.Exists)
            throw new FileNotFoundException(file.Name == "narrator.gguf"
                ? $"{file.FullName}: the built-in model is missing; restore it with git (git checkout -- models/) or rebuild it with bash models/build.sh, or pass --model with any opt GGUF"
                : $"{file.FullName}: no such model file");
        if (parse.GetValue(CheckTensors)) WeightScan.ThrowIfNonFinite(GgufFile.Open(file.FullName));
        var model = Engine.Inference.Model.Load(file.FullName, LoadOptions(parse));
        // stderr, so that --json output on stdout stays JSON.
        if (model.Offload is { } plan) Console.Error.WriteLine($"narrator: {plan.Reason}");
        return model;
    }

    /// <summary>How to load the model: device, threads, layer split, backend libraries, and the inference settings
    /// the device plan must make room for.</summary>
    public ModelLoadOptions LoadOptions(ParseResult parse) => new(
        parse.GetValue(Device)!, CheckedThreads(parse.GetValue(Threads)),
        parse.GetValue(GpuLayers) is { } layers ? Engine.Placement.GpuLayers.Parse(layers) : null,
        parse.GetValue(Backends) ?? [], Inference(parse));

    private static int CheckedThreads(int threads) =>
        threads >= 0 ? threads : throw new UsageException($"--threads must be 0 (automatic) or more, got {threads}");

    /// <summary>The built-in model, <c>models/narrator.gguf</c>, in the first folder above the current directory (then
    /// above the tool) that has one; for commands where <c>--model</c> is optional.</summary>
    public static FileInfo BuiltInModelFile()
    {
        var relative = Path.Combine("models", "narrator.gguf");
        return new FileInfo(ProjectFiles.FindAbove(relative) ?? Path.Combine(Environment.CurrentDirectory, relative));
    }

    /// <summary>Inference settings from the command line.</summary>
    public InferenceOptions Inference(ParseResult parse) => new(
        ContextSize: parse.GetValue(Context),
        CacheType: parse.GetValue(CacheType)?.ToLowerInvariant() switch
        {
            "f16" => KvCacheType.F16,
            "f32" => KvCacheType.F32,
            var other => throw new UsageException($"--cache-type must be f16 or f32, got '{other}'"),
        },
        FlashAttention: parse.GetValue(FlashAttention)?.ToLowerInvariant() switch
        {
            "auto" => null,
            "on" => true,
            "off" => false,
            var other => throw new UsageException($"--flash-attn must be auto, on or off, got '{other}'"),
        });
}
