using System.Text.Json;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Api;

/// <summary>A parsed <c>/v1/completions</c> or <c>/v1/chat/completions</c> request. Sampling fields follow OpenAI and
/// llama.cpp's server; fields not given take the <c>preset</c> (an extension: narrator, seed, greedy or creative; default
/// narrator). Unknown fields are ignored, as OpenAI-compatible servers do.</summary>
/// <param name="Prompt">The prompt to narrate from (for chat: the last user message, as a scene or a full prompt).</param>
/// <param name="Sampling">Sampling settings (not yet validated: the engine validates and names the field).</param>
/// <param name="Stream">Answer as server-sent events.</param>
/// <param name="IncludeUsage">stream_options.include_usage: a last chunk with token counts.</param>
/// <param name="Model">The model asked for, or null.</param>
/// <param name="User">OpenAI's <c>user</c> field: the end user, used for fair queueing.</param>
/// <param name="Logprobs">Null: no log probabilities; n: the chosen token's log probability and the n most likely
/// alternatives per token (completions: <c>logprobs: n</c>; chat: <c>logprobs: true, top_logprobs: n</c>).</param>
public sealed record ApiRequest(string Prompt, SamplingSettings Sampling, bool Stream, bool IncludeUsage, string? Model, string? User, int? Logprobs = null)
{
    /// <summary>Most alternatives per token <c>logprobs</c> / <c>top_logprobs</c> may ask for (OpenAI's limit).</summary>
    public const int MaxTopLogprobs = 20;

    /// <summary>API field name for each engine setting (<see cref="SamplingSetting.ApiName"/> by
    /// <see cref="SamplingSetting.Name"/>), so errors name the field the client sent.</summary>
    public static IReadOnlyDictionary<string, string> FieldNames { get; } =
        SamplingSettingTable.All.ToDictionary(r => r.Name, r => r.ApiName, StringComparer.Ordinal);

    /// <summary>Parses and type-checks a request body.</summary>
    /// <exception cref="ApiError">400 naming the field for a missing or mistyped field.</exception>
    public static ApiRequest Parse(JsonElement body, bool chat, PromptFormat? prompts = null)
    {
        if (body.ValueKind != JsonValueKind.Object) throw Bad("the request body must be a JSON object", null);
        var r = new Reader(body);
        var s = ParseSampling(body);
        if (r.Int("n") is int n && n != 1) throw Bad($"'n' must be 1 (one narration per request), got {n}", "n");
        var stream = r.Bool("stream") ?? false;
        var includeUsage = false;
        if (body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object)
            includeUsage = new Reader(so).Bool("include_usage") ?? false;
        int? logprobs;
        if (chat)
        {
            var top = r.Int("top_logprobs");
            var on = r.Bool("logprobs") ?? false;
            if (top is not null && !on) throw Bad("'top_logprobs' needs 'logprobs': true", "top_logprobs");
            if (top is < 0 or > MaxTopLogprobs) throw Bad($"'top_logprobs' must be from 0 to {MaxTopLogprobs}, got {top}", "top_logprobs");
            logprobs = on ? top ?? 0 : null;
        }
        else
        {
            logprobs = r.Int("logprobs");
            if (logprobs is < 0 or > MaxTopLogprobs) throw Bad($"'logprobs' must be from 0 to {MaxTopLogprobs}, got {logprobs}", "logprobs");
        }
        var prompt = chat ? ChatPrompt(body, prompts ?? PromptFormat.Seed) : CompletionPrompt(body);
        return new ApiRequest(prompt, s, stream, includeUsage, r.String("model"), r.String("user"), logprobs);
    }

    /// <summary>The sampling fields of a request body (also those of <c>/api/narrate/batch</c>); a field not given takes
    /// the <c>preset</c>'s value, and the seed, when not given, is drawn at random.</summary>
    /// <exception cref="ApiError">400 naming a mistyped field or an unknown preset.</exception>
    public static SamplingSettings ParseSampling(JsonElement body)
    {
        var r = new Reader(body);
        var presetName = r.String("preset") ?? SamplingPresetTable.DefaultName;
        if (!SamplingPresetTable.ByName.TryGetValue(presetName, out var s))
            throw Bad($"'preset' must be one of {string.Join(", ", SamplingPresetTable.ByName.Keys)}, got '{presetName}'", "preset");
        // As OpenAI: without a seed each request draws its own (the same seed repeats a narration).
        s = s with { Seed = RandomSeed() };
        foreach (var row in SamplingSettingTable.All) s = Read(r, row, s);
        return s;
    }

    /// <summary>A row's value from the first of its API names that is given; the settings unchanged when none is.</summary>
    private static SamplingSettings Read(Reader r, SamplingSetting row, SamplingSettings s) => row switch
    {
        SamplingSetting<float> f => First(row, r.Float) is float v ? f.With(s, v) : s,
        SamplingSetting<int> i => First(row, r.Int) is int v ? i.With(s, v) : s,
        SamplingSetting<uint> u => First(row, r.Seed) is uint v ? u.With(s, v) : s,
        SamplingSetting<bool> b => First(row, r.Bool) is bool v ? b.With(s, v) : s,
        SamplingSetting<IReadOnlyList<string>> list => row.ApiNames.Select(r.Stop).FirstOrDefault(v => v is not null) is { } v ? list.With(s, v) : s,
        _ => throw new NotSupportedException($"No API form for {row.Name} ({row.ValueType.Name})."),
    };

