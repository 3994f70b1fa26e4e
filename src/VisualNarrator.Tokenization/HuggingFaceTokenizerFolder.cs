using VisualNarrator.Gguf;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VisualNarrator.Tokenization;

/// <summary>
/// Reads and writes a Hugging Face GPT-2 style tokenizer folder: <c>vocab.json</c>, <c>merges.txt</c>,
/// <c>tokenizer_config.json</c> and (optional) <c>special_tokens_map.json</c>.
/// </summary>
public static class HuggingFaceTokenizerFolder
{
    /// <summary>Token to id map.</summary>
    public const string VocabFile = "vocab.json";

    /// <summary>BPE merges, one <c>"left right"</c> per line after a <c>#version</c> line.</summary>
    public const string MergesFile = "merges.txt";

    /// <summary>Tokenizer settings: add_bos_token, bos/eos/unk/pad tokens, added_tokens_decoder.</summary>
    public const string ConfigFile = "tokenizer_config.json";

    /// <summary>Optional special-token names; overrides the same keys of <see cref="ConfigFile"/>, as transformers does.</summary>
    public const string SpecialTokensMapFile = "special_tokens_map.json";

    private static readonly string[] SpecialKeys = ["bos_token", "eos_token", "unk_token", "pad_token"];

    /// <summary>
    /// Reads a folder. vocab.json ids may have gaps, which become unused <c>[PAD{id}]</c> tokens. The bos, eos, unk and
    /// pad tokens (a string or an AddedToken object with "content"; absent bos/eos/unk default to
    /// <c>&lt;|endoftext|&gt;</c> when the vocabulary has it, as GPT2Tokenizer does), additional_special_tokens and
    /// added_tokens_decoder entries with "special": true become control tokens; other added_tokens_decoder entries
    /// become user-defined tokens. add_bos_token defaults to false.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The validated specification; its <see cref="TokenizerSpec.Source"/> is the folder.</returns>
    /// <exception cref="TokenizerFormatException">A file is missing or malformed; the exception names the file.</exception>
    public static TokenizerSpec Read(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string dir = Path.GetFullPath(directory);
        if (!Directory.Exists(dir))
        {
            throw new TokenizerFormatException(dir, "folder", "does not exist");
        }
        string vocabPath = Path.Combine(dir, VocabFile);
        string mergesPath = Path.Combine(dir, MergesFile);
        string configPath = Path.Combine(dir, ConfigFile);
        string mapPath = Path.Combine(dir, SpecialTokensMapFile);

        List<string?> tokens = ReadVocab(vocabPath);
        var types = new List<TokenType>(tokens.Count);
        for (int id = 0; id < tokens.Count; id++)
        {
            types.Add(tokens[id] is null ? TokenType.Unused : TokenType.Normal);
        }
        (List<string> merges, List<int> mergeLines) = ReadMerges(mergesPath);

        JsonObject config = ReadJsonObject(configPath, required: true)!;
        JsonObject? map = ReadJsonObject(mapPath, required: false);

        // added_tokens_decoder: {"50265": {"content": "...", "special": true}, ...}
        if (config["added_tokens_decoder"] is JsonNode addedNode)
        {
            if (addedNode is not JsonObject added)
            {
                throw new TokenizerFormatException(configPath, "added_tokens_decoder", "is not an object");
            }
            foreach (var (key, value) in added)
            {
                string field = $"added_tokens_decoder.{key}";
                if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                {
                    throw new TokenizerFormatException(configPath, field, "the key is not a token id");
                }
                string content = TokenContent(value, configPath, field)
                    ?? throw new TokenizerFormatException(configPath, field, "has no content");
                bool special = value is JsonObject o && o["special"] is JsonValue s && s.TryGetValue(out bool b) && b;
                while (tokens.Count <= id)
                {
                    tokens.Add(null);
                    types.Add(TokenType.Unused);
                }
                if (tokens[id] is string existing && existing != content)
                {
                    throw new TokenizerFormatException(configPath, field, $"says id {id} is '{content}' but {VocabFile} has '{existing}'");
                }
                tokens[id] = content;
                types[id] = special ? TokenType.Control : TokenType.UserDefined;
            }
        }

        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++)
        {
            if (tokens[id] is string t)
            {
                ids.TryAdd(t, id);
            }
        }

