using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Api;

/// <summary>An API failure answered in OpenAI's error shape:
/// <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
/// <param name="status">HTTP status.</param>
/// <param name="message">What is wrong, for people.</param>
/// <param name="param">The request field at fault, or null.</param>
/// <param name="type">OpenAI's error type (<c>invalid_request_error</c>, <c>server_error</c>, ...).</param>
/// <param name="code">A machine-readable code, or null.</param>
public sealed class ApiError(int status, string message, string? param = null, string type = "invalid_request_error", string? code = null)
    : Exception(message)
{
    /// <summary>HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>The request field at fault.</summary>
    public string? Param { get; } = param;

    /// <summary>OpenAI's error type.</summary>
    public string Type { get; } = type;

    /// <summary>Machine-readable code.</summary>
    public string? Code { get; } = code;

    /// <summary>The JSON body.</summary>
    public object Body => new { error = new { message = Message, type = Type, param = Param, code = Code } };

    /// <summary>The JSON body as sent to a client: server paths in the message are shown relative to the models folder.</summary>
    public object BodyFor(HttpContext context)
    {
        var message = context.RequestServices.GetService<ModelCatalog>()?.Redact(Message) ?? Message;
        return new { error = new { message, type = Type, param = Param, code = Code } };
    }

    /// <summary>Writes the error as the response (headers not yet sent).</summary>
    public Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(BodyFor(context), OpenAiApi.Json);
    }
}
