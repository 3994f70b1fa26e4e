using System.Text.Json;
using VisualNarrator.Engine.Inference;
using Microsoft.Extensions.Options;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Access;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Api;

/// <summary>The OpenAI-compatible HTTP API (<c>GET /v1/models</c>, <c>POST /v1/completions</c>,
/// <c>POST /v1/chat/completions</c>, <c>stream: true</c> as server-sent events) and <c>GET /health</c>. The access key
/// is checked for every route by <see cref="StudioAccess"/>; failures are answered by <see cref="JsonErrors"/>.</summary>
public static class OpenAiApi
{
    /// <summary>Deepest JSON nesting a request may use (no field needs more than 4).</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>Serializer settings of every API answer.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.General)
    {
        // Answers are JSON for programs, never embedded in HTML: keep quotes and non-ASCII text readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Maps the endpoints.</summary>
    public static void MapNarratorApi(this WebApplication app)
    {
        app.MapGet("/health", (HttpContext context, INarrator narrator, AccessKey access, IOptions<NarratorOptions> options) =>
        {
            var s = narrator.Status;
            var status = s.State switch
            {
                NarratorState.Ready => "ok", NarratorState.Loading => "loading", NarratorState.Unhealthy => "error", _ => "no-model",
            };
            var code = s.Model is null || s.State == NarratorState.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            var unhealthy = s.State == NarratorState.Unhealthy;
            // Without the key (when one is set) only the bare state: no model names, no messages.
            if (!access.Allows(context))
                return unhealthy
                    ? Results.Json(new { status, error = new { type = "server_error", code = "model_error" } }, Json, statusCode: code)
                    : Results.Json(new { status }, Json, statusCode: code);
            var body = new
            {
                status,
                message = s.Message,
                model = s.Model is { } m ? Describe(m) : null,
                models_folder = s.ModelsFolder,
                running = s.Running,
                waiting = s.Waiting,
                error = unhealthy ? new { message = s.Message, type = "server_error", code = "model_error" } : null,
                runs_on = s.RunsOn,
                devices = Devices(options.Value),
            };
            return Results.Json(body, Json, statusCode: code);
        });

        var v1 = app.MapGroup("/v1");
        v1.MapGet("/models", (INarrator narrator) =>
        {
            var status = narrator.Status;
            var data = narrator.ListModels().Where(m => m.Problem is null).Select(m => ModelObject(m, status));
            return Results.Json(new { @object = "list", data }, Json);
        });
        // Ids are paths relative to the models folder and may hold '/'.
        v1.MapGet("/models/{**id}", (string id, INarrator narrator) =>
        {
            var status = narrator.Status;
            var model = narrator.ListModels().FirstOrDefault(m => m.Problem is null && m.Name == id);
            return model is null
                ? Results.Json(new ApiError(404, $"the model '{id}' does not exist", "model", "invalid_request_error", "model_not_found").Body, Json, statusCode: StatusCodes.Status404NotFound)
                : Results.Json(ModelObject(model, status), Json);
        });
        v1.MapPost("/completions", (HttpContext context, INarrator narrator, ModelCatalog catalog) => Complete(context, narrator, catalog, chat: false));
        v1.MapPost("/chat/completions", (HttpContext context, INarrator narrator, ModelCatalog catalog) => Complete(context, narrator, catalog, chat: true));
        app.MapLlamaCppApi();
        app.MapBatchApi();
    }

    private static object ModelObject(ModelInfo m, NarratorStatus status) => new
    {
        id = m.Name,
        @object = "model",
        created = new DateTimeOffset(File.GetLastWriteTimeUtc(m.FullPath)).ToUnixTimeSeconds(),
        owned_by = "visual-narrator",
        loaded = m.FullPath == status.Model?.FullPath,
        meta = Describe(m),
    };

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
                using var doc = await JsonDocument.ParseAsync(context.Request.Body, new JsonDocumentOptions { MaxDepth = MaxJsonDepth }, aborted);
                body = doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new ApiError(400, $"the request body is not valid JSON: {ex.Message}");
            }
            request = ApiRequest.Parse(body, chat, narrator.Prompts);
            CheckModel(request.Model, narrator, catalog);
            var client = "api:" + (request.User ?? context.Connection.RemoteIpAddress?.ToString() ?? "?");
            try
            {
                run = narrator.Submit(client, new NarrationRequest(request.Prompt, request.Sampling, narrator.Limits.MaxPromptTokens, Alternatives: request.Logprobs ?? 0), aborted);
            }
            catch (NarrationRejectedException ex)
            {
                var param = ParamOf(ex.Field, chat);
                throw new ApiError(400, $"invalid '{param}': {ex.Message}", param);
            }
            catch (ServerBusyException ex)
            {
                throw new ApiError(503, ex.Message, null, "server_error", "server_busy");
            }
            catch (ModelOutputException ex)
            {
                throw JsonErrors.ModelError(ex);
            }
            catch (NoModelLoadedException ex)
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
                var pieces = new List<NarrationPiece>();
                try
                {
                    // Log probabilities need the pieces; otherwise the result alone is enough.
                    if (request.Logprobs is not null)
                        await foreach (var piece in run.Pieces.WithCancellation(aborted)) pieces.Add(piece);
                    result = await run.Completion;
                }
                catch (ModelOutputException ex)
                {
                    await JsonErrors.ModelError(ex).WriteAsync(context);
                    return;
                }
                catch (NarrationRejectedException ex)
                {
                    // The model changed between the checks and the start (e.g. a smaller context).
                    var param = ParamOf(ex.Field, chat);
                    await new ApiError(400, $"invalid '{param}': {ex.Message}", param).WriteAsync(context);
                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    await new ApiError(500, $"the narration failed: {ex.Message}", null, "server_error").WriteAsync(context);
                    return;
                }
                var logprobs = request.Logprobs is null ? null : chat ? Logprobs.Chat(pieces, request.Logprobs.Value) : Logprobs.Completion(pieces, 0, request.Logprobs.Value);
                object choice = chat
                    ? new { index = 0, message = new { role = "assistant", content = result.Text, refusal = (string?)null }, logprobs, finish_reason = Finish(result.Finish) }
                    : new { index = 0, text = result.Text, logprobs, finish_reason = Finish(result.Finish) };
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

