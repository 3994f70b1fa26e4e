using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.Options;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Api;

/// <summary>
/// One error path for the whole app: every failure, whether an exception or a bare status code from routing or
/// Kestrel (404, 405, 413, ...), is answered with OpenAI's <c>{"error": {"message", "type", "param", "code"}}</c>,
/// in every environment. No stack trace, no empty body, no absolute server path.
/// </summary>
public static class JsonErrors
{
    /// <summary>Adds the exception handler, the status-code bodies and the request-body limit of the API. Call first,
    /// so it wraps everything else.</summary>
    public static WebApplication UseJsonErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteExceptionAsync,
            // An ApiError may be a 404 (model not found); without this the middleware would rethrow it.
            AllowStatusCode404Response = true,
            // Client faults are answered, not logged as server errors.
            SuppressDiagnosticsCallback = c => IsClientFault(c.Exception),
        });
        app.UseStatusCodePages(c => WriteStatusAsync(c.HttpContext));
        app.Use(LimitApiBody);
        return app;
    }

    /// <summary>The error an exception becomes. Client faults keep their status; anything unexpected is a 500 whose
    /// message says no more than that (the log has the details).</summary>
    public static ApiError ToApiError(Exception exception, HttpContext context) => exception switch
    {
        ApiError e => e,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            TooLarge(context.RequestServices.GetRequiredService<IOptions<NarratorOptions>>().Value.MaxRequestBytes),
        BadHttpRequestException b => new ApiError(b.StatusCode, $"the request could not be read: {b.Message}"),
        JsonException j => new ApiError(400, $"the request body is not valid JSON: {j.Message}"),
        ModelOutputException m => ModelError(m),
        _ => new ApiError(500, $"the server failed to handle {context.Request.Method} {Shorten(context.Request.Path)} (an internal error, " +
                               $"trace id {context.TraceIdentifier}); the server log has the details", null, "server_error", "internal_error"),
    };

    /// <summary>A model that computes NaN or infinite values: the server's fault, not the client's.</summary>
    public static ApiError ModelError(ModelOutputException m) =>
        new(500, $"the model failed: {m.Problem}; it is marked unhealthy until another model is loaded", null, "server_error", "model_error");

    private static bool IsClientFault(Exception e) => e is ApiError { Status: < 500 } or BadHttpRequestException or JsonException;

    private static async Task WriteExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        // A client that went away gets no answer.
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested) return;
        var error = exception is null
            ? new ApiError(500, "the server failed to handle the request", null, "server_error", "internal_error")
            : ToApiError(exception, context);
        await error.WriteAsync(context);
    }

    /// <summary>Gives bodiless error statuses (routing's 404 and 405, Kestrel's 413, ...) a JSON body.</summary>
    private static Task WriteStatusAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var method = context.Request.Method;
        if (status is 404 or 405)
        {
            // The static-file fallback route ({**path:file}, GET only) confuses routing: it hides the 405 of a GET on a
            // POST route and makes any other method on an unknown path a 405. Decide from the real routes instead.
            var allowed = AllowedMethods(context);
            status = allowed.Count > 0 && !allowed.Contains(method) ? 405 : allowed.Count == 0 ? 404 : status;
            context.Response.StatusCode = status;
            if (status == 405) context.Response.Headers.Allow = string.Join(", ", allowed.Order(StringComparer.Ordinal));
        }
        var path = Shorten(context.Request.Path);
        var error = status switch
        {
            404 => new ApiError(404, $"there is no {method} {path} here; the API is GET /v1/models, POST /v1/completions and POST /v1/chat/completions",
                null, "invalid_request_error", "not_found"),
            405 => new ApiError(405, $"{path} does not take {method}" +
                                     (context.Response.Headers.Allow.Count > 0 ? $"; use {context.Response.Headers.Allow}" : ""),
                null, "invalid_request_error", "method_not_allowed"),
            413 => TooLarge(context.RequestServices.GetRequiredService<IOptions<NarratorOptions>>().Value.MaxRequestBytes),
            415 => new ApiError(415, "send the request body as JSON (Content-Type: application/json)", null, "invalid_request_error", "unsupported_media_type"),
            >= 500 => new ApiError(status, "the server could not answer the request", null, "server_error", null),
            _ => new ApiError(status, $"the request failed with HTTP status {status}", null, "invalid_request_error", null),
        };
        return error.WriteAsync(context);
    }

    /// <summary>The methods of the app's routes (catch-alls left out) whose template matches the request path.</summary>
    private static HashSet<string> AllowedMethods(HttpContext context)
    {
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var path = context.Request.Path.Value ?? "/";
        foreach (var endpoint in context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.RoutePattern.Parameters.Any(p => p.IsCatchAll)) continue;
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is not { Count: > 0 } methods) continue;
            if (new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary()))
                allowed.UnionWith(methods);
        }
        return allowed;
    }

    private static ApiError TooLarge(long limit) =>
        new(413, $"the request body is over this server's limit of {limit} bytes", null, "invalid_request_error", "request_too_large");

    /// <summary>Bounds the body of API requests: what a request may make the server parse and hold is bounded by
    /// this (Kestrel's default is 30 MB). A declared length over the limit is refused before reading.</summary>
    private static Task LimitApiBody(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/v1")) return next(context);
        var limit = context.RequestServices.GetRequiredService<IOptions<NarratorOptions>>().Value.MaxRequestBytes;
        if (context.Request.ContentLength > limit) return TooLarge(limit).WriteAsync(context);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        return next(context);
    }

    /// <summary>A request path fit to quote in a message: bounded in length.</summary>
    private static string Shorten(PathString path)
    {
        var text = path.ToString();
        return text.Length <= 120 ? text : text[..120] + "…";
    }
}
