using System.Globalization;
using VisualNarrator.Gguf;
using System.Text.Json;
using System.Text.Json.Nodes;
using VisualNarrator.Convert.HuggingFace;

namespace VisualNarrator.Convert.Modeling;

/// <summary>
/// The fields of HuggingFace's <c>OPTConfig</c> (config.json with <c>"model_type": "opt"</c>) that define the network,
/// with transformers' defaults for absent keys (as modeling_opt.py and configuration_opt.py define them).
/// </summary>
public sealed record OptConfig
{
    /// <summary>The config file name inside a checkpoint folder.</summary>
    public const string FileName = "config.json";

    /// <summary>Rows of the token embedding (50272 for OPT).</summary>
    public int VocabSize { get; init; } = 50272;
    /// <summary>Width of the decoder.</summary>
    public int HiddenSize { get; init; } = 768;
    /// <summary>Decoder layers.</summary>
    public int NumHiddenLayers { get; init; } = 12;
    /// <summary>Attention heads.</summary>
    public int NumAttentionHeads { get; init; } = 12;
    /// <summary>Inner width of the feed-forward network.</summary>
    public int FfnDim { get; init; } = 3072;
    /// <summary>Positions the model was trained for; the position table has two more rows.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;
    /// <summary>Width of the token embedding; when it differs from <see cref="HiddenSize"/> the model has
    /// project_in / project_out (OPT-350m: 512).</summary>
    public int WordEmbedProjDim { get; init; } = 768;
    /// <summary>Pre-LN (true, most OPT sizes) or post-LN (false, OPT-350m).</summary>
    public bool DoLayerNormBefore { get; init; } = true;
    /// <summary>transformers' <c>_remove_final_layer_norm</c>: no LayerNorm after the last layer.</summary>
    public bool RemoveFinalLayerNorm { get; init; }
    /// <summary>Whether linear layers have biases.</summary>
    public bool EnableBias { get; init; } = true;
    /// <summary>Whether LayerNorms have a weight and bias.</summary>
    public bool LayerNormElementwiseAffine { get; init; } = true;
    /// <summary>Whether lm_head shares embed_tokens' weight.</summary>
    public bool TieWordEmbeddings { get; init; } = true;
    /// <summary>FFN activation; only "relu" is supported.</summary>
    public string ActivationFunction { get; init; } = "relu";
    /// <summary>Dropout on attention output and FFN output while training.</summary>
    public double Dropout { get; init; } = 0.1;
    /// <summary>Dropout on attention probabilities while training.</summary>
    public double AttentionDropout { get; init; }
    /// <summary>Standard deviation of the random initialisation.</summary>
    public double InitStd { get; init; } = 0.02;
    /// <summary>Padding token id.</summary>
    public int? PadTokenId { get; init; } = 1;
    /// <summary>Beginning-of-sequence token id.</summary>
    public int? BosTokenId { get; init; } = 2;
    /// <summary>End-of-sequence token id.</summary>
    public int? EosTokenId { get; init; } = 2;
    /// <summary>transformers' torch_dtype (the dtype the weights are stored in), e.g. "float16".</summary>
    public string TorchDtype { get; init; } = "float32";
    /// <summary>transformers' <c>_name_or_path</c>: where the model came from, if recorded.</summary>
    public string? NameOrPath { get; init; }

    /// <summary>Size of one attention head.</summary>
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Whether the model has project_in / project_out.</summary>
    public bool HasProjection => WordEmbedProjDim != HiddenSize;

    /// <summary>Whether the decoder ends with a LayerNorm.</summary>
    public bool HasFinalLayerNorm => DoLayerNormBefore && !RemoveFinalLayerNorm;

