using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.LoadTest;

/// <summary>One request built to break the API: malformed, oversized, mistyped or invalid text. Each is a client fault,
/// so the answer must be a 2xx or a 4xx, never a 5xx, with a body that is JSON (or a complete event stream).</summary>
/// <param name="Name">What the request tries.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="Body">Raw body bytes (may be invalid UTF-8 or invalid JSON), or null for none.</param>
/// <param name="Expected">The exact status expected, or null when any non-5xx status will do.</param>
public sealed record HostileRequest(string Name, string Method, string Path, byte[]? Body, int? Expected = null)
{
    /// <summary>Builds the HTTP request (JSON content type when there is a body).</summary>
    public HttpRequestMessage ToMessage(string? apiKey)
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Path);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        if (apiKey is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return message;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Method} {Path})";
}

/// <summary>The hostile-request corpus shared by the test suite and the <c>hostile</c> command: fixed cases for every
/// defect class found so far, and seeded random mutations of valid requests.</summary>
public static partial class HostileRequests
{
    private const string Completions = "/v1/completions";
    private const string Chat = "/v1/chat/completions";

    /// <summary>JSON values that break naive readers: wrong types, extremes, invalid text, deep and wide nesting.</summary>
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-0", "-1", "1", "1.5", "1e-39", "-1e-39", "1e39", "1e308", "-1e308", "2147483647", "2147483648",
        "-2147483649", "9223372036854775808", "4294967295", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud800\\ud800\"",
        "\"\\u001b[31mred\\u0007\"", "\"\\u202eevil\"", "\"../../etc/passwd\"", "\"/etc/passwd\"", "\"narrator\"", "[]", "[[]]", "[[[[[[]]]]]]",
        "{}", "{\"a\":1}", "[1,2,3]", "[\"a\",\"b\"]", "[\"\"]", "[null]", "\"text\"", "{\"type\":5}", "{\"text\":5}",
        "[{\"type\":5}]", "[{\"text\":5}]", "[{\"type\":\"text\"}]", "[{\"type\":\"text\",\"text\":5}]", "[{\"type\":\"text\",\"text\":\"\\ud800\"}]",
        "[{\"role\":5}]", "[{\"role\":\"user\"}]", "[{\"role\":\"user\",\"content\":\"\"}]", "[{\"role\":\"user\",\"content\":\" \"}]",
        "[{\"role\":\"user\",\"content\":\"\\ud800\"}]", "[{\"role\":\"user\",\"content\":5}]",
    ];

    /// <summary>Every request field the API reads.</summary>
    private static readonly string[] Fields =
    [
        "prompt", "messages", "model", "n", "stream", "stream_options", "preset", "user",
        .. SamplingSettingTable.All.SelectMany(r => r.ApiNames),
    ];

    /// <summary>The fixed cases: one per known defect class, each with the status it must get.</summary>
    /// <param name="maxRequestBytes">The server's body limit (for the oversize cases).</param>
    public static IReadOnlyList<HostileRequest> Fixed(long maxRequestBytes)
    {
        static byte[] U(string s) => Encoding.UTF8.GetBytes(s);
        static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
        var deep = new string('[', 200) + new string(']', 200);
        var wide = "[" + string.Join(",", Enumerable.Repeat("[]", 200_000)) + "]";
        return
        [
            new("lone high surrogate in prompt", "POST", Completions, U("{\"prompt\":\"\\ud800\",\"max_tokens\":2}"), 400),
            new("lone low surrogate in prompt", "POST", Completions, U("{\"prompt\":\"a \\udc00 b\",\"max_tokens\":2}"), 400),
            new("lone surrogate in chat content", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}"), 400),
            new("lone surrogate in model", "POST", Completions, U("{\"prompt\":\"a\",\"model\":\"\\ud800\"}"), 400),
            new("lone surrogate in stop", "POST", Completions, U("{\"prompt\":\"a\",\"stop\":[\"\\ud800\"]}"), 400),
            new("lone surrogate in user", "POST", Completions, U("{\"prompt\":\"a\",\"user\":\"\\udfff\"}"), 400),
            new("raw invalid UTF-8 in a string", "POST", Completions, Cat(U("{\"prompt\":\"a"), [0xff, 0xfe, 0xc3], U("\",\"max_tokens\":2}")), 400),
            new("raw invalid UTF-8 outside strings", "POST", Completions, Cat(U("{\"prompt\":\"a\","), [0xc3, 0x28], U("}")), 400),
            new("overlong UTF-8 encoding", "POST", Completions, Cat(U("{\"prompt\":\""), [0xc0, 0xaf], U("\"}")), 400),
            new("content part with a numeric type", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":5}]}]}"), 400),
            new("content part with a numeric text", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":5}]}]}"), 400),
            new("content part without a type", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":5}]}]}"), 400),
            new("content part that is a number", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":[5]}]}"), 400),
            new("empty chat content", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}"), 400),
            new("white-space chat content", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":\" \\n\\t \"}]}"), 400),
            new("template words without a scene", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":\"Describe this image:\"}]}"), 400),
            new("empty prompt", "POST", Completions, U("{\"prompt\":\"\"}"), 400),
            new("white-space prompt", "POST", Completions, U("{\"prompt\":\"   \\n\"}"), 400),
            new("numeric role", "POST", Chat, U("{\"messages\":[{\"role\":5,\"content\":\"a\"}]}"), 400),
            new("GET on a POST route", "GET", Completions, null, 405),
            new("GET on the chat route", "GET", Chat, null, 405),
            new("DELETE on the models route", "DELETE", "/v1/models", null, 405),
            new("PUT on a POST route", "PUT", Completions, U("{}"), 405),
            new("unknown /v1 route", "GET", "/v1/embeddings", null, 404),
            new("unknown /v1 POST route", "POST", "/v1/nothing/here", U("{}"), 404),
            new("bare /v1", "GET", "/v1", null, 404),
            new("path traversal in the route", "GET", "/v1/../../etc/passwd", null, 404),
            new("body over the limit", "POST", Completions, U("{\"prompt\":\"" + new string('a', (int)Math.Min(maxRequestBytes + 1024, 64L << 20)) + "\"}"), 413),
            new("body over the limit (chat)", "POST", Chat, U("{\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', (int)Math.Min(maxRequestBytes + 1024, 64L << 20)) + "\"}]}"), 413),
            new("nesting 200 deep", "POST", Completions, U("{\"prompt\":\"a\",\"x\":" + deep + "}"), 400),
            new("200,000 nested empty arrays", "POST", Completions, U("{\"prompt\":\"a\",\"stop\":" + wide + "}"), 400),
            new("1,000 stop strings", "POST", Completions, U("{\"prompt\":\"a\",\"stop\":[" + string.Join(",", Enumerable.Range(0, 1000).Select(i => $"\"s{i}\"")) + "]}"), 400),
            new("a 10,000-character stop string", "POST", Completions, U("{\"prompt\":\"a\",\"stop\":\"" + new string('s', 10_000) + "\"}"), 400),
            new("an empty stop string", "POST", Completions, U("{\"prompt\":\"a\",\"stop\":[\"\"]}"), 400),
            new("subnormal temperature acts as greedy", "POST", Completions, U("{\"prompt\":\"a beach\",\"temperature\":1e-39,\"max_tokens\":3}"), 200),
            new("infinite temperature", "POST", Completions, U("{\"prompt\":\"a beach\",\"temperature\":1e39}"), 400),
            new("max_tokens 2^31-1", "POST", Completions, U("{\"prompt\":\"a beach\",\"max_tokens\":2147483647}"), 400),
            new("max_tokens over int32", "POST", Completions, U("{\"prompt\":\"a beach\",\"max_tokens\":2147483648}"), 400),
            new("max_tokens -1", "POST", Completions, U("{\"prompt\":\"a beach\",\"max_tokens\":-1}"), 400),
            new("top_k 2^31-1", "POST", Completions, U("{\"prompt\":\"a beach\",\"top_k\":2147483647,\"max_tokens\":2}"), 200),
            new("repeat_last_n 2^31-1", "POST", Completions, U("{\"prompt\":\"a beach\",\"repeat_last_n\":2147483647,\"max_tokens\":2}"), 200),
            new("no_repeat_ngram_size 2^31-1", "POST", Completions, U("{\"prompt\":\"a beach\",\"no_repeat_ngram_size\":2147483647,\"max_tokens\":2}"), 200),
            new("NaN literal", "POST", Completions, U("{\"prompt\":\"a\",\"temperature\":NaN}"), 400),
            new("body is an array", "POST", Completions, U("[]"), 400),
            new("body is null", "POST", Completions, U("null"), 400),
            new("body is empty", "POST", Completions, [], 400),
            new("no body at all", "POST", Completions, null, 400),
            new("truncated JSON", "POST", Completions, U("{\"prompt\": "), 400),
            new("two JSON documents", "POST", Completions, U("{\"prompt\":\"a\"}{\"prompt\":\"b\"}"), 400),
            new("model outside the folder", "POST", Completions, U("{\"prompt\":\"a\",\"model\":\"../../etc/passwd\"}"), 404),
            new("model with a NUL byte", "POST", Completions, U("{\"prompt\":\"a\",\"model\":\"a\\u0000.gguf\"}"), 404),
            new("model name of 100,000 characters", "POST", Completions, U("{\"prompt\":\"a\",\"model\":\"" + new string('m', 100_000) + "\"}"), 404),
            new("escape and bell bytes in the prompt", "POST", Completions, U("{\"prompt\":\"\\u001b[2J\\u0007 a beach\",\"max_tokens\":2}"), 200),
            new("prompt over the character limit", "POST", Completions, U("{\"prompt\":\"" + new string('a', 50_000) + "\"}"), 400),
            new("stream with a lone surrogate", "POST", Completions, U("{\"prompt\":\"\\ud800\",\"stream\":true}"), 400),
            new("stream_options of the wrong type", "POST", Completions, U("{\"prompt\":\"a\",\"stream\":true,\"stream_options\":5,\"max_tokens\":2}"), 200),
        ];
    }

    /// <summary><paramref name="count"/> seeded random mutations of small valid requests: a field set to a hostile
    /// value, an unknown field, a byte flipped or inserted, the body cut short.</summary>
    public static IEnumerable<HostileRequest> Random(int seed, int count)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var chat = random.Next(2) == 0;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["max_tokens"] = "3" };
            if (chat) fields["messages"] = "[{\"role\":\"user\",\"content\":\"a quiet harbour at dawn\"}]";
            else fields["prompt"] = "\"Describe this image: a quiet harbour at dawn\"";
            if (random.Next(4) == 0) fields["stream"] = "true";
            var kind = random.Next(6);
            string name;
            switch (kind)
            {
                case 0 or 1 or 2:
                {
                    var field = Fields[random.Next(Fields.Length)];
                    var value = Values[random.Next(Values.Length)];
                    fields[field] = value;
                    name = $"{field} = {Shorten(value)}";
                    break;
                }
                case 3:
                    fields["x" + random.Next(1000)] = Values[random.Next(Values.Length)];
                    name = "unknown field";
                    break;
                default:
                    name = "byte mutation";
                    break;
            }
            var body = Encoding.UTF8.GetBytes("{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}");
            if (kind >= 4)
            {
                var at = random.Next(body.Length);
                switch (random.Next(3))
                {
                    case 0:
                        body[at] ^= (byte)(1 << random.Next(8));
                        name = $"bit flip at byte {at}";
                        break;
                    case 1:
                        body = [.. body[..at], (byte)random.Next(0x80, 0x100), .. body[at..]];
                        name = $"high byte inserted at {at}";
                        break;
                    default:
                        body = body[..at];
                        name = $"cut at byte {at}";
                        break;
                }
            }
            yield return new HostileRequest($"random #{i}: {name}", "POST", chat ? Chat : Completions, body);
        }
    }

    /// <summary>What is wrong with an answer, or null when it is acceptable: a 5xx, an empty body, a stack trace, an
    /// absolute server path, an error that is not OpenAI-shaped, a stream without its end, or not the expected status.</summary>
    /// <param name="request">The request sent.</param>
    /// <param name="status">HTTP status received.</param>
    /// <param name="mediaType">Response media type, or null.</param>
    /// <param name="body">Response body.</param>
    /// <param name="forbidden">Texts that must never appear (e.g. the server's models folder).</param>
    public static string? Problem(HostileRequest request, int status, string? mediaType, string body, IEnumerable<string> forbidden)
    {
        if (status >= 500) return $"HTTP {status} for a client fault";
        if (body.Length == 0) return $"empty body with HTTP {status}";
        if (StackTrace().IsMatch(body)) return "stack trace in the body";
        if (forbidden.FirstOrDefault(f => f.Length > 1 && body.Contains(f, StringComparison.Ordinal)) is { } leak) return $"body reveals '{leak}'";
        if (request.Expected is { } expected && status != expected) return $"HTTP {status}, expected {expected}";
        if (mediaType == "text/event-stream")
            return status == 200 && body.TrimEnd().EndsWith("data: [DONE]", StringComparison.Ordinal) ? null : "event stream without data: [DONE]";
        JsonElement json;
        try { json = JsonDocument.Parse(body).RootElement; }
        catch (JsonException) { return $"HTTP {status} with a body that is not JSON"; }
        if (status >= 400)
        {
            if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object
                || !error.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String || message.GetString()!.Length == 0
                || !error.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !error.TryGetProperty("param", out _) || !error.TryGetProperty("code", out _))
                return $"HTTP {status} without an OpenAI-shaped error";
        }
        return null;
    }

    /// <summary>.NET stack frames ("   at X.Y(...)", "--- End of stack trace", "in /path/File.cs:line 12").</summary>
    [GeneratedRegex(@"(^|\n)\s*at [\w.`<>\[\]]+\(|--- End of|\.cs:line \d+", RegexOptions.CultureInvariant)]
    private static partial Regex StackTrace();

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    /// <summary>Counts answers by status for a report.</summary>
    public static string StatusTable(IEnumerable<int> statuses) => string.Join("\n",
        statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"| {g.Key} | {g.Count()} |")));
}
