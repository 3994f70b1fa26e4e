using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using VisualNarrator.Convert.Modeling;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.HuggingFace;

/// <summary>How a checkpoint's weights are stored.</summary>
public enum WeightFormat
{
    /// <summary>safetensors (model.safetensors, adapter_model.safetensors).</summary>
    Safetensors,
    /// <summary>torch.save zip archive (pytorch_model.bin, adapter_model.bin).</summary>
    TorchBin,
}

/// <summary>A loaded HuggingFace OPT checkpoint: its config, the model in fp32, and where the weights came from.</summary>
public sealed class LoadedCheckpoint(string folder, OptConfig config, OptForCausalLM model, IReadOnlyList<string> files, IReadOnlySet<string> storedDTypes) : IDisposable
{
    /// <summary>The checkpoint folder.</summary>
    public string Folder { get; } = folder;
    /// <summary>config.json.</summary>
    public OptConfig Config { get; } = config;
    /// <summary>The model, weights in fp32.</summary>
    public OptForCausalLM Model { get; } = model;
    /// <summary>The weight files read.</summary>
    public IReadOnlyList<string> Files { get; } = files;
    /// <summary>safetensors dtype names the weights were stored in (F16, BF16, F32, ...).</summary>
    public IReadOnlySet<string> StoredDTypes { get; } = storedDTypes;

    /// <summary>The dtype most checkpoints of this one would be saved in again: F16 or BF16 when every weight was
    /// stored so, else F32.</summary>
    public ScalarType StoredType => StoredDTypes.Count == 1 && StoredDTypes.Single() is "F16" ? ScalarType.Float16
        : StoredDTypes.Count == 1 && StoredDTypes.Single() is "BF16" ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Reads and writes HuggingFace OPT checkpoint folders: config.json plus model.safetensors, pytorch_model.bin, or
/// either sharded with its index json (model.safetensors.index.json, pytorch_model.bin.index.json); weights stored as
/// F16, BF16, F32 or F64 load into an fp32 model; keys with or without the leading <c>model.</c> are accepted. Key
/// matching is strict: any missing or unexpected key, or a shape that differs from config.json's, is an error that
/// lists them.
/// </summary>
public static class HfCheckpoint
{
    /// <summary>Single-file safetensors weights.</summary>
    public const string SafetensorsName = "model.safetensors";
    /// <summary>Index of sharded safetensors weights.</summary>
    public const string SafetensorsIndexName = "model.safetensors.index.json";
    /// <summary>Single-file torch.save weights.</summary>
    public const string BinName = "pytorch_model.bin";
    /// <summary>Index of sharded torch.save weights.</summary>
    public const string BinIndexName = "pytorch_model.bin.index.json";

    /// <summary>Tokenizer and generation files copied along with a checkpoint.</summary>
    public static IReadOnlyList<string> SideFiles { get; } =
        ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json", "added_tokens.json", "generation_config.json"];

    private const int MaxListed = 8;

    /// <summary>Finds the weight files of a folder (safetensors preferred, as transformers does) and, for sharded
    /// checkpoints, checks the index.</summary>
    /// <returns>The files, and the key → file map of an index (null for single files).</returns>
    /// <exception cref="CheckpointException">No weights, an unreadable index, or a shard the index names is missing.</exception>
    public static (IReadOnlyList<string> Files, IReadOnlyDictionary<string, string>? Index) FindWeights(string folder, string single = SafetensorsName,
        string singleBin = BinName)
    {
        if (!Directory.Exists(folder)) throw new CheckpointException(folder, "the folder does not exist");
        var safetensors = Path.Combine(folder, single);
        var bin = Path.Combine(folder, singleBin);
        if (File.Exists(safetensors)) return ([safetensors], null);
        var stIndex = Path.Combine(folder, SafetensorsIndexName);
        if (single == SafetensorsName && File.Exists(stIndex)) return ReadIndex(stIndex);
        if (File.Exists(bin)) return ([bin], null);
        var binIndex = Path.Combine(folder, BinIndexName);
        if (singleBin == BinName && File.Exists(binIndex)) return ReadIndex(binIndex);
        throw new CheckpointException(folder, single == SafetensorsName
            ? $"no weights: expected {SafetensorsName}, {SafetensorsIndexName}, {BinName} or {BinIndexName}"
            : $"no weights: expected {single} or {singleBin}");
    }

