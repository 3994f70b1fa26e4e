using System.Text;
using System.Text.Json;

namespace VisualNarrator.Engine.Generation;

/// <summary>One scene of a batch file.</summary>
/// <param name="Id">The file's id for it, or its 1-based position.</param>
/// <param name="Scene">A scene or a full prompt.</param>
public sealed record SceneItem(string Id, string Scene);

/// <summary>One narrated scene of a batch.</summary>
/// <param name="Id">The scene's id.</param>
/// <param name="Scene">The scene as given.</param>
/// <param name="Prompt">The prompt sent to the model.</param>
/// <param name="Narration">The narration (empty when it failed).</param>
/// <param name="Finish">"stop", "length", "cancelled" or "error".</param>
/// <param name="Seed">The seed it was sampled with.</param>
/// <param name="GeneratedTokens">Tokens generated.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record SceneResult(string Id, string Scene, string Prompt, string Narration, string Finish, uint Seed, int GeneratedTokens, string? Error);

/// <summary>Batch captioning files: scenes in (.txt one per line, .csv with a <c>scene</c> column, .jsonl with a
/// <c>scene</c> field), narrations out (.jsonl, .csv). Shared by the CLI's <c>describe --input</c> and the web app.</summary>
public static class SceneFile
{
    /// <summary>Extensions <see cref="Parse"/> reads.</summary>
    public static IReadOnlyList<string> InputExtensions { get; } = [".txt", ".csv", ".jsonl"];

    /// <summary>Reads scenes from a file's text; <paramref name="name"/> (its file name) picks the format and names the
    /// file in errors. Blank lines are skipped.</summary>
    /// <exception cref="FormatException">The format is unknown, a line is malformed, a scene is missing, or there are
    /// more than <paramref name="maxScenes"/>; the message names the file and the line.</exception>
    public static IReadOnlyList<SceneItem> Parse(string name, string text, int maxScenes = 10_000)
    {
        var ext = Path.GetExtension(name).ToLowerInvariant();
        var items = ext switch
        {
            ".txt" => Lines(text).Select(l => new SceneItem(l.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), l.Text.Trim())).ToList(),
            ".csv" => ParseCsv(name, text),
            ".jsonl" => ParseJsonl(name, text),
            _ => throw new FormatException($"{name}: unknown scene file type '{ext}'; expected .txt (one scene a line), .csv (a 'scene' column) or .jsonl (a 'scene' field)"),
        };
        if (items.Count == 0) throw new FormatException($"{name}: no scenes found");
        if (items.Count > maxScenes) throw new FormatException($"{name}: {items.Count} scenes; at most {maxScenes} per batch");
        return items;
    }

    private static IEnumerable<(int Number, string Text)> Lines(string text) =>
        text.Split('\n').Select((l, i) => (Number: i + 1, Text: l.TrimEnd('\r'))).Where(l => l.Text.Trim().Length > 0);

    private static List<SceneItem> ParseJsonl(string name, string text)
    {
        var items = new List<SceneItem>();
        foreach (var (number, line) in Lines(text))
        {
            JsonElement e;
            try { e = JsonDocument.Parse(line).RootElement; }
            catch (JsonException ex) { throw new FormatException($"{name}, line {number}: not JSON ({ex.Message})"); }
            if (e.ValueKind == JsonValueKind.String)
            {
                items.Add(new SceneItem(number.ToString(System.Globalization.CultureInfo.InvariantCulture), e.GetString()!.Trim()));
                continue;
            }
            if (e.ValueKind != JsonValueKind.Object)
                throw new FormatException($"{name}, line {number}: expected an object with a \"scene\" string (or a JSON string)");
            var scene = Field(e, "scene") ?? Field(e, "prompt")
                ?? throw new FormatException($"{name}, line {number}: no \"scene\" (or \"prompt\") string");
            var id = e.TryGetProperty("id", out var idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : idValue.GetRawText()
                : number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            items.Add(new SceneItem(id, scene.Trim()));
        }
        return items;
    }

    private static string? Field(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>RFC 4180 CSV with a header row naming a <c>scene</c> (or <c>prompt</c>) column and optionally an
    /// <c>id</c> column.</summary>
    private static List<SceneItem> ParseCsv(string name, string text)
    {
        var rows = CsvRows(name, text).Where(r => r.Fields.Any(f => f.Trim().Length > 0)).ToList();
        if (rows.Count == 0) return [];
        var header = rows[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var sceneColumn = header.IndexOf("scene") is >= 0 and var s ? s : header.IndexOf("prompt");
        if (sceneColumn < 0) throw new FormatException($"{name}, line 1: the header needs a 'scene' column, got {string.Join(", ", header.Select(h => $"'{h}'"))}");
        var idColumn = header.IndexOf("id");
        var items = new List<SceneItem>();
        foreach (var (line, fields) in rows.Skip(1))
        {
            if (sceneColumn >= fields.Count || fields[sceneColumn].Trim().Length == 0)
                throw new FormatException($"{name}, line {line}: the 'scene' column is empty");
            var id = idColumn >= 0 && idColumn < fields.Count && fields[idColumn].Trim().Length > 0 ? fields[idColumn].Trim() : (items.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            items.Add(new SceneItem(id, fields[sceneColumn].Trim()));
        }
        return items;
    }

    private static IEnumerable<(int Line, List<string> Fields)> CsvRows(string name, string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0: quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return (rowLine, fields);
                    fields = [];
                    line++;
                    rowLine = line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (quoted) throw new FormatException($"{name}, line {rowLine}: a quoted field is not closed");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (rowLine, fields);
        }
    }

    /// <summary>Results as JSON lines: <c>{"id", "scene", "prompt", "narration", "finish", "seed", "generated_tokens", "error"}</c>.</summary>
    public static string ToJsonl(IEnumerable<SceneResult> results)
    {
        var options = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var s = new StringBuilder();
        foreach (var r in results)
            s.Append(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = r.Id, ["scene"] = r.Scene, ["prompt"] = r.Prompt, ["narration"] = r.Narration, ["finish"] = r.Finish,
                ["seed"] = r.Seed, ["generated_tokens"] = r.GeneratedTokens, ["error"] = r.Error,
            }, options)).Append('\n');
        return s.ToString();
    }

    /// <summary>Results as CSV (RFC 4180, header <c>id,scene,narration,finish,seed,generated_tokens,error</c>).</summary>
    public static string ToCsv(IEnumerable<SceneResult> results)
    {
        static string Q(string? v) => v is null ? "" : v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
        var s = new StringBuilder("id,scene,narration,finish,seed,generated_tokens,error\n");
        foreach (var r in results)
            s.Append(string.Join(',', Q(r.Id), Q(r.Scene), Q(r.Narration.Trim()), Q(r.Finish), r.Seed, r.GeneratedTokens, Q(r.Error))).Append('\n');
        return s.ToString();
    }

    /// <summary>Writes results in the format the output path's extension names (.jsonl or .csv), to a temp file that is
    /// then renamed, so a failed run never leaves half a file.</summary>
    /// <exception cref="FormatException">The extension is neither.</exception>
    public static void Write(string path, IEnumerable<SceneResult> results)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var text = ext switch
        {
            ".jsonl" => ToJsonl(results),
            ".csv" => ToCsv(results),
            _ => throw new FormatException($"{path}: unknown output type '{ext}'; expected .jsonl or .csv"),
        };
        var temp = path + ".tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
