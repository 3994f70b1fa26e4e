using TorchSharp;
using TorchSharp.Modules;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Modeling;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Lora;

/// <summary>An adapter attached to a model: its config and the warnings reading it gave.</summary>
/// <param name="Config">adapter_config.json.</param>
/// <param name="Modules">The module paths that received a LoRA branch.</param>
/// <param name="Warnings">Things worth telling the user (e.g. fan_in_fan_out reset to false).</param>
public sealed record AttachedAdapter(LoraConfig Config, IReadOnlyList<string> Modules, IReadOnlyList<string> Warnings);

/// <summary>
/// PEFT LoRA adapters on <see cref="OptForCausalLM"/>: read (adapter_config.json + adapter_model.safetensors or
/// adapter_model.bin), validate against the base model, attach, merge, create for training, and write in PEFT's
/// format (keys <c>base_model.model.model.decoder.layers.N.self_attn.q_proj.lora_A.weight</c> [r, in] and
/// <c>...lora_B.weight</c> [out, r]).
/// </summary>
public static class LoraAdapter
{
    /// <summary>PEFT's safetensors weight file.</summary>
    public const string SafetensorsName = "adapter_model.safetensors";
    /// <summary>PEFT's torch.save weight file.</summary>
    public const string BinName = "adapter_model.bin";
    /// <summary>The prefix PEFT's PeftModelForCausalLM puts before the base model's keys.</summary>
    public const string KeyPrefix = "base_model.model.";

    private const int MaxListed = 6;

    /// <summary>The modules of <paramref name="model"/> that <paramref name="config"/> targets.</summary>
    /// <exception cref="CheckpointException">A target names no OPT projection, or matches a module LoRA is not
    /// supported on.</exception>
    public static List<(string Path, OptLinear Module)> ResolveTargets(OptForCausalLM model, LoraConfig config, string source)
    {
        var projections = model.Projections().ToList();
        var matched = projections.Where(p => config.Targets(p.Path, p.Name)).Select(p => (p.Path, p.Module)).ToList();
        if (config.TargetRegex is null)
        {
            foreach (var target in config.TargetModules)
            {
                if (projections.Any(p => p.Path == target || p.Path.EndsWith("." + target, StringComparison.Ordinal) || p.Name == target)) continue;
                var other = target is "project_in" or "project_out" or "lm_head" or "embed_tokens"
                    ? $"LoRA on OPT's '{target}' is not supported"
                    : $"OPT has no module '{target}' (is the adapter for another architecture?)";
                throw new CheckpointException(source, $"target_modules names '{target}': {other}; supported targets: {string.Join(", ", OptForCausalLM.LoraTargets)}");
            }
        }
        if (matched.Count == 0)
            throw new CheckpointException(source, $"target_modules '{config.TargetRegex}' matches no OPT projection; supported targets: {string.Join(", ", OptForCausalLM.LoraTargets)}");
        if (config.TargetRegex == "all-linear" && model.Config.HasProjection)
            throw new CheckpointException(source, "target_modules 'all-linear' includes project_in / project_out, which LoRA is not supported on here");
        return matched;
    }

    /// <summary>Attaches a new adapter for training: A kaiming-uniform from <paramref name="seed"/>, B zeros.</summary>
    public static AttachedAdapter Create(OptForCausalLM model, LoraConfig config, long seed)
    {
        var targets = ResolveTargets(model, config, "--targets");
        var generator = new Generator((ulong)seed);
        foreach (var (_, module) in targets) module.AttachLora(config.R, config.Scaling, config.Dropout, generator);
        return new AttachedAdapter(config, [.. targets.Select(t => t.Path)], []);
    }

