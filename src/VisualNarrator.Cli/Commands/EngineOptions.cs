using System.CommandLine;
using VisualNarrator.Engine.Inference;

namespace VisualNarrator.Cli.Commands;

/// <summary>Options every command that runs a model shares: the model file, device, threads, context size and cache
/// type.</summary>
public sealed class EngineOptions
{
    /// <summary>--model FILE.gguf.</summary>
    public Option<FileInfo> Model { get; } = new("--model", "-m") { Description = "GGUF model file", Required = true };
    /// <summary>--device NAME.</summary>
    public Option<string> Device { get; } = new("--device") { Description = "ggml device: cpu, or a GPU name (e.g. CUDA0) where that backend is installed", DefaultValueFactory = _ => "cpu" };
    /// <summary>--threads N.</summary>
    public Option<int> Threads { get; } = new("--threads", "-t") { Description = "CPU threads (0: automatic, by model size: 1 per 4 MiB of weights, at most the physical cores)", DefaultValueFactory = _ => 0 };
    /// <summary>--context N.</summary>
    public Option<int> Context { get; } = new("--context", "-c") { Description = "KV-cache cells (0: the model's context length)", DefaultValueFactory = _ => 1024 };
    /// <summary>--cache-type f16|f32.</summary>
    public Option<string> CacheType { get; } = new("--cache-type") { Description = "KV-cache element type: f16 or f32", DefaultValueFactory = _ => "f16" };

    /// <summary>--flash-attn on|off.</summary>
    public Option<string> FlashAttention { get; } = new("--flash-attn", "-fa") { Description = "Fused attention kernel: on (default, as llama.cpp on CPU) or off (mul_mat + soft_max)", DefaultValueFactory = _ => "on" };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Device);
        command.Options.Add(Threads);
        command.Options.Add(Context);
        command.Options.Add(CacheType);
        command.Options.Add(FlashAttention);
    }

    /// <summary>Loads the model named on the command line.</summary>
    public Model LoadModel(ParseResult parse)
    {
        var file = parse.GetValue(Model) ?? BuiltInModelFile();
        if (!file.Exists)
            throw new FileNotFoundException(file.Name == "narrator.gguf"
                ? $"{file.FullName}: the built-in model is missing; restore it with git (git checkout -- models/) or rebuild it with bash models/build.sh, or pass --model with any opt GGUF"
                : $"{file.FullName}: no such model file");
        return Engine.Inference.Model.Load(file.FullName, new ModelLoadOptions(parse.GetValue(Device)!, parse.GetValue(Threads)));
    }

    /// <summary>The built-in model, <c>models/narrator.gguf</c>, in the first folder above the current directory (then
    /// above the tool) that has one; for commands where <c>--model</c> is optional.</summary>
    public static FileInfo BuiltInModelFile()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = new FileInfo(Path.Combine(dir.FullName, "models", "narrator.gguf"));
                if (candidate.Exists) return candidate;
            }
        return new FileInfo(Path.Combine(Environment.CurrentDirectory, "models", "narrator.gguf"));
    }

    /// <summary>Inference settings from the command line.</summary>
    public InferenceOptions Inference(ParseResult parse) => new(
        ContextSize: parse.GetValue(Context),
        CacheType: parse.GetValue(CacheType)?.ToLowerInvariant() switch
        {
            "f16" => KvCacheType.F16,
            "f32" => KvCacheType.F32,
            var other => throw new ArgumentException($"--cache-type must be f16 or f32, got '{other}'"),
        },
        FlashAttention: parse.GetValue(FlashAttention)?.ToLowerInvariant() switch
        {
            "on" => true,
            "off" => false,
            var other => throw new ArgumentException($"--flash-attn must be on or off, got '{other}'"),
        });
}