    /// <summary>Reads the names in order and stops at the first one given (a later alias is not even type-checked).</summary>
    private static T? First<T>(SamplingSetting row, Func<string, T?> read) where T : struct
    {
        foreach (var name in row.ApiNames)
            if (read(name) is T v) return v;
        return null;
    }

    private static string CompletionPrompt(JsonElement body)
    {
        if (!body.TryGetProperty("prompt", out var p) || p.ValueKind == JsonValueKind.Null)
            throw Bad("'prompt' is required", "prompt");
        if (p.ValueKind == JsonValueKind.String) return Text(p, "prompt");
        if (p.ValueKind == JsonValueKind.Array && p.GetArrayLength() == 1 && p[0].ValueKind == JsonValueKind.String) return Text(p[0], "prompt");
        throw Bad("'prompt' must be a string (or an array holding one string)", "prompt");
    }

    /// <summary>OPT is no chat model: the last user message is the scene or prompt; a bare scene goes into the
    /// default template, as in the app.</summary>
    private static string ChatPrompt(JsonElement body, PromptFormat prompts)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw Bad("'messages' must be a non-empty array of {role, content}", "messages");
        string? last = null;
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                throw Bad($"messages[{i}] needs a string 'role'", "messages");
            if (Text(role, "messages") == "user")
                last = m.TryGetProperty("content", out var c) ? Content(c, i) : null;
            i++;
        }
        try
        {
            return prompts.ToPrompt(last ?? throw Bad("'messages' has no user message with text content", "messages"));
        }
        catch (NarrationRejectedException ex)
        {
            throw Bad($"invalid 'messages': {ex.Message}", "messages");
        }
    }

    /// <summary>A message's text: a string, or the text parts of a content-parts array (other parts, such as images,
    /// are skipped; a malformed part is refused).</summary>
    private static string? Content(JsonElement c, int message)
    {
        if (c.ValueKind == JsonValueKind.String) return Text(c, "messages");
        if (c.ValueKind != JsonValueKind.Array) return null;
        var texts = new List<string>();
        var j = 0;
        foreach (var part in c.EnumerateArray())
        {
            var at = $"messages[{message}].content[{j++}]";
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw Bad($"{at} must be an object with a string 'type' (e.g. {{\"type\": \"text\", \"text\": \"...\"}})", "messages");
            if (!type.ValueEquals("text")) continue;
            if (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                throw Bad($"{at}.text must be a string", "messages");
            texts.Add(Text(text, "messages"));
        }
        var joined = string.Join("\n", texts);
        return joined.Length == 0 ? null : joined;
    }

    /// <summary>A JSON string as .NET text. JSON may carry text that is no valid Unicode (a lone surrogate escape such as
    /// <c>\ud800</c>, raw invalid UTF-8): refused, naming the field, rather than failing inside the server.</summary>
    private static string Text(JsonElement value, string param)
    {
        try { return value.GetString()!; }
        catch (InvalidOperationException)
        {
            throw Bad($"'{param}' is not valid Unicode text (it holds a lone surrogate escape or invalid UTF-8)", param);
        }
    }

    private static ApiError Bad(string message, string? param) => new(400, message, param);

    private static uint RandomSeed() => (uint)Random.Shared.NextInt64(0, uint.MaxValue);

    private readonly struct Reader(JsonElement body)
    {
        private JsonElement? Get(string name) =>
            body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        public float? Float(string name)
        {
            if (Get(name) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d)) throw Bad($"'{name}' must be a number", name);
            return (float)d;
        }

        public int? Int(string name)
        {
            if (Get(name) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i)) throw Bad($"'{name}' must be an integer", name);
            return i;
        }

        public uint? Seed(string name)
        {
            if (Get(name) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var i)) throw Bad($"'{name}' must be an integer", name);
            // llama.cpp takes -1 for "random"; the engine wants an explicit seed, so draw one here.
            if (i == -1) return RandomSeed();
            if (i < 0 || i >= uint.MaxValue) throw Bad($"'{name}' must be in [0, {uint.MaxValue - 1}] (or -1 for a random seed), got {i}", name);
            return (uint)i;
        }

        public bool? Bool(string name)
        {
            if (Get(name) is not { } v) return null;
            if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Bad($"'{name}' must be true or false", name);
            return v.GetBoolean();
        }

        public string? String(string name)
        {
            if (Get(name) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.String) throw Bad($"'{name}' must be a string", name);
            return Text(v, name);
        }

        public IReadOnlyList<string>? Stop(string name)
        {
            if (Get(name) is not { } v) return null;
            if (v.ValueKind == JsonValueKind.String) return [Text(v, name)];
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw Bad($"'{name}' must be a string or an array of strings", name);
            // Counted before converting: a million stop strings are refused without building them.
            if (v.GetArrayLength() > SamplingSettings.MaxStopStrings)
                throw Bad($"'{name}' has {v.GetArrayLength()} entries; at most {SamplingSettings.MaxStopStrings} are allowed", name);
            return v.EnumerateArray().Select(e => Text(e, name)).ToArray();
        }
    }
}