    /// <summary>The API field for an engine field: the prompt is <c>messages</c> in chat requests.</summary>
    private static string ParamOf(string field, bool chat) => field switch
    {
        NarrationRejectedException.PromptField or NarrationRejectedException.SceneField => chat ? "messages" : "prompt",
        _ => ApiRequest.FieldNames.GetValueOrDefault(field, field),
    };

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
        // The first piece is awaited before answering, so a narration that fails at once (the model computes NaN) gets
        // a proper error status instead of a 200 stream holding an error.
        await using var pieces = run.Pieces.WithCancellation(aborted).GetAsyncEnumerator();
        bool more;
        try { more = await pieces.MoveNextAsync(); }
        catch (ModelOutputException ex)
        {
            await JsonErrors.ModelError(ex).WriteAsync(context);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await new ApiError(500, $"the narration failed: {ex.Message}", null, "server_error").WriteAsync(context);
            return;
        }
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var kind = chat ? "chat.completion.chunk" : "text_completion";

        async Task Send(object payload)
        {
            await response.WriteAsync("data: " + JsonSerializer.Serialize(payload, Json) + "\n\n", aborted);
            await response.Body.FlushAsync(aborted);
        }

        // As OpenAI: "usage": null in every chunk but the last one of stream_options.include_usage.
        object Chunk(string? text, string? finish, bool first = false, object? logprobs = null) => chat
            ? new
            {
                id, @object = kind, created, model = run.Model,
                choices = new[] { new { index = 0, delta = first ? new { role = "assistant", content = "" } : text is null ? (object)new { } : new { content = text }, logprobs, finish_reason = finish } },
                usage = (object?)null,
            }
            : new
            {
                id, @object = kind, created, model = run.Model,
                choices = new[] { new { index = 0, text = text ?? "", logprobs, finish_reason = finish } },
                usage = (object?)null,
            };

        await response.StartAsync(aborted);
        try
        {
            if (chat) await Send(Chunk(null, null, first: true));
            var offset = 0;
            while (more)
            {
                var piece = pieces.Current;
                if (request.Logprobs is not null && piece.TokenId >= 0)
                    await Send(Chunk(piece.Text, null, logprobs: chat ? Logprobs.Chat([piece], request.Logprobs.Value) : Logprobs.Completion([piece], offset, request.Logprobs.Value)));
                else if (piece.Text.Length > 0) await Send(Chunk(piece.Text, null));
                offset += piece.Text.Length;
                more = await pieces.MoveNextAsync();
            }
            var result = await run.Completion;
            await Send(Chunk(null, Finish(result.Finish)));
            if (request.IncludeUsage)
                await Send(new { id, @object = kind, created, model = run.Model, choices = Array.Empty<object>(), usage = Usage(result), timings = Timings(result) });
        }
        catch (ModelOutputException ex)
        {
            await Send(JsonErrors.ModelError(ex).BodyFor(context));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await Send(new ApiError(500, $"the narration failed: {ex.Message}", null, "server_error").BodyFor(context));
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
