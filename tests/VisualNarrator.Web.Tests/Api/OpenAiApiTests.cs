using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Api;

/// <summary>The OpenAI-compatible API over a real HttpClient against the app on Kestrel.</summary>
public sealed class OpenAiApiTests(NarratorAppFixture app) : IClassFixture<NarratorAppFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> PostOk(string path, string json)
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsync(path, Json(json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>Reads server-sent events until [DONE]; returns the JSON payloads.</summary>
    private static async Task<List<JsonElement>> ReadEvents(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<JsonElement>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0) continue;
            Assert.StartsWith("data: ", line);
            var data = line["data: ".Length..];
            if (data == "[DONE]") return events;
            events.Add(JsonDocument.Parse(data).RootElement.Clone());
        }
        throw new Xunit.Sdk.XunitException("the stream ended without data: [DONE]");
    }

    [Fact]
    public async Task Health_reports_the_loaded_model()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("narrator.gguf", body.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal("opt", body.GetProperty("model").GetProperty("architecture").GetString());
        Assert.Equal(256, body.GetProperty("model").GetProperty("context_length").GetInt32());
    }

    [Fact]
    public async Task Models_lists_only_the_files_in_the_models_folder()
    {
        using var client = app.CreateClient();
        var body = await client.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Equal("list", body.GetProperty("object").GetString());
        var ids = body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(["narrator.gguf", "other.gguf"], ids);
        Assert.True(body.GetProperty("data")[0].GetProperty("loaded").GetBoolean());
        Assert.Equal("F32", body.GetProperty("data")[0].GetProperty("meta").GetProperty("quantization").GetString());
    }

    [Fact]
    public async Task Completion_without_streaming_returns_text_usage_and_is_deterministic_at_temperature_0()
    {
        const string request = """{"model":"narrator.gguf","prompt":"Describe this image: a busy city street","max_tokens":12,"temperature":0}""";
        var first = await PostOk("/v1/completions", request);
        var second = await PostOk("/v1/completions", request);
        Assert.Equal("text_completion", first.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", first.GetProperty("id").GetString());
        var choice = first.GetProperty("choices")[0];
        var text = choice.GetProperty("text").GetString();
        Assert.False(string.IsNullOrEmpty(text));
        Assert.Contains(choice.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        var usage = first.GetProperty("usage");
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 2);
        var generated = usage.GetProperty("completion_tokens").GetInt32();
        Assert.InRange(generated, 1, 12);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + generated, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(text, second.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Completion_streams_chunks_that_add_up_to_the_non_streamed_text()
    {
        const string body = """{"prompt":"a sunset over mountains","max_tokens":16,"temperature":0,"seed":7}""";
        var whole = (await PostOk("/v1/completions", body)).GetProperty("choices")[0].GetProperty("text").GetString();

        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = Json(body.Replace("\"seed\":7", "\"seed\":7,\"stream\":true,\"stream_options\":{\"include_usage\":true}")),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ReadEvents(response);
        var texts = events.Where(e => e.GetProperty("choices").GetArrayLength() > 0)
            .Select(e => e.GetProperty("choices")[0]).ToList();
        Assert.True(texts.Count >= 3, $"expected several chunks, got {texts.Count}");
        Assert.All(texts, c => Assert.Equal(0, c.GetProperty("index").GetInt32()));
        Assert.Equal(whole, string.Concat(texts.Select(c => c.GetProperty("text").GetString())));
        Assert.Contains(texts[^1].GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        Assert.All(texts[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("finish_reason").ValueKind));
        var usage = events[^1].GetProperty("usage");
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 1, 16);
    }

    [Fact]
    public async Task Chat_completion_streams_role_then_content_and_answers_without_streaming()
    {
        const string body = """{"messages":[{"role":"system","content":"You describe images."},{"role":"user","content":"a tropical beach with palm trees"}],"max_tokens":10,"temperature":0}""";
        var whole = await PostOk("/v1/chat/completions", body);
        Assert.Equal("chat.completion", whole.GetProperty("object").GetString());
        var message = whole.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        var content = message.GetProperty("content").GetString();

        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(body.Replace("\"temperature\":0", "\"temperature\":0,\"stream\":true")) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await ReadEvents(response);
        Assert.All(events, e => Assert.Equal("chat.completion.chunk", e.GetProperty("object").GetString()));
        Assert.Equal("assistant", events[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var streamed = string.Concat(events.Skip(1).Select(e => e.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty("content", out var c) ? c.GetString() : ""));
        Assert.Equal(content, streamed);
        Assert.NotEqual(JsonValueKind.Null, events[^1].GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
    }

    [Theory]
    [InlineData("""{"prompt":"a beach","temperature":-1}""", "temperature", "Temperature = -1 is out of range")]
    [InlineData("""{"prompt":"a beach","top_p":1.5}""", "top_p", "TopP = 1.5 is out of range")]
    [InlineData("""{"prompt":"a beach","temperature":"hot"}""", "temperature", "'temperature' must be a number")]
    [InlineData("""{"prompt":"a beach","max_tokens":100000}""", "max_tokens", "over this server's limit of 512")]
    [InlineData("""{"prompt":"a beach","mirostat":1}""", "mirostat", "Mirostat = 1 is out of range")]
    [InlineData("""{"prompt":"a beach","stop":[""]}""", "stop", "every stop string must be non-empty")]
    [InlineData("""{"prompt":"a beach","n":3}""", "n", "'n' must be 1")]
    [InlineData("""{"prompt":"a beach","stream":"yes"}""", "stream", "'stream' must be true or false")]
    [InlineData("""{"max_tokens":5}""", "prompt", "'prompt' is required")]
    [InlineData("""{"prompt":""}""", "prompt", "the prompt is empty")]
    public async Task Invalid_fields_are_answered_400_with_a_message_naming_the_field(string json, string param, string message)
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsync("/v1/completions", Json(json));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Invalid_chat_fields_and_bad_json_are_answered_400()
    {
        using var client = app.CreateClient();
        using var noUser = await client.PostAsync("/v1/chat/completions", Json("""{"messages":[{"role":"system","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, noUser.StatusCode);
        Assert.Contains("no user message", (await noUser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString());

        using var longPrompt = await client.PostAsync("/v1/chat/completions", Json(JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = new string('a', 2500) } } })));
        Assert.Equal(HttpStatusCode.BadRequest, longPrompt.StatusCode);
        var error = (await longPrompt.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Contains("the limit is 2000", error.GetProperty("message").GetString());

        using var notJson = await client.PostAsync("/v1/completions", Json("{\"prompt\": "));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("not valid JSON", (await notJson.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("../outside.gguf", HttpStatusCode.NotFound, "outside the models folder")]
    [InlineData("/etc/passwd", HttpStatusCode.NotFound, "outside the models folder")]
    [InlineData("missing.gguf", HttpStatusCode.NotFound, "was not found")]
    [InlineData("other.gguf", HttpStatusCode.BadRequest, "is not loaded")]
    public async Task Models_outside_the_folder_or_not_loaded_are_refused(string model, HttpStatusCode status, string message)
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsync("/v1/completions", Json(JsonSerializer.Serialize(new { model, prompt = "a beach", max_tokens = 2 })));
        Assert.Equal(status, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
    }
}

public sealed class DisconnectTests(SlowModelAppFixture app) : IClassFixture<SlowModelAppFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_client_that_disconnects_cancels_its_narration()
    {
        var narrator = app.Services.GetRequiredService<INarrator>();
        // A client that goes away, as a closed browser tab does. By default HttpClient drains up to 1 MB of an unread
        // response, for up to 2 s, to reuse the connection; the server then sees no disconnect, and a narration that
        // ends within that time (this model's ends after 1,153 tokens) finishes instead of being cancelled.
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = app.BaseAddress };
        const string prompt = "a long walk along the river";
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = Json($$"""{"prompt":"{{prompt}}","max_tokens":1800,"temperature":0,"stream":true,"preset":"seed"}""") })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await reader.ReadLineAsync());
        }
        // Disposing the response closes the connection: the narration is cancelled, not run to its 1800 tokens.
        var run = app.Recorder.Runs.Last();
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(FinishReason.Cancelled, result.Finish);
        Assert.True(result.Timings.GeneratedTokens < 1800, $"{result.Timings.GeneratedTokens} tokens");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (narrator.Status.Running > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, narrator.Status.Running);
    }
}

public sealed class ApiKeyTests(ApiKeyAppFixture app) : IClassFixture<ApiKeyAppFixture>
{
    [Fact]
    public async Task The_api_requires_the_key_when_one_is_configured()
    {
        using var client = app.CreateClient();
        using var missing = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        var error = (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        using var wrong = await client.PostAsync("/v1/completions", new StringContent("""{"prompt":"x"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKeyAppFixture.Key);
        using var ok = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        client.DefaultRequestHeaders.Authorization = null;
        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}

public sealed class NoModelTests(EmptyFolderAppFixture app) : IClassFixture<EmptyFolderAppFixture>
{
    [Fact]
    public async Task Without_a_model_the_app_starts_and_says_so()
    {
        using var client = app.CreateClient();
        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("no-model", body.GetProperty("status").GetString());
        Assert.Contains("No model loaded", body.GetProperty("message").GetString());
        Assert.Contains("narrator.gguf", body.GetProperty("message").GetString());

        using var completion = await client.PostAsync("/v1/completions", new StringContent("""{"prompt":"x"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, completion.StatusCode);
        Assert.Equal("model_not_loaded", (await completion.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());

        var page = await client.GetStringAsync("/");
        Assert.Contains("No model loaded", page);
    }
}