    /// <summary>Every published OPT shape (from the published configs, opt-125m ... opt-66b), a tiny one for tests
    /// and the built-in narrator's. <c>opt-350m</c> is the real post-LN model with its 512-wide embedding and
    /// project_in / project_out. Listing them allocates nothing.</summary>
    public static IReadOnlyDictionary<string, OptConfig> Shapes { get; } = new Dictionary<string, OptConfig>
    {
        ["tiny"] = new() { HiddenSize = 64, WordEmbedProjDim = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, FfnDim = 256, MaxPositionEmbeddings = 64 },
        // The built-in narrator (models/): small enough to train from scratch on two CPU cores.
        ["narrator-small"] = new() { HiddenSize = 128, WordEmbedProjDim = 128, NumHiddenLayers = 4, NumAttentionHeads = 4, FfnDim = 512, MaxPositionEmbeddings = 256 },
        ["opt-125m"] = new() { HiddenSize = 768, WordEmbedProjDim = 768, NumHiddenLayers = 12, NumAttentionHeads = 12, FfnDim = 3072 },
        ["opt-350m"] = new() { HiddenSize = 1024, WordEmbedProjDim = 512, NumHiddenLayers = 24, NumAttentionHeads = 16, FfnDim = 4096, DoLayerNormBefore = false },
        ["opt-1.3b"] = new() { HiddenSize = 2048, WordEmbedProjDim = 2048, NumHiddenLayers = 24, NumAttentionHeads = 32, FfnDim = 8192 },
        ["opt-2.7b"] = new() { HiddenSize = 2560, WordEmbedProjDim = 2560, NumHiddenLayers = 32, NumAttentionHeads = 32, FfnDim = 10240 },
        ["opt-6.7b"] = new() { HiddenSize = 4096, WordEmbedProjDim = 4096, NumHiddenLayers = 32, NumAttentionHeads = 32, FfnDim = 16384 },
        ["opt-13b"] = new() { HiddenSize = 5120, WordEmbedProjDim = 5120, NumHiddenLayers = 40, NumAttentionHeads = 40, FfnDim = 20480 },
        ["opt-30b"] = new() { HiddenSize = 7168, WordEmbedProjDim = 7168, NumHiddenLayers = 48, NumAttentionHeads = 56, FfnDim = 28672 },
        ["opt-66b"] = new() { HiddenSize = 9216, WordEmbedProjDim = 9216, NumHiddenLayers = 64, NumAttentionHeads = 72, FfnDim = 36864 },
    };

    /// <summary>Looks a shape up by name.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static OptConfig Shape(string name) =>
        Shapes.TryGetValue(name, out var c) ? c : throw new ArgumentException($"unknown shape '{name}'; known shapes: {string.Join(", ", Shapes.Keys)}");