    private static (IReadOnlyList<string>, IReadOnlyDictionary<string, string>) ReadIndex(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CheckpointException(path, "is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"not valid JSON: {ex.Message}", ex);
        }
        if (json["weight_map"] is not JsonObject map || map.Count == 0)
            throw new CheckpointException(path, "has no 'weight_map' object of tensor name → shard file");
        var index = new Dictionary<string, string>(StringComparer.Ordinal);
        var dir = Path.GetDirectoryName(path)!;
        foreach (var (key, value) in map)
        {
            if (value is not JsonValue v || !v.TryGetValue(out string? file) || string.IsNullOrEmpty(file) || file.Contains('/') || file.Contains('\\') || file.StartsWith('.'))
                throw new CheckpointException(path, $"weight_map['{key}'] is not a shard file name in the same folder");
            index[key] = file;
        }
        var files = index.Values.Distinct().Order(StringComparer.Ordinal).Select(f => Path.Combine(dir, f)).ToList();
        foreach (var f in files)
            if (!File.Exists(f)) throw new CheckpointException(path, $"names shard '{Path.GetFileName(f)}', which is missing");
        return (files, index);
    }

    /// <summary>Streams the tensors of weight files in their stored dtype, one at a time for safetensors (one file at a
    /// time for .bin). The caller owns (and should dispose) each tensor. With an index, every key must be in the shard
    /// the index names, and every indexed key must be found.</summary>
    public static IEnumerable<(string Key, Tensor Value, string File)> ReadTensors(IReadOnlyList<string> files, IReadOnlyDictionary<string, string>? index = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file.EndsWith(".safetensors", StringComparison.Ordinal))
            {
                var st = SafetensorsFile.Open(file);
                using var stream = File.OpenRead(file);
                foreach (var entry in st.Entries)
                {
                    CheckIndexed(entry.Name, file, index, seen);
                    yield return (entry.Name, st.Read(entry, stream), file);
                }
            }
            else
            {
                var all = TorchBinFile.Read(file);
                try
                {
                    foreach (var key in all.Keys.Order(StringComparer.Ordinal).ToList())
                    {
                        CheckIndexed(key, file, index, seen);
                        var t = all[key];
                        all.Remove(key);
                        yield return (key, t, file);
                    }
                }
                finally
                {
                    foreach (var t in all.Values) t.Dispose();
                }
            }
        }
        if (index is not null)
        {
            var absent = index.Keys.Where(k => !seen.Contains(k)).Take(MaxListed).ToList();
            if (absent.Count > 0)
                throw new CheckpointException(files[0], $"the index lists tensors its shards do not hold: {string.Join(", ", absent)}");
        }
    }

    private static void CheckIndexed(string key, string file, IReadOnlyDictionary<string, string>? index, HashSet<string> seen)
    {
        if (!seen.Add(key)) throw new CheckpointException(file, $"tensor '{key}' appears in more than one weight file");
        if (index is not null && (!index.TryGetValue(key, out var shard) || shard != Path.GetFileName(file)))
            throw new CheckpointException(file, $"holds tensor '{key}', which the index {(shard is null ? "does not list" : $"puts in '{shard}'")}");
    }

    /// <summary>The model key a checkpoint key stands for: <c>decoder.X</c> (older checkpoints) becomes <c>model.decoder.X</c>.</summary>
    public static string NormalizeKey(string key) => key.StartsWith("decoder.", StringComparison.Ordinal) ? "model." + key : key;

    /// <summary>Loads a checkpoint folder into an fp32 model with strict key matching.</summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="progress">Fraction of the expected tensors loaded.</param>
    /// <exception cref="CheckpointException">A file is missing or corrupt, model_type is not opt, or the weights do
    /// not match config.json (missing / unexpected keys, shape mismatch, non-float dtype).</exception>
    public static LoadedCheckpoint Load(string folder, IProgress<double>? progress = null)
    {
        folder = Path.GetFullPath(folder);
        var config = OptConfig.Read(folder);
        var (files, index) = FindWeights(folder);
        var model = new OptForCausalLM(config);
        try
        {
            var dtypes = LoadInto(model, files, index, folder, progress);
            model.eval();
            return new LoadedCheckpoint(folder, config, model, files, dtypes);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static HashSet<string> LoadInto(OptForCausalLM model, IReadOnlyList<string> files, IReadOnlyDictionary<string, string>? index,
        string folder, IProgress<double>? progress)
    {
        var config = model.Config;
        var expected = model.BaseParameters().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var shapes = new List<string>();
        var dtypes = new HashSet<string>(StringComparer.Ordinal);
        Tensor? tiedHead = null;
        try
        {
            foreach (var (fileKey, tensor, file) in ReadTensors(files, index))
            {
                using var _ = tensor;
                var key = NormalizeKey(fileKey);
                if (!tensor.is_floating_point())
                    throw new CheckpointException(file, $"tensor '{fileKey}' is {tensor.dtype}; weights must be floating point (F16, BF16, F32)");
                if (key == "lm_head.weight" && config.TieWordEmbeddings)
                {
                    // transformers ties it to embed_tokens and ignores the stored copy; we check that they agree.
                    tiedHead = tensor.to(ScalarType.Float32);
                    continue;
                }
                if (!expected.TryGetValue(key, out var parameter))
                {
                    unexpected.Add(fileKey);
                    continue;
                }
                if (!loaded.Add(key))
                    throw new CheckpointException(file, $"tensor '{fileKey}' is stored twice (with and without the 'model.' prefix)");
                if (!tensor.shape.SequenceEqual(parameter.shape))
                {
                    shapes.Add($"{fileKey} is [{string.Join(", ", tensor.shape)}] but config.json gives [{string.Join(", ", parameter.shape)}]");
                    continue;
                }
                dtypes.Add(SafetensorsFile.DTypeName(tensor.dtype));
                using (no_grad()) parameter.copy_(tensor);
                progress?.Report((double)loaded.Count / expected.Count);
            }
            var missing = expected.Keys.Where(k => !loaded.Contains(k)).ToList();
            if (missing.Count + unexpected.Count + shapes.Count > 0)
            {
                var parts = new List<string>();
                if (missing.Count > 0) parts.Add($"missing keys ({missing.Count}): {List(missing)}");
                if (unexpected.Count > 0) parts.Add($"unexpected keys ({unexpected.Count}): {List(unexpected)}");
                if (shapes.Count > 0) parts.Add($"shape mismatches ({shapes.Count}): {List(shapes)}");
                throw new CheckpointException(folder, $"the weights do not match config.json ({config}): {string.Join("; ", parts)}");
            }
            if (tiedHead is not null)
            {
                using var __ = no_grad();
                if (!tiedHead.shape.SequenceEqual(model.Decoder.EmbedTokens.shape) || !tiedHead.eq(model.Decoder.EmbedTokens).all().item<bool>())
                    throw new CheckpointException(folder, "lm_head.weight differs from model.decoder.embed_tokens.weight although config.json says tie_word_embeddings is true");
            }
            return dtypes;
        }
        finally
        {
            tiedHead?.Dispose();
        }
    }

    private static string List(IReadOnlyCollection<string> items) =>
        string.Join(", ", items.Take(MaxListed)) + (items.Count > MaxListed ? $", ... ({items.Count - MaxListed} more)" : "");

    /// <summary>Writes a checkpoint folder: config.json (torch_dtype set to <paramref name="dtype"/>), the base
    /// weights (no LoRA) as model.safetensors or pytorch_model.bin, and the tokenizer side files copied from
    /// <paramref name="sideFilesFrom"/> when given.</summary>
    public static void Save(OptForCausalLM model, string folder, ScalarType dtype = ScalarType.Float32, WeightFormat format = WeightFormat.Safetensors,
        string? sideFilesFrom = null, string? nameOrPath = null, IProgress<double>? progress = null)
    {
        Directory.CreateDirectory(folder);
        var config = model.Config with
        {
            TorchDtype = dtype switch { ScalarType.Float16 => "float16", ScalarType.BFloat16 => "bfloat16", _ => "float32" },
            NameOrPath = nameOrPath ?? model.Config.NameOrPath,
        };
        config.Write(Path.Combine(folder, OptConfig.FileName));
        var parameters = model.BaseParameters().ToList();
        if (format == WeightFormat.Safetensors)
        {
            var done = 0;
            SafetensorsFile.Write(Path.Combine(folder, SafetensorsName),
                [.. parameters.Select(p => (p.Key, p.Value.shape, dtype, (Func<Tensor>)(() =>
                {
                    progress?.Report((double)++done / parameters.Count);
                    return p.Value;
                })))]);
        }
        else
        {
            using var scope = NewDisposeScope();
            TorchBinFile.Write(Path.Combine(folder, BinName), parameters.Select(p => (p.Key, p.Value.detach().to(dtype))));
        }
        if (sideFilesFrom is not null) CopySideFiles(sideFilesFrom, folder);
    }

    /// <summary>Copies the tokenizer and generation files that exist in <paramref name="from"/>.</summary>
    public static void CopySideFiles(string from, string to)
    {
        foreach (var name in SideFiles)
        {
            var source = Path.Combine(from, name);
            if (File.Exists(source)) File.Copy(source, Path.Combine(to, name), overwrite: true);
        }
    }
}
