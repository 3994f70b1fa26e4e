using System.Text.Json;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Api;

/// <summary>llama.cpp server's <c>POST /tokenize</c> and <c>POST /detokenize</c> with the loaded model's tokenizer, and
/// <c>GET /metrics</c> in Prometheus' text format.</summary>
public static class LlamaCppApi
{
    /// <summary>Most token ids one <c>/detokenize</c> request may hold.</summary>
    public const int MaxTokens = 100_000;

    /// <summary>Maps the endpoints (the access-key middleware guards them like every route but <c>/health</c>).</summary>
    public static void MapLlamaCppApi(this WebApplication app)
    {
        app.MapPost("/tokenize", (HttpContext context, NarratorEngine engine) => Tokenize(context, engine));
        app.MapPost("/detokenize", (HttpContext context, NarratorEngine engine) => Detokenize(context, engine));
        app.MapGet("/metrics", (INarrator narrator, ServerMetrics metrics) =>
            Results.Text(metrics.Write(narrator.Status), "text/plain; version=0.0.4; charset=utf-8"));
    }

    /// <summary><c>{"content": "text", "add_special": false, "with_pieces": false}</c> →
    /// <c>{"tokens": [ids]}</c>, or with pieces <c>{"tokens": [{"id", "piece"}]}</c>.</summary>
    private static async Task<IResult> Tokenize(HttpContext context, NarratorEngine engine)
    {
        try
        {
            var body = await ReadAsync(context);
            var content = body.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()!
                : throw new ApiError(400, "'content' must be a string", "content");
            var addSpecial = Bool(body, "add_special");
            var withPieces = Bool(body, "with_pieces");
            var limit = context.RequestServices.GetRequiredService<INarrator>().Limits.MaxPromptCharacters * 8;
            if (content.Length > limit) throw new ApiError(400, $"'content' has {content.Length} characters; the limit is {limit}", "content");
            var tokenizer = engine.Tokenizer ?? throw new ApiError(503, "no model is loaded", null, "server_error", "model_not_loaded");
            var ids = tokenizer.Encode(content, addSpecialTokens: addSpecial);
            object tokens = withPieces ? ids.Select(id => new { id, piece = tokenizer.Decode([id], skipSpecial: false) }).ToArray() : ids;
            return Results.Json(new { tokens }, OpenAiApi.Json);
        }
        catch (ApiError error)
        {
            return Results.Json(error.Body, OpenAiApi.Json, statusCode: error.Status);
        }
    }

    /// <summary><c>{"tokens": [ids]}</c> → <c>{"content": "text"}</c>; every id must be a valid id of the model.</summary>
    private static async Task<IResult> Detokenize(HttpContext context, NarratorEngine engine)
    {
        try
        {
            var body = await ReadAsync(context);
            if (!body.TryGetProperty("tokens", out var t) || t.ValueKind != JsonValueKind.Array)
                throw new ApiError(400, "'tokens' must be an array of token ids", "tokens");
            if (t.GetArrayLength() > MaxTokens) throw new ApiError(400, $"'tokens' has {t.GetArrayLength()} ids; the limit is {MaxTokens}", "tokens");
            var tokenizer = engine.Tokenizer ?? throw new ApiError(503, "no model is loaded", null, "server_error", "model_not_loaded");
            var ids = new List<int>();
            foreach (var e in t.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var id) || id < 0 || id >= tokenizer.VocabularySize)
                    throw new ApiError(400, $"'tokens' holds {e.GetRawText()}; token ids are integers from 0 to {tokenizer.VocabularySize - 1}", "tokens");
                ids.Add(id);
            }
            return Results.Json(new { content = tokenizer.Decode(ids) }, OpenAiApi.Json);
        }
        catch (ApiError error)
        {
            return Results.Json(error.Body, OpenAiApi.Json, statusCode: error.Status);
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpContext context)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone()
                : throw new ApiError(400, "the request body must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ApiError(400, $"the request body is not valid JSON: {ex.Message}");
        }
    }

    private static bool Bool(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw new ApiError(400, $"'{name}' must be true or false", name)
            : false;
}