    /// <summary>Checks the numbers fit together.</summary>
    /// <exception cref="CheckpointException">They do not; the message names the field.</exception>
    public void Validate(string source)
    {
        void Positive(string key, int value)
        {
            if (value <= 0) throw new CheckpointException(source, $"'{key}' is {value}; it must be positive");
        }
        Positive("vocab_size", VocabSize);
        Positive("hidden_size", HiddenSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("ffn_dim", FfnDim);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        Positive("word_embed_proj_dim", WordEmbedProjDim);
        if (HiddenSize % NumAttentionHeads != 0)
            throw new CheckpointException(source, $"'hidden_size' {HiddenSize} is not divisible by 'num_attention_heads' {NumAttentionHeads}");
        if (ActivationFunction != "relu")
            throw new CheckpointException(source, $"'activation_function' is '{ActivationFunction}'; only OPT's 'relu' is supported");
        if (Dropout is < 0 or >= 1 || AttentionDropout is < 0 or >= 1)
            throw new CheckpointException(source, $"'dropout' {Dropout} and 'attention_dropout' {AttentionDropout} must be in [0, 1)");
    }

    /// <summary>Reads config.json from a checkpoint folder (or the file itself).</summary>
    /// <exception cref="CheckpointException">Missing file, invalid JSON, model_type other than "opt", a field of the
    /// wrong type, or inconsistent numbers.</exception>
    public static OptConfig Read(string folderOrFile)
    {
        var path = Directory.Exists(folderOrFile) ? Path.Combine(folderOrFile, FileName) : folderOrFile;
        if (!File.Exists(path)) throw new CheckpointException(path, "the file is missing (is this a HuggingFace checkpoint folder?)");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CheckpointException(path, "is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"not valid JSON: {ex.Message}", ex);
        }
        var modelType = json["model_type"]?.GetValueKind() == JsonValueKind.String ? json["model_type"]!.GetValue<string>() : null;
        if (modelType != "opt")
            throw new CheckpointException(path, modelType is null
                ? "has no 'model_type'; expected \"opt\""
                : $"unsupported model_type '{modelType}'; this tool converts OPT (\"opt\") checkpoints only");

        int Int(string key, int fallback) => json[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue(out int i) => i,
            JsonValue v when v.TryGetValue(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
            var other => throw new CheckpointException(path, $"'{key}' is {other.ToJsonString()}; expected an integer"),
        };
        int? OptionalInt(string key, int? fallback) => json.ContainsKey(key) && json[key] is null ? null : json.ContainsKey(key) ? Int(key, 0) : fallback;
        bool Bool(string key, bool fallback) => json[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue(out bool b) => b,
            var other => throw new CheckpointException(path, $"'{key}' is {other.ToJsonString()}; expected true or false"),
        };
        double Double(string key, double fallback) => json[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue(out double d) => d,
            var other => throw new CheckpointException(path, $"'{key}' is {other.ToJsonString()}; expected a number"),
        };
        string? Str(string key) => json[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            var other => throw new CheckpointException(path, $"'{key}' is {other.ToJsonString()}; expected a string"),
        };

        var hidden = Int("hidden_size", 768);
        var config = new OptConfig
        {
            VocabSize = Int("vocab_size", 50272),
            HiddenSize = hidden,
            NumHiddenLayers = Int("num_hidden_layers", 12),
            NumAttentionHeads = Int("num_attention_heads", 12),
            FfnDim = Int("ffn_dim", 3072),
            MaxPositionEmbeddings = Int("max_position_embeddings", 2048),
            WordEmbedProjDim = Int("word_embed_proj_dim", hidden),
            DoLayerNormBefore = Bool("do_layer_norm_before", true),
            RemoveFinalLayerNorm = Bool("_remove_final_layer_norm", false),
            EnableBias = Bool("enable_bias", true),
            LayerNormElementwiseAffine = Bool("layer_norm_elementwise_affine", true),
            TieWordEmbeddings = Bool("tie_word_embeddings", true),
            ActivationFunction = Str("activation_function") ?? "relu",
            Dropout = Double("dropout", 0.1),
            AttentionDropout = Double("attention_dropout", 0.0),
            InitStd = Double("init_std", 0.02),
            PadTokenId = OptionalInt("pad_token_id", 1),
            BosTokenId = OptionalInt("bos_token_id", 2),
            EosTokenId = OptionalInt("eos_token_id", 2),
            TorchDtype = Str("torch_dtype") ?? Str("dtype") ?? "float32",
            NameOrPath = Str("_name_or_path"),
        };
        config.Validate(path);
        return config;
    }

    /// <summary>Writes config.json as transformers writes it for OPTForCausalLM.</summary>
    public void Write(string path)
    {
        var json = new JsonObject
        {
            ["_name_or_path"] = NameOrPath ?? "",
            ["_remove_final_layer_norm"] = RemoveFinalLayerNorm,
            ["activation_dropout"] = 0.0,
            ["activation_function"] = ActivationFunction,
            ["architectures"] = new JsonArray("OPTForCausalLM"),
            ["attention_dropout"] = AttentionDropout,
            ["bos_token_id"] = BosTokenId,
            ["do_layer_norm_before"] = DoLayerNormBefore,
            ["dropout"] = Dropout,
            ["enable_bias"] = EnableBias,
            ["eos_token_id"] = EosTokenId,
            ["ffn_dim"] = FfnDim,
            ["hidden_size"] = HiddenSize,
            ["init_std"] = InitStd,
            ["layer_norm_elementwise_affine"] = LayerNormElementwiseAffine,
            ["layerdrop"] = 0.0,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["model_type"] = "opt",
            ["num_attention_heads"] = NumAttentionHeads,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["pad_token_id"] = PadTokenId,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["torch_dtype"] = TorchDtype,
            ["use_cache"] = true,
            ["vocab_size"] = VocabSize,
            ["word_embed_proj_dim"] = WordEmbedProjDim,
        };
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>A one-line summary for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"OPT {HiddenSize}x{NumHiddenLayers} ({NumAttentionHeads} heads, ffn {FfnDim}, vocab {VocabSize}, {(DoLayerNormBefore ? "pre-LN" : "post-LN")}{(HasProjection ? $", embed {WordEmbedProjDim}" : "")}{(TieWordEmbeddings ? ", tied" : ", untied")} lm_head)");
}
