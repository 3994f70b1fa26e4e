using System.Text.Json;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Api;

/// <summary><c>POST /api/narrate/batch</c>: many scenes in one request, narrated through the shared engine; the answer
/// streams one JSON line per scene, in the request's order (<c>application/x-ndjson</c>).</summary>
public static class BatchApi
{
    /// <summary>Most scenes one request may hold.</summary>
    public const int MaxScenes = 1000;

    /// <summary>Maps the endpoint (the access-key middleware guards it like every route but <c>/health</c>).</summary>
    public static void MapBatchApi(this WebApplication app) => app.MapPost("/api/narrate/batch", Narrate);

    /// <summary>Body: <c>{"scenes": ["a scene" | {"id", "scene"}], "template": "describe", ...sampling fields as for
    /// /v1/completions}</c>. Each line of the answer: <c>{"id", "scene", "prompt", "narration", "finish", "seed",
    /// "generated_tokens", "error"}</c>; a given <c>seed</c> is used for every scene, otherwise each draws its own.</summary>
    private static async Task Narrate(HttpContext context, INarrator narrator)
    {
        var aborted = context.RequestAborted;
        List<BatchItem> items;
        SamplingSettings settings;
        bool fixedSeed;
        try
        {
            JsonElement body;
            try
            {
                using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: aborted);
                body = doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new ApiError(400, $"the request body is not valid JSON: {ex.Message}");
            }
            if (body.ValueKind != JsonValueKind.Object) throw new ApiError(400, "the request body must be a JSON object");
            settings = ApiRequest.ParseSampling(body);
            fixedSeed = body.TryGetProperty("seed", out var seed) && seed.ValueKind == JsonValueKind.Number;
            var prompts = narrator.Prompts;
            var templateName = body.TryGetProperty("template", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : prompts.DefaultName;
            string template;
            try { template = prompts.Template(templateName); }
            catch (NarrationRejectedException ex) { throw new ApiError(400, ex.Message, "template"); }
            items = BatchNarration.Items(Scenes(body), template, prompts.Templates.Values);
            try { settings.Validate(); }
            catch (NarrationRejectedException ex)
            {
                var param = ApiRequest.FieldNames.GetValueOrDefault(ex.Field, ex.Field);
                throw new ApiError(400, $"invalid '{param}': {ex.Message}", param);
            }
        }
        catch (ApiError error)
        {
            await error.WriteAsync(context);
            return;
        }

        context.Response.ContentType = "application/x-ndjson";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.StartAsync(aborted);
        var client = "batch:api:" + (context.Connection.RemoteIpAddress?.ToString() ?? "?");
        // Scenes run a few at a time; lines are written in the request's order as they become ready.
        var done = items.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var running = BatchNarration.RunAsync(narrator, client, items, settings, fixedSeed, item =>
        {
            if (item.Status is not (BatchStatus.Waiting or BatchStatus.Running)) done[items.IndexOf(item)].TrySetResult();
            return Task.CompletedTask;
        }, aborted);
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                await done[i].Task.WaitAsync(aborted);
                await context.Response.WriteAsync(SceneFile.ToJsonl([items[i].Result!]), aborted);
                await context.Response.Body.FlushAsync(aborted);
            }
            await running;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; its narrations were cancelled with the request.
        }
    }

    private static List<SceneItem> Scenes(JsonElement body)
    {
        if (!body.TryGetProperty("scenes", out var scenes) || scenes.ValueKind != JsonValueKind.Array || scenes.GetArrayLength() == 0)
            throw new ApiError(400, "'scenes' must be a non-empty array of scenes (strings or {\"id\", \"scene\"})", "scenes");
        if (scenes.GetArrayLength() > MaxScenes) throw new ApiError(400, $"'scenes' has {scenes.GetArrayLength()} scenes; at most {MaxScenes} per request", "scenes");
        var items = new List<SceneItem>();
        foreach (var s in scenes.EnumerateArray())
        {
            var number = (items.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (id, text) = s.ValueKind switch
            {
                JsonValueKind.String => (number, s.GetString()),
                JsonValueKind.Object => (s.TryGetProperty("id", out var i) && i.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    ? i.ValueKind == JsonValueKind.String ? i.GetString()! : i.GetRawText() : number,
                    s.TryGetProperty("scene", out var sc) && sc.ValueKind == JsonValueKind.String ? sc.GetString() : null),
                _ => (number, null),
            };
            if (string.IsNullOrWhiteSpace(text)) throw new ApiError(400, $"'scenes' item {number} has no scene text", "scenes");
            items.Add(new SceneItem(id, text.Trim()));
        }
        return items;
    }
}