        var specialIds = new Dictionary<string, int?>();
        foreach (string key in SpecialKeys)
        {
            (JsonNode? node, bool present, string file) = map is not null && map.ContainsKey(key)
                ? (map[key], true, mapPath)
                : (config[key], config.ContainsKey(key), configPath);
            string? content = present
                ? TokenContent(node, file, key)
                : key != "pad_token" && ids.ContainsKey(Gpt2Ranks.EndOfTextToken) ? Gpt2Ranks.EndOfTextToken : null;
            if (content is null)
            {
                specialIds[key] = null;
                continue;
            }
            if (!ids.TryGetValue(content, out int id))
            {
                throw new TokenizerFormatException(file, key, $"'{content}' is not in {VocabFile}");
            }
            specialIds[key] = id;
            types[id] = TokenType.Control;
        }

        foreach ((JsonObject? obj, string file) in new[] { (config, configPath), (map, mapPath) })
        {
            if (obj?["additional_special_tokens"] is not JsonNode extra)
            {
                continue;
            }
            if (extra is not JsonArray list)
            {
                throw new TokenizerFormatException(file, "additional_special_tokens", "is not an array");
            }
            for (int i = 0; i < list.Count; i++)
            {
                string field = $"additional_special_tokens[{i}]";
                string content = TokenContent(list[i], file, field) ?? throw new TokenizerFormatException(file, field, "is null");
                if (!ids.TryGetValue(content, out int id))
                {
                    throw new TokenizerFormatException(file, field, $"'{content}' is not in {VocabFile}");
                }
                types[id] = TokenType.Control;
            }
        }

        bool addBos = false;
        if (config["add_bos_token"] is JsonNode addBosNode)
        {
            if (addBosNode is not JsonValue v || !v.TryGetValue(out addBos))
            {
                throw new TokenizerFormatException(configPath, "add_bos_token", $"{addBosNode.ToJsonString()} is not true or false");
            }
        }

        var finalTokens = new string[tokens.Count];
        for (int id = 0; id < tokens.Count; id++)
        {
            finalTokens[id] = tokens[id] ?? string.Format(CultureInfo.InvariantCulture, TokenizerSpec.PaddingTokenFormat, id);
        }

