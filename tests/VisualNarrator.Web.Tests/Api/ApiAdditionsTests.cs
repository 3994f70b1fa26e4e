using System.Net;
using System.Text;
using System.Text.Json;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Api;

/// <summary>What OpenAI clients and llama.cpp-server users expect beyond plain completions: one model by id,
/// log probabilities, random seeds unless given, "usage": null in stream chunks, /tokenize, /detokenize, /metrics.</summary>
public sealed class ApiAdditionsTests(NarratorAppFixture app) : IClassFixture<NarratorAppFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json)
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsync(path, Json(json));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<JsonElement> PostOk(string path, string json)
    {
        var (status, body) = await Post(path, json);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        return body;
    }

    [Fact]
    public async Task One_model_is_retrieved_by_id_and_an_unknown_id_is_404()
    {
        using var client = app.CreateClient();
        var model = JsonDocument.Parse(await client.GetStringAsync("/v1/models/narrator.gguf")).RootElement;
        Assert.Equal("narrator.gguf", model.GetProperty("id").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
        Assert.True(model.GetProperty("loaded").GetBoolean());
        using var missing = await client.GetAsync("/v1/models/nope.gguf");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("model_not_found", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Without_a_seed_each_request_draws_one_and_a_given_seed_repeats()
    {
        const string body = """{"prompt":"a market square","max_tokens":24,"temperature":1.5}""";
        var texts = new List<string>();
        for (var i = 0; i < 3; i++) texts.Add((await PostOk("/v1/completions", body)).GetProperty("choices")[0].GetProperty("text").GetString()!);
        Assert.True(texts.Distinct().Count() > 1, "three unseeded narrations at temperature 1.5 were identical: " + string.Join(" | ", texts));

        var seeded = body.Replace("}", ",\"seed\":99}");
        var a = (await PostOk("/v1/completions", seeded)).GetProperty("choices")[0].GetProperty("text").GetString();
        var b = (await PostOk("/v1/completions", seeded)).GetProperty("choices")[0].GetProperty("text").GetString();
        Assert.Equal(a, b);
    }

    [Fact]
    public async Task Completion_logprobs_have_openais_shape_and_match_the_text()
    {
        var body = await PostOk("/v1/completions", """{"prompt":"a quiet library","max_tokens":12,"temperature":0,"logprobs":3}""");
        var choice = body.GetProperty("choices")[0];
        var lp = choice.GetProperty("logprobs");
        var tokens = lp.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal(body.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), tokens.Count);
        Assert.Equal(choice.GetProperty("text").GetString(), string.Concat(tokens));
        Assert.All(lp.GetProperty("token_logprobs").EnumerateArray(), v => Assert.InRange(v.GetDouble(), -9999, 0));
        var top = lp.GetProperty("top_logprobs").EnumerateArray().ToList();
        Assert.Equal(tokens.Count, top.Count);
        Assert.All(top, t => Assert.InRange(t.EnumerateObject().Count(), 1, 3));
        // Greedy: the chosen token is the most likely one.
        Assert.Equal(top[0].EnumerateObject().Max(p => p.Value.GetDouble()), lp.GetProperty("token_logprobs")[0].GetDouble(), 5);
        var offsets = lp.GetProperty("text_offset").EnumerateArray().Select(o => o.GetInt32()).ToList();
        Assert.Equal(0, offsets[0]);
        Assert.Equal(tokens[0].Length, offsets[1]);
    }

    [Fact]
    public async Task Chat_logprobs_stream_and_usage_is_null_in_every_chunk_but_the_last()
    {
        var whole = await PostOk("/v1/chat/completions", """{"messages":[{"role":"user","content":"a snowy forest"}],"max_tokens":10,"temperature":0,"logprobs":true,"top_logprobs":2}""");
        var content = whole.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), content.Count);
        Assert.All(content, c =>
        {
            Assert.Equal(c.GetProperty("token").GetString(), Encoding.UTF8.GetString(c.GetProperty("bytes").EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray()));
            Assert.Equal(2, c.GetProperty("top_logprobs").GetArrayLength());
        });

        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json("""{"messages":[{"role":"user","content":"a snowy forest"}],"max_tokens":10,"temperature":0,"logprobs":true,"top_logprobs":2,"stream":true,"stream_options":{"include_usage":true}}"""),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("data: {")).Select(l => JsonDocument.Parse(l[6..]).RootElement.Clone()).ToList();
        Assert.All(lines[..^1], e => Assert.Equal(JsonValueKind.Null, e.GetProperty("usage").ValueKind));
        Assert.Equal(JsonValueKind.Object, lines[^1].GetProperty("usage").ValueKind);
        var streamed = lines.Where(e => e.GetProperty("choices").GetArrayLength() > 0 && e.GetProperty("choices")[0].GetProperty("logprobs").ValueKind == JsonValueKind.Object)
            .SelectMany(e => e.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content").EnumerateArray()).Select(c => c.GetProperty("token").GetString()).ToList();
        Assert.Equal(content.Select(c => c.GetProperty("token").GetString()), streamed);

        var (status, error) = await Post("/v1/chat/completions", """{"messages":[{"role":"user","content":"x"}],"top_logprobs":2}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("top_logprobs", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Tokenize_and_detokenize_round_trip_as_in_llama_cpp_server()
    {
        var ids = (await PostOk("/tokenize", """{"content":"a red boat"}""")).GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        Assert.NotEmpty(ids);
        var withPieces = (await PostOk("/tokenize", """{"content":"a red boat","with_pieces":true}""")).GetProperty("tokens");
        Assert.Equal(ids, withPieces.EnumerateArray().Select(t => t.GetProperty("id").GetInt32()));
        Assert.Equal("a red boat", string.Concat(withPieces.EnumerateArray().Select(t => t.GetProperty("piece").GetString())));
        var text = (await PostOk("/detokenize", JsonSerializer.Serialize(new { tokens = ids }))).GetProperty("content").GetString();
        Assert.Equal("a red boat", text);

        var (status, error) = await Post("/detokenize", """{"tokens":[1, -4]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("token ids are integers from 0 to", error.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_requests_tokens_queue_and_a_ttft_histogram()
    {
        await PostOk("/v1/completions", """{"prompt":"a windmill","max_tokens":8}""");
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var values = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(values.Where(kv => kv.Key.StartsWith("narrator_requests_total{source=\"api\"")).Sum(kv => kv.Value) >= 1);
        Assert.True(values["narrator_generated_tokens_total"] >= 1);
        Assert.True(values["narrator_prompt_tokens_total"] >= 1);
        Assert.Equal(0, values["narrator_queue_depth"]);
        Assert.True(values["narrator_time_to_first_token_seconds_count"] >= 1);
        Assert.Equal(values["narrator_time_to_first_token_seconds_count"], values["narrator_time_to_first_token_seconds_bucket{le=\"+Inf\"}"]);
        Assert.Contains("# TYPE narrator_time_to_first_token_seconds histogram", text);
        Assert.Contains("narrator_tokens_per_second ", text);
    }

    [Fact]
    public async Task A_batch_request_streams_one_line_per_scene_in_order()
    {
        using var client = app.CreateClient();
        var scenes = Enumerable.Range(1, 6).Select(i => i == 3 ? (object)new { id = "third", scene = "a red barn" } : $"scene number {i}").ToArray();
        using var response = await client.PostAsync("/api/narrate/batch", Json(JsonSerializer.Serialize(new { scenes, max_tokens = 6, template = "caption", seed = 5 })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, lines.Count);
        Assert.Equal(["1", "2", "third", "4", "5", "6"], lines.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal("Generate a caption: a red barn", lines[2].GetProperty("prompt").GetString());
        Assert.All(lines, l =>
        {
            Assert.Equal(JsonValueKind.Null, l.GetProperty("error").ValueKind);
            Assert.InRange(l.GetProperty("generated_tokens").GetInt32(), 1, 6);
            Assert.Equal(5u, l.GetProperty("seed").GetUInt32());
        });

        var (status, error) = await Post("/api/narrate/batch", """{"scenes":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("scenes", error.GetProperty("error").GetProperty("param").GetString());
        (status, error) = await Post("/api/narrate/batch", """{"scenes":["a"],"temperature":-1}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("temperature", error.GetProperty("error").GetProperty("param").GetString());
    }
}
