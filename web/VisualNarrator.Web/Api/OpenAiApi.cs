using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Api;

/// <summary>The OpenAI-compatible HTTP API (<c>GET /v1/models</c>, <c>POST /v1/completions</c>,
/// <c>POST /v1/chat/completions</c>, <c>stream: true</c> as server-sent events) and <c>GET /health</c>.</summary>
public static class OpenAiApi
{
    /// <summary>Serializer settings of every API answer.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.General)
    {
        // Answers are JSON for programs, never embedded in HTML: keep quotes and non-ASCII text readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Maps the endpoints.</summary>
    public static void MapNarratorApi(this WebApplication app)
    {
        app.MapGet("/health", (INarrator narrator, IOptions<NarratorOptions> options) =>
        {
            var s = narrator.Status;
            var body = new
            {
                status = s.State switch { NarratorState.Ready => "ok", NarratorState.Loading => "loading", _ => "no-model" },
                message = s.Message,
                model = s.Model is { } m ? Describe(m) : null,
                models_folder = s.ModelsFolder,
                running = s.Running,
                waiting = s.Waiting,
                runs_on = s.RunsOn,
                devices = Devices(options.Value),
            };
            return Results.Json(body, Json, statusCode: s.Model is null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        });

        var v1 = app.MapGroup("/v1").AddEndpointFilter(async (context, next) =>
        {
            var key = context.HttpContext.RequestServices.GetRequiredService<IOptions<NarratorOptions>>().Value.ApiKey;
            if (!string.IsNullOrEmpty(key) && !Authorized(context.HttpContext.Request, key))
                return Results.Json(new ApiError(401, "missing or wrong API key: send 'Authorization: Bearer KEY'", null, "invalid_request_error", "invalid_api_key").Body,
                    Json, statusCode: StatusCodes.Status401Unauthorized);
            return await next(context);
        });
        v1.MapGet("/models", (INarrator narrator) =>
        {
            var status = narrator.Status;
            var data = narrator.ListModels().Where(m => m.Problem is null).Select(m => new
            {
                id = m.Name,
                @object = "model",
                created = new DateTimeOffset(File.GetLastWriteTimeUtc(m.FullPath)).ToUnixTimeSeconds(),
                owned_by = "visual-narrator",
                loaded = m.FullPath == status.Model?.FullPath,
                meta = Describe(m),
            });
            return Results.Json(new { @object = "list", data }, Json);
        });
        v1.MapPost("/completions", (HttpContext context, INarrator narrator, ModelCatalog catalog) => Complete(context, narrator, catalog, chat: false));
        v1.MapPost("/chat/completions", (HttpContext context, INarrator narrator, ModelCatalog catalog) => Complete(context, narrator, catalog, chat: true));
    }

    private static object Describe(ModelInfo m) => new
    {
        name = m.Name,
        architecture = m.Architecture,
        quantization = m.Quantization,
        file_bytes = m.FileBytes,
        context_length = m.ContextLength,
    };

    /// <summary>The ggml devices with free and total memory (after loading the configured backend libraries), or
    /// <c>{"error"}</c>: health must answer even where the native libraries cannot load.</summary>
    private static object? Devices(NarratorOptions options)
    {
        try
        {
            foreach (var path in options.BackendPaths) GgmlBackends.Load(path);
            return GgmlDevice.All.Select(d =>
            {
                var (free, total) = d.Memory;
                return new { name = d.Name, type = d.Type.ToString().ToLowerInvariant(), description = d.Description, free, total };
            }).ToList();
        }
        catch (Exception ex) when (ex is DllNotFoundException or FileNotFoundException or InvalidDataException or PlatformNotSupportedException)
        {
            return new { error = ex.Message };
        }
    }

    private static bool Authorized(HttpRequest request, string key)
    {
        var header = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)) return false;
        var given = Encoding.UTF8.GetBytes(header[bearer.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(key));
    }

    private static async Task Complete(HttpContext context, INarrator narrator, ModelCatalog catalog, bool chat)
    {
        var aborted = context.RequestAborted;
        NarrationRun run;
        ApiRequest request;
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
            request = ApiRequest.Parse(body, chat);
            CheckModel(request.Model, narrator, catalog);
            var client = "api:" + (request.User ?? context.Connection.RemoteIpAddress?.ToString() ?? "?");
            try
            {
                run = narrator.Submit(client, new NarrationRequest(request.Prompt, request.Sampling, narrator.Limits.MaxPromptTokens, Alternatives: 0), aborted);
            }
            catch (ArgumentException ex)
            {
                var param = ex.ParamName is { } p ? ApiRequest.FieldNames.GetValueOrDefault(p, chat && p == "prompt" ? "messages" : p) : null;
                throw new ApiError(400, param is null ? Messages.Of(ex) : $"invalid '{param}': {Messages.Of(ex)}", param);
            }
            catch (ServerBusyException ex)
            {
                throw new ApiError(503, ex.Message, null, "server_error", "server_busy");
            }
            catch (InvalidOperationException ex)
            {
                throw new ApiError(503, ex.Message, null, "server_error", "model_not_loaded");
            }
        }
        catch (ApiError error)
        {
            await error.WriteAsync(context);
            return;
        }

        var id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N")[..24];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        try
        {
            if (request.Stream) await StreamAsync(context, run, request, chat, id, created, aborted);
            else
            {
                NarrationResult result;
                try { result = await run.Completion; }
                catch (ArgumentException ex)
                {
                    // The model changed between the checks and the start (e.g. a smaller context).
                    await new ApiError(400, Messages.Of(ex), null).WriteAsync(context);
                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    await new ApiError(500, $"the narration failed: {ex.Message}", null, "server_error").WriteAsync(context);
                    return;
                }
                object choice = chat
                    ? new { index = 0, message = new { role = "assistant", content = result.Text }, logprobs = (object?)null, finish_reason = Finish(result.Finish) }
                    : new { index = 0, text = result.Text, logprobs = (object?)null, finish_reason = Finish(result.Finish) };
                await context.Response.WriteAsJsonAsync(new
                {
                    id,
                    @object = chat ? "chat.completion" : "text_completion",
                    created,
                    model = run.Model,
                    choices = new[] { choice },
                    usage = Usage(result),
                    timings = Timings(result),
                }, Json, aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; the narration was cancelled with the request.
        }
    }

    private static void CheckModel(string? asked, INarrator narrator, ModelCatalog catalog)
    {
        var loaded = narrator.Status.Model;
        if (string.IsNullOrEmpty(asked) || loaded is null) return;
        if (asked == loaded.Name || asked + ".gguf" == loaded.Name || asked == Path.GetFileNameWithoutExtension(loaded.Name)) return;
        ModelInfo info;
        try { info = catalog.Resolve(asked.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) ? asked : asked + ".gguf"); }
        catch (ModelPathException ex)
        {
            throw new ApiError(404, $"the model '{asked}' does not exist: {ex.Message}", "model", "invalid_request_error", "model_not_found");
        }
        if (info.FullPath != loaded.FullPath)
            throw new ApiError(400, $"the model '{asked}' is not loaded; this server is serving '{loaded.Name}' (switch models in the app's model picker)", "model", "invalid_request_error", "model_not_loaded");
    }

    private static async Task StreamAsync(HttpContext context, NarrationRun run, ApiRequest request, bool chat, string id, long created, CancellationToken aborted)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var kind = chat ? "chat.completion.chunk" : "text_completion";

        async Task Send(object payload)
        {
            await response.WriteAsync("data: " + JsonSerializer.Serialize(payload, Json) + "\n\n", aborted);
            await response.Body.FlushAsync(aborted);
        }

        object Chunk(string? text, string? finish, bool first = false) => chat
            ? new
            {
                id, @object = kind, created, model = run.Model,
                choices = new[] { new { index = 0, delta = first ? new { role = "assistant", content = "" } : text is null ? (object)new { } : new { content = text }, logprobs = (object?)null, finish_reason = finish } },
            }
            : new
            {
                id, @object = kind, created, model = run.Model,
                choices = new[] { new { index = 0, text = text ?? "", logprobs = (object?)null, finish_reason = finish } },
            };

        await response.StartAsync(aborted);
        try
        {
            if (chat) await Send(Chunk(null, null, first: true));
            await foreach (var piece in run.Pieces.WithCancellation(aborted))
                if (piece.Text.Length > 0) await Send(Chunk(piece.Text, null));
            var result = await run.Completion;
            await Send(Chunk(null, Finish(result.Finish)));
            if (request.IncludeUsage)
                await Send(new { id, @object = kind, created, model = run.Model, choices = Array.Empty<object>(), usage = Usage(result), timings = Timings(result) });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await Send(new ApiError(500, $"the narration failed: {ex.Message}", null, "server_error").Body);
        }
        await response.WriteAsync("data: [DONE]\n\n", aborted);
        await response.Body.FlushAsync(aborted);
    }

    private static string Finish(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    private static object Usage(NarrationResult r) => new
    {
        prompt_tokens = r.Timings.PromptTokens,
        completion_tokens = r.Timings.GeneratedTokens,
        total_tokens = r.Timings.PromptTokens + r.Timings.GeneratedTokens,
    };

    /// <summary>llama.cpp server's timings extension, plus queue wait.</summary>
    private static object Timings(NarrationResult r) => new
    {
        prompt_n = r.Timings.PromptTokens,
        prompt_dropped = r.Timings.PromptTokensDropped,
        predicted_n = r.Timings.GeneratedTokens,
        queue_ms = r.Timings.QueueWait.TotalMilliseconds,
        ttft_ms = r.Timings.TimeToFirstToken.TotalMilliseconds,
        total_ms = r.Timings.Total.TotalMilliseconds,
        predicted_per_second = r.Timings.DecodeTokensPerSecond,
    };
}
