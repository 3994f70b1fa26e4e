using System.Text.Json;
using VisualNarrator.Engine.Generation;

namespace VisualNarrator.Evaluation.Sets;

/// <summary>Finds and reads evaluation sets (JSONL).</summary>
public static class EvalSets
{
    /// <summary>The file of <paramref name="set"/>: a bare name (letters, digits, '-', '_': "test", "validation",
    /// "seed-benchmark", "train", or any other set the data folder holds) is <c>NAME.jsonl</c> in the folder
    /// <paramref name="dataFolder"/> gives (asked only then); anything else is a path.</summary>
    public static string Resolve(string set, Func<string> dataFolder)
    {
        if (!IsName(set)) return Path.GetFullPath(set);
        return Path.Combine(Path.GetFullPath(dataFolder()), set + ".jsonl");
    }

    /// <summary>Whether <paramref name="set"/> names a set in the data folder rather than a file.</summary>
    public static bool IsName(string set) =>
        set.Length > 0 && set.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Reads a set: one JSON object per line (blank lines skipped) with a string "id", optional
    /// "scene_type", a "prompt" or a "scene", and optionally "references" (strings) or "description" and "keywords".
    /// Either every item has references or none has. Problems throw <see cref="InvalidDataException"/> with
    /// "FILE:LINE: problem" (or "FILE: problem").</summary>
    public static List<EvalItem> Read(string path, bool requireTexts = false)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"set {path}: is a folder, not a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        // A FIFO or device reports a length of 0 and would block or read forever.
        if (new FileInfo(path).Length == 0) throw new InvalidDataException($"set {path}: the file is empty (or not a regular file such as a pipe or device)");
        var items = new List<EvalItem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int n = 0;
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException ex)
        {
            throw new InvalidDataException($"{path}: cannot be read ({ex.Message})", ex);
        }
        foreach (var raw in lines)
        {
            n++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(raw);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{n}: not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')})", ex);
            }
            using (doc)
            {
                var item = Parse(doc.RootElement, path, n);
                if (!ids.Add(item.Id)) throw new InvalidDataException($"{path}:{n}: id '{item.Id}' appears twice");
                if (requireTexts && item.Texts.Count == 0)
                    throw new InvalidDataException($"{path}:{n}: needs a \"description\" or \"references\"");
                if (items.Count > 0 && (items[0].Texts.Count > 0) != (item.Texts.Count > 0))
                    throw new InvalidDataException(item.Texts.Count == 0
                        ? $"{path}:{n}: has no \"references\" or \"description\" but line {items[0].Line} has"
                        : $"{path}:{n}: has references but line {items[0].Line} has none");
                items.Add(item);
            }
        }
        if (items.Count == 0) throw new InvalidDataException($"{path}: no items");
        return items;
    }

    private static EvalItem Parse(JsonElement r, string path, int n)
    {
        if (r.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}:{n}: expected a JSON object, found {r.ValueKind.ToString().ToLowerInvariant()}");
        string? Str(string name, bool required)
        {
            if (!r.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
                return required ? throw new InvalidDataException($"{path}:{n}: \"{name}\" is missing") : null;
            if (v.ValueKind != JsonValueKind.String) throw new InvalidDataException($"{path}:{n}: \"{name}\" must be a string, found {v.ValueKind.ToString().ToLowerInvariant()}");
            var s = v.GetString()!;
            if (string.IsNullOrWhiteSpace(s)) throw new InvalidDataException($"{path}:{n}: \"{name}\" is empty");
            return s;
        }
        List<string> Strings(string name)
        {
            if (!r.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return [];
            if (v.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{path}:{n}: \"{name}\" must be an array of strings, found {v.ValueKind.ToString().ToLowerInvariant()}");
            var list = new List<string>();
            foreach (var e in v.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString()))
                    throw new InvalidDataException($"{path}:{n}: \"{name}\" must hold non-empty strings, found {(e.ValueKind == JsonValueKind.String ? "an empty string" : e.ValueKind.ToString().ToLowerInvariant())}");
                list.Add(e.GetString()!);
            }
            return list;
        }

        var id = Str("id", required: true)!;
        var sceneType = Str("scene_type", required: false) ?? "unspecified";
        var prompt = Str("prompt", required: false);
        var scene = Str("scene", required: false);
        if (prompt is null && scene is null) throw new InvalidDataException($"{path}:{n}: needs a \"prompt\" or a \"scene\"");
        prompt ??= PromptTemplates.Apply(PromptTemplates.Describe, scene!);
        scene ??= SceneOf(prompt);
        var references = Strings("references");
        if (r.TryGetProperty("references", out var refs) && refs.ValueKind == JsonValueKind.Array && references.Count == 0)
            throw new InvalidDataException($"{path}:{n}: \"references\" is empty");
        if (references.Count == 0 && Str("description", required: false) is { } description) references.Add(description);
        return new EvalItem(n, id, sceneType, scene, prompt, references, Strings("keywords"));
    }

    /// <summary>The scene of a prompt: the text after the first ':' ("Describe this image: a cat"), or after
    /// "... shows" ("This image shows a cat"), or the whole prompt.</summary>
    public static string SceneOf(string prompt)
    {
        var colon = prompt.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) return prompt[(colon + 1)..].Trim();
        var shows = prompt.IndexOf(" shows ", StringComparison.OrdinalIgnoreCase);
        return shows >= 0 ? prompt[(shows + 7)..].Trim() : prompt.Trim();
    }
}

