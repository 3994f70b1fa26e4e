using System.Text.Json;

namespace VisualNarrator.Evaluation;

/// <summary>
/// Reads coco-format caption files. References: a JSON object <c>{"id": ["caption", ...], ...}</c> with at least one
/// caption per id. Results: <c>{"id": "caption"}</c> or <c>{"id": ["caption"]}</c> (exactly one caption) per id.
/// </summary>
public static class CaptionFiles
{
    /// <summary>Reads a references file; order of ids is the file's order.</summary>
    public static IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> ReadReferences(string path)
    {
        var result = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        foreach (var (id, value) in ReadObject(path))
        {
            if (value.ValueKind != JsonValueKind.Array)
                throw new CaptionFileException(path, $"id '{id}': expected an array of caption strings, found {Kind(value)}");
            var captions = new List<string>();
            foreach (var c in value.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.String)
                    throw new CaptionFileException(path, $"id '{id}': expected caption strings, found {Kind(c)}");
                captions.Add(c.GetString()!);
            }
            if (captions.Count == 0) throw new CaptionFileException(path, $"id '{id}' has no reference captions");
            result.Add(new(id, captions));
        }
        return result;
    }

    /// <summary>Reads a results file: one candidate caption per id, as a string or a one-element array.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ReadResults(string path)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (id, value) in ReadObject(path))
        {
            string caption = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Array when value.GetArrayLength() == 1 && value[0].ValueKind == JsonValueKind.String => value[0].GetString()!,
                JsonValueKind.Array => throw new CaptionFileException(path,
                    $"id '{id}': expected exactly one caption string, found an array of {value.GetArrayLength()} element(s)" +
                    (value.GetArrayLength() == 1 ? $" holding {Kind(value[0])}" : "")),
                _ => throw new CaptionFileException(path, $"id '{id}': expected a caption string, found {Kind(value)}"),
            };
            result.Add(new(id, caption));
        }
        return result;
    }

    /// <summary>
    /// Pairs references and results by id (in the references' order) after tokenizing every caption with
    /// <paramref name="tokenize"/>. Ids present in only one file are an error naming the file that lacks them.
    /// </summary>
    public static IReadOnlyList<CaptionItem> Join(
        string referencesPath, IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> references,
        string resultsPath, IReadOnlyList<KeyValuePair<string, string>> results,
        Func<string, IReadOnlyList<string>> tokenize)
    {
        var res = results.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var refIds = references.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var missingInResults = references.Where(p => !res.ContainsKey(p.Key)).Select(p => p.Key).ToList();
        if (missingInResults.Count > 0)
            throw new CaptionFileException(resultsPath, $"no caption for {Describe(missingInResults)} that {referencesPath} has");
        var missingInRefs = results.Where(p => !refIds.Contains(p.Key)).Select(p => p.Key).ToList();
        if (missingInRefs.Count > 0)
            throw new CaptionFileException(referencesPath, $"no references for {Describe(missingInRefs)} that {resultsPath} has");
        return references.Select(p => new CaptionItem(
            p.Key,
            p.Value.Select(tokenize).ToList(),
            tokenize(res[p.Key]))).ToList();
    }

    private static string Describe(List<string> ids) =>
        (ids.Count == 1 ? "id " : $"{ids.Count} ids ") + string.Join(", ", ids.Take(3).Select(i => $"'{i}'")) + (ids.Count > 3 ? ", ..." : "");

    private static List<KeyValuePair<string, JsonElement>> ReadObject(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CaptionFileException(path, $"cannot read: {ex.Message}", ex);
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new CaptionFileException(path, $"not valid JSON: {ex.Message}", ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CaptionFileException(path, $"expected a JSON object mapping ids to captions, found {Kind(doc.RootElement)}");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<KeyValuePair<string, JsonElement>>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw new CaptionFileException(path, $"id '{p.Name}' appears twice");
                list.Add(new(p.Name, p.Value.Clone()));
            }
            if (list.Count == 0) throw new CaptionFileException(path, "no ids: the caption set is empty");
            return list;
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };
}