        try
        {
            return new TokenizerSpec(dir, finalTokens, types, merges,
                specialIds["bos_token"], specialIds["eos_token"], specialIds["pad_token"], specialIds["unk_token"], addBos);
        }
        catch (TokenizerFormatException e)
        {
            // Point at the file that holds the bad data.
            if (e.Field.StartsWith("merges[", StringComparison.Ordinal))
            {
                int index = int.Parse(e.Field.AsSpan(7, e.Field.Length - 8), CultureInfo.InvariantCulture);
                throw new TokenizerFormatException(mergesPath, $"line {mergeLines[index]}", e.Problem, e);
            }
            string file = e.Field.StartsWith("token", StringComparison.Ordinal) ? vocabPath : configPath;
            throw new TokenizerFormatException(file, e.Field, e.Problem, e);
        }
    }

    /// <summary>
    /// Writes <paramref name="spec"/> as a Hugging Face GPT2Tokenizer folder: vocab.json (every token except unused
    /// ones, by id), merges.txt (<c>#version: 0.2</c> then the merges), tokenizer_config.json (add_bos_token,
    /// bos/eos/unk/pad, added_tokens_decoder for control and user-defined tokens, tokenizer_class GPT2Tokenizer) and
    /// special_tokens_map.json. <see cref="Read"/> gives the same specification back, except that unused tokens at
    /// the end are not written (pad again with <see cref="TokenizerSpec.PadTo"/>).
    /// </summary>
    /// <param name="spec">The tokenizer.</param>
    /// <param name="directory">Target folder; created if missing, the four files are overwritten.</param>
    public static void Write(TokenizerSpec spec, string directory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        var vocab = new JsonObject();
        var added = new JsonObject();
        for (int id = 0; id < spec.Count; id++)
        {
            TokenType type = spec.TokenTypes[id];
            if (type == TokenType.Unused)
            {
                continue;
            }
            vocab[spec.Tokens[id]] = id;
            if (type is TokenType.Control or TokenType.UserDefined or TokenType.Unknown)
            {
                added[id.ToString(CultureInfo.InvariantCulture)] = new JsonObject
                {
                    ["content"] = spec.Tokens[id],
                    ["lstrip"] = false,
                    ["normalized"] = type == TokenType.UserDefined,
                    ["rstrip"] = false,
                    ["single_word"] = false,
                    ["special"] = type != TokenType.UserDefined,
                };
            }
        }
        AtomicFile.WriteAllText(Path.Combine(directory, VocabFile), vocab.ToJsonString(options));

        var merges = new StringBuilder("#version: 0.2\n");
        foreach (string merge in spec.Merges)
        {
            merges.Append(merge).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(directory, MergesFile), merges.ToString());

        string? Name(int? id) => id is int i ? spec.Tokens[i] : null;
        var config = new JsonObject
        {
            ["add_bos_token"] = spec.AddBosToken,
            ["add_prefix_space"] = false,
            ["added_tokens_decoder"] = added,
            ["bos_token"] = Name(spec.BosId),
            ["eos_token"] = Name(spec.EosId),
            ["unk_token"] = Name(spec.UnkId),
            ["pad_token"] = Name(spec.PadId),
            ["errors"] = "replace",
            ["tokenizer_class"] = "GPT2Tokenizer",
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), config.ToJsonString(options));

        var map = new JsonObject();
        foreach ((string key, int? id) in new[] { ("bos_token", spec.BosId), ("eos_token", spec.EosId), ("unk_token", spec.UnkId), ("pad_token", spec.PadId) })
        {
            if (id is not null)
            {
                map[key] = Name(id);
            }
        }
        AtomicFile.WriteAllText(Path.Combine(directory, SpecialTokensMapFile), map.ToJsonString(options));
    }

    private static string StripPrefix(TokenizerFormatException e) =>
        e.Message[(e.DataSource.Length + e.Field.Length + 4)..];

    private static List<string?> ReadVocab(string path)
    {
        if (!File.Exists(path))
        {
            throw new TokenizerFormatException(Path.GetDirectoryName(path)!, VocabFile, "the file is missing");
        }
        var byId = new SortedDictionary<int, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerFormatException(path, "(root)", $"expected an object of token to id, found {doc.RootElement.ValueKind}");
            }
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                {
                    throw new TokenizerFormatException(path, p.Name, $"id {p.Value.GetRawText()} is not a non-negative integer");
                }
                if (!seen.Add(p.Name))
                {
                    throw new TokenizerFormatException(path, p.Name, "the token appears twice");
                }
                if (!byId.TryAdd(id, p.Name))
                {
                    throw new TokenizerFormatException(path, p.Name, $"id {id} is also given to '{byId[id]}'");
                }
            }
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, "JSON", $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
        if (byId.Count == 0)
        {
            throw new TokenizerFormatException(path, "(root)", "the vocabulary is empty");
        }
        var tokens = new List<string?>(new string?[byId.Keys.Last() + 1]);
        foreach (var (id, token) in byId)
        {
            tokens[id] = token;
        }
        return tokens;
    }

    private static (List<string> Merges, List<int> Lines) ReadMerges(string path)
    {
        if (!File.Exists(path))
        {
            throw new TokenizerFormatException(Path.GetDirectoryName(path)!, MergesFile, "the file is missing");
        }
        var merges = new List<string>(50000);
        var lines = new List<int>(50000);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
            {
                continue;
            }
            string[] parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new TokenizerFormatException(path, $"line {lineNumber}", $"'{line}' is not two tokens separated by one space");
            }
            merges.Add(line);
            lines.Add(lineNumber);
        }
        return (merges, lines);
    }

    private static JsonObject? ReadJsonObject(string path, bool required)
    {
        if (!File.Exists(path))
        {
            return required
                ? throw new TokenizerFormatException(Path.GetDirectoryName(path)!, Path.GetFileName(path), "the file is missing")
                : null;
        }
        try
        {
            return JsonNode.Parse(File.ReadAllText(path, Encoding.UTF8)) as JsonObject
                ?? throw new TokenizerFormatException(path, "(root)", "is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, "JSON", $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
    }

    private static string? TokenContent(JsonNode? node, string file, string field) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonObject o when o["content"] is JsonValue c && c.TryGetValue(out string? s) => s,
        _ => throw new TokenizerFormatException(file, field, $"{node.ToJsonString()} is neither a string nor an object with a \"content\" string"),
    };
}
