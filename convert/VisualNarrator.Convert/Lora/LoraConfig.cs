using System.Globalization;
using VisualNarrator.Gguf;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VisualNarrator.Convert.HuggingFace;

namespace VisualNarrator.Convert.Lora;

/// <summary>
/// A PEFT LoRA adapter_config.json (PEFT's LoraConfig). Supported: r, lora_alpha, lora_dropout, target_modules (a
/// list matched as PEFT does, by name or dotted suffix; a string matched as a full regex; or "all-linear"),
/// use_rslora, fan_in_fan_out, base_model_name_or_path. Rejected with a clear error: peft_type other than LORA,
/// task_type other than CAUSAL_LM, use_dora, bias other than "none", modules_to_save, rank_pattern / alpha_pattern,
/// layers_to_transform.
/// </summary>
public sealed record LoraConfig
{
    /// <summary>The config file of an adapter folder.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>Rank.</summary>
    public int R { get; init; } = 8;
    /// <summary>lora_alpha.</summary>
    public double Alpha { get; init; } = 8;
    /// <summary>lora_dropout (training only).</summary>
    public double Dropout { get; init; }
    /// <summary>target_modules as a list (names or dotted suffixes); empty when <see cref="TargetRegex"/> is used.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = [];
    /// <summary>target_modules given as a string: a regex that must match the whole module path.</summary>
    public string? TargetRegex { get; init; }
    /// <summary>use_rslora: scaling = alpha / √r instead of alpha / r.</summary>
    public bool UseRsLora { get; init; }
    /// <summary>fan_in_fan_out as the file says it; PEFT resets it to false for nn.Linear layers, which every OPT
    /// projection is, and so does this tool (with a warning).</summary>
    public bool FanInFanOut { get; init; }
    /// <summary>base_model_name_or_path.</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>The factor the update B·A is multiplied by.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(R) : Alpha / R;

    /// <summary>Whether a module path (model.decoder.layers.0.self_attn.q_proj) is targeted, as PEFT decides it.</summary>
    public bool Targets(string modulePath, string moduleName)
    {
        if (TargetRegex is not null)
            return TargetRegex == "all-linear" || Regex.IsMatch(modulePath, "^(?:" + TargetRegex + ")$", RegexOptions.CultureInvariant);
        return TargetModules.Any(t => modulePath == t || modulePath.EndsWith("." + t, StringComparison.Ordinal) || moduleName == t);
    }

    /// <summary>Reads and checks adapter_config.json.</summary>
    /// <exception cref="CheckpointException">Missing, invalid, or uses a feature this tool does not support.</exception>
    public static LoraConfig Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!Directory.Exists(folder)) throw new CheckpointException(folder, "the adapter folder does not exist");
        if (!File.Exists(path)) throw new CheckpointException(path, "the file is missing (is this a PEFT adapter folder?)");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CheckpointException(path, "is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"not valid JSON: {ex.Message}", ex);
        }
        string? Str(string key) => json[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            var other => throw new CheckpointException(path, $"'{key}' is {other.ToJsonString()}; expected a string"),
        };
        bool Bool(string key) => json[key] switch
        {
            null => false,
            JsonValue v when v.TryGetValue(out bool b) => b,
            var other => throw new CheckpointException(path, $"'{key}' is {other.ToJsonString()}; expected true or false"),
        };
        double Num(string key, double fallback) => json[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue(out double d) => d,
            var other => throw new CheckpointException(path, $"'{key}' is {other.ToJsonString()}; expected a number"),
        };
        bool Empty(string key) => json[key] switch
        {
            null => true,
            JsonObject o => o.Count == 0,
            JsonArray a => a.Count == 0,
            _ => false,
        };

        var peftType = Str("peft_type");
        if (peftType is not null && peftType != "LORA")
            throw new CheckpointException(path, $"peft_type is '{peftType}'; only LORA adapters are supported");
        var taskType = Str("task_type");
        if (taskType is not null && taskType != "CAUSAL_LM")
            throw new CheckpointException(path, $"task_type is '{taskType}'; an OPT narrator adapter is CAUSAL_LM");
        if (Bool("use_dora")) throw new CheckpointException(path, "use_dora is true; DoRA adapters are not supported");
        var bias = Str("bias") ?? "none";
        if (bias != "none") throw new CheckpointException(path, $"bias is '{bias}'; only \"none\" is supported");
        foreach (var key in new[] { "modules_to_save", "rank_pattern", "alpha_pattern", "layers_to_transform" })
            if (!Empty(key)) throw new CheckpointException(path, $"'{key}' is {json[key]!.ToJsonString()}; adapters that use it are not supported");

        var r = Num("r", 8);
        if (r < 1 || r != Math.Floor(r) || r > 65536) throw new CheckpointException(path, $"r is {r}; it must be a positive integer");
        var dropout = Num("lora_dropout", 0);
        if (dropout is < 0 or >= 1) throw new CheckpointException(path, $"lora_dropout is {dropout}; it must be in [0, 1)");

        IReadOnlyList<string> targets = [];
        string? regex = null;
        switch (json["target_modules"])
        {
            case JsonArray list:
                targets = [.. list.Select((n, i) => n is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s
                    : throw new CheckpointException(path, $"target_modules[{i}] is not a module name"))];
                break;
            case JsonValue v when v.TryGetValue(out string? s) && s.Length > 0:
                regex = s;
                try { _ = new Regex(s); }
                catch (ArgumentException ex) { throw new CheckpointException(path, $"target_modules '{s}' is not a valid regular expression: {ex.Message}", ex); }
                break;
            default:
                throw new CheckpointException(path, "target_modules is missing; expected a list of module names such as [\"q_proj\", \"v_proj\"]");
        }
        if (targets.Count == 0 && regex is null) throw new CheckpointException(path, "target_modules is empty");

        return new LoraConfig
        {
            R = (int)r,
            Alpha = Num("lora_alpha", 8),
            Dropout = dropout,
            TargetModules = targets,
            TargetRegex = regex,
            UseRsLora = Bool("use_rslora"),
            FanInFanOut = Bool("fan_in_fan_out"),
            BaseModelNameOrPath = Str("base_model_name_or_path"),
        };
    }

    /// <summary>Writes adapter_config.json with the keys PEFT writes (fan_in_fan_out false, as PEFT stores it for
    /// nn.Linear targets).</summary>
    public void Write(string folder)
    {
        var json = new JsonObject
        {
            ["alpha_pattern"] = new JsonObject(),
            ["auto_mapping"] = null,
            ["base_model_name_or_path"] = BaseModelNameOrPath,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["layers_pattern"] = null,
            ["layers_to_transform"] = null,
            ["lora_alpha"] = Alpha == Math.Floor(Alpha) ? JsonValue.Create((long)Alpha) : JsonValue.Create(Alpha),
            ["lora_dropout"] = Dropout,
            ["modules_to_save"] = null,
            ["peft_type"] = "LORA",
            ["r"] = R,
            ["rank_pattern"] = new JsonObject(),
            ["revision"] = null,
            ["target_modules"] = TargetRegex is not null ? JsonValue.Create(TargetRegex) : new JsonArray([.. TargetModules.Select(t => (JsonNode)t)]),
            ["task_type"] = "CAUSAL_LM",
            ["use_dora"] = false,
            ["use_rslora"] = UseRsLora,
        };
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>A one-line summary.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"LoRA r={R} alpha={Alpha}{(UseRsLora ? " (rsLoRA)" : "")} on {(TargetRegex ?? string.Join(",", TargetModules))}");
}