    /// <summary>Reads an adapter folder, validates it against <paramref name="model"/> and attaches it (unmerged).</summary>
    /// <exception cref="CheckpointException">The config or weights are missing or malformed, or do not fit the model:
    /// a key naming a module OPT does not have (another architecture), a targeted module without weights, a rank
    /// other than r, or shapes of another model size.</exception>
    public static AttachedAdapter Load(OptForCausalLM model, string folder)
    {
        folder = Path.GetFullPath(folder);
        var config = LoraConfig.Read(folder);
        var warnings = new List<string>();
        if (config.FanInFanOut)
            warnings.Add("adapter_config.json sets fan_in_fan_out, but OPT's projections are nn.Linear ([out, in] weights); like PEFT, the adapter is applied with fan_in_fan_out false");
        var targets = ResolveTargets(model, config, Path.Combine(folder, LoraConfig.FileName));
        var (files, _) = HfCheckpoint.FindWeights(folder, SafetensorsName, BinName);
        var file = files[0];

        var weights = new Dictionary<string, (Tensor? A, Tensor? B)>(StringComparer.Ordinal);
        var projections = model.Projections().ToDictionary(p => p.Path, p => p.Module, StringComparer.Ordinal);
        try
        {
            var foreign = new List<string>();
            foreach (var (key, tensor, _) in HfCheckpoint.ReadTensors(files))
            {
                var (path, which) = ParseKey(key);
                if (path is null || !projections.ContainsKey(path))
                {
                    foreign.Add(key);
                    tensor.Dispose();
                    continue;
                }
                if (!tensor.is_floating_point())
                {
                    tensor.Dispose();
                    throw new CheckpointException(file, $"'{key}' is {tensor.dtype}; LoRA weights must be floating point");
                }
                var entry = weights.GetValueOrDefault(path);
                if ((which == 'A' ? entry.A : entry.B) is not null)
                {
                    tensor.Dispose();
                    throw new CheckpointException(file, $"'{key}' appears twice");
                }
                weights[path] = which == 'A' ? (tensor, entry.B) : (entry.A, tensor);
            }
            if (foreign.Count > 0)
                throw new CheckpointException(file, $"keys that name no OPT projection ({foreign.Count}): {string.Join(", ", foreign.Take(MaxListed))}"
                    + (config.BaseModelNameOrPath is { } b ? $"; the adapter was made for '{b}'" : "") + " (is it for another architecture?)");

            var targetPaths = targets.Select(t => t.Path).ToHashSet(StringComparer.Ordinal);
            var untargeted = weights.Keys.Where(p => !targetPaths.Contains(p)).ToList();
            if (untargeted.Count > 0)
                throw new CheckpointException(file, $"holds weights for modules adapter_config.json does not target: {string.Join(", ", untargeted.Take(MaxListed))}");
            var missing = targets.Where(t => !weights.TryGetValue(t.Path, out var w) || w.A is null || w.B is null)
                .Select(t => $"{t.Path} ({(weights.TryGetValue(t.Path, out var w) ? (w.A is null ? "no lora_A" : "no lora_B") : "no weights")})").ToList();
            if (missing.Count > 0)
                throw new CheckpointException(file, $"target modules without LoRA weights ({missing.Count}): {string.Join(", ", missing.Take(MaxListed))}");

            foreach (var (path, module) in targets)
            {
                var (a, b) = weights[path];
                if (a!.ndim != 2 || b!.ndim != 2)
                    throw new CheckpointException(file, $"{path}: lora_A and lora_B must be matrices, got [{Shape(a)}] and [{Shape(b!)}]");
                if (a.shape[0] != config.R || b.shape[1] != config.R)
                    throw new CheckpointException(file, $"rank mismatch: adapter_config.json says r = {config.R}, but {path}.lora_A is [{Shape(a)}] and lora_B is [{Shape(b)}]");
                if (a.shape[1] != module.InFeatures || b.shape[0] != module.OutFeatures)
                    throw new CheckpointException(file, $"shape mismatch: {path} is [{module.OutFeatures}, {module.InFeatures}] in this model, but lora_A is [{Shape(a)}] and lora_B is [{Shape(b)}] (an adapter for a model of another size?)");
            }
            foreach (var (path, module) in targets)
            {
                var (a, b) = weights[path];
                module.AttachLora(a!, b!, config.Scaling, config.Dropout);
            }
        }
        finally
        {
            foreach (var (a, b) in weights.Values)
            {
                a?.Dispose();
                b?.Dispose();
            }
        }
        return new AttachedAdapter(config, [.. targets.Select(t => t.Path)], warnings);
    }

    /// <summary>Splits a PEFT key into the module path and 'A' or 'B'; (null, ' ') when it is not a LoRA key.</summary>
    public static (string? Path, char Which) ParseKey(string key)
    {
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal)) return (null, ' ');
        var rest = key[KeyPrefix.Length..];
        foreach (var (suffix, which) in new[] { (".lora_A.weight", 'A'), (".lora_B.weight", 'B'), (".lora_A.default.weight", 'A'), (".lora_B.default.weight", 'B') })
            if (rest.EndsWith(suffix, StringComparison.Ordinal)) return (rest[..^suffix.Length], which);
        return (null, ' ');
    }

    /// <summary>Merges every attached branch into its base weight (W += scaling · B @ A) and detaches it.</summary>
    public static int MergeAll(OptForCausalLM model)
    {
        var n = 0;
        foreach (var (_, _, _, module) in model.Projections())
        {
            if (!module.HasLora) continue;
            module.MergeLora();
            n++;
        }
        return n;
    }

    /// <summary>Writes the attached adapter as a PEFT folder (adapter_config.json + weights) into an existing folder.</summary>
    public static void Save(OptForCausalLM model, LoraConfig config, string folder, WeightFormat format = WeightFormat.Safetensors)
    {
        var parameters = model.LoraParameters().ToList();
        if (parameters.Count == 0) throw new InvalidOperationException("the model has no LoRA branch to save");
        Directory.CreateDirectory(folder);
        config.Write(folder);
        if (format == WeightFormat.Safetensors)
            SafetensorsFile.Write(Path.Combine(folder, SafetensorsName),
                [.. parameters.Select(p => (KeyPrefix + p.Key, p.Value.shape, ScalarType.Float32, (Func<Tensor>)(() => p.Value)))]);
        else
            TorchBinFile.Write(Path.Combine(folder, BinName), parameters.Select(p => (KeyPrefix + p.Key, (Tensor)p.Value)));
    }

    /// <summary>The attached LoRA parameters (for an optimizer).</summary>
    public static IReadOnlyList<(string Key, Parameter Value)> Parameters(OptForCausalLM model) => [.. model.LoraParameters()];

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
