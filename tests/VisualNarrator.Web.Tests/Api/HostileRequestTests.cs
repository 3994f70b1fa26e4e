using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VisualNarrator.Engine.Serving;
using VisualNarrator.LoadTest;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Api;

/// <summary>Hostile requests against the running app (Kestrel on 127.0.0.1): every client fault gets a 4xx with an
/// OpenAI-shaped JSON error, never a 5xx, a stack trace, an empty body or a server path.</summary>
public sealed class HostileRequestTests(NarratorAppFixture app) : IClassFixture<NarratorAppFixture>
{
    public static TheoryData<string> FixedCases() => [.. HostileRequests.Fixed(1 << 20).Select(c => c.Name)];

    private async Task<string?> Send(HostileRequest request)
    {
        using var client = app.CreateClient();
        using var message = request.ToMessage(null);
        using var response = await client.SendAsync(message);
        var body = await response.Content.ReadAsStringAsync();
        return HostileRequests.Problem(request, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body,
            [app.Models.Folder, Path.GetDirectoryName(app.Models.Folder)!]) is { } problem
            ? $"{request}: {problem}; body: {(body.Length > 300 ? body[..300] : body)}"
            : null;
    }

    [Theory]
    [MemberData(nameof(FixedCases))]
    public async Task A_fixed_hostile_case_gets_its_status_and_a_json_error(string name)
    {
        var request = HostileRequests.Fixed(1 << 20).Single(c => c.Name == name);
        Assert.Null(await Send(request));
    }

    [Fact]
    public async Task Seeded_random_mutations_never_get_a_5xx_or_a_bare_answer()
    {
        var problems = new List<string>();
        foreach (var request in HostileRequests.Random(seed: 7, count: 80))
            if (await Send(request) is { } problem) problems.Add(problem);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Wrong_methods_name_the_allowed_one_and_content_parts_name_the_part()
    {
        using var client = app.CreateClient();
        using var get = await client.GetAsync("/v1/chat/completions");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());
        var error = (await get.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("method_not_allowed", error.GetProperty("code").GetString());

        using var part = await client.PostAsync("/v1/chat/completions", new StringContent(
            """{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":5}]}]}""", Encoding.UTF8, "application/json"));
        error = (await part.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Contains("messages[0].content[1]", error.GetProperty("message").GetString());

        using var surrogate = await client.PostAsync("/v1/completions", new StringContent("""{"prompt":"\ud800"}""", Encoding.UTF8, "application/json"));
        error = (await surrogate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("prompt", error.GetProperty("param").GetString());
        Assert.Contains("not valid Unicode", error.GetProperty("message").GetString());

        using var stops = await client.PostAsync("/v1/completions", new StringContent(
            JsonSerializer.Serialize(new { prompt = "a", stop = Enumerable.Range(0, 17).Select(i => $"s{i}") }), Encoding.UTF8, "application/json"));
        error = (await stops.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("stop", error.GetProperty("param").GetString());
        Assert.Contains("at most 16", error.GetProperty("message").GetString());

        using var emptyChat = await client.PostAsync("/v1/chat/completions", new StringContent(
            """{"messages":[{"role":"user","content":""}]}""", Encoding.UTF8, "application/json"));
        error = (await emptyChat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("messages", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Links_out_of_the_models_folder_are_neither_listed_nor_loaded()
    {
        // models/link_dir -> ../elsewhere (holding a real model), models/escape.gguf -> ../outside.gguf,
        // models/alias.gguf -> narrator.gguf (inside: fine).
        var root = Path.GetDirectoryName(app.Models.Folder)!;
        var elsewhere = Directory.CreateDirectory(Path.Combine(root, "elsewhere")).FullName;
        File.Copy(app.Models.Outside, Path.Combine(elsewhere, "secret.gguf"), overwrite: true);
        Directory.CreateSymbolicLink(Path.Combine(app.Models.Folder, "link_dir"), elsewhere);
        File.CreateSymbolicLink(Path.Combine(app.Models.Folder, "escape.gguf"), app.Models.Outside);
        File.CreateSymbolicLink(Path.Combine(app.Models.Folder, "alias.gguf"), "narrator.gguf");
        try
        {
            using var client = app.CreateClient();
            var list = await client.GetFromJsonAsync<JsonElement>("/v1/models");
            var ids = list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
            Assert.Equal(["alias.gguf", "narrator.gguf", "other.gguf"], ids);
            foreach (var model in new[] { "link_dir/secret.gguf", "escape.gguf" })
            {
                using var response = await client.PostAsync("/v1/completions", new StringContent(
                    JsonSerializer.Serialize(new { model, prompt = "a beach", max_tokens = 2 }), Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString()!;
                Assert.Contains("links outside the models folder", message);
                Assert.DoesNotContain(root, message);
            }
            var narrator = app.Services.GetRequiredService<INarrator>();
            await Assert.ThrowsAsync<ModelPathException>(() => narrator.SwitchModelAsync("link_dir/secret.gguf"));
            // The alias resolves to the loaded file, so naming it is naming the loaded model.
            using var alias = await client.PostAsync("/v1/completions", new StringContent(
                """{"model":"alias.gguf","prompt":"a beach","max_tokens":2}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, alias.StatusCode);
        }
        finally
        {
            File.Delete(Path.Combine(app.Models.Folder, "link_dir"));
            File.Delete(Path.Combine(app.Models.Folder, "escape.gguf"));
            File.Delete(Path.Combine(app.Models.Folder, "alias.gguf"));
        }
    }

    [Fact]
    public async Task A_subnormal_temperature_narrates_exactly_as_greedy()
    {
        using var client = app.CreateClient();
        async Task<string> Narrate(string temperature)
        {
            using var response = await client.PostAsync("/v1/completions", new StringContent(
                $$"""{"prompt":"Describe this image: a red door","max_tokens":8,"temperature":{{temperature}},"seed":5}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("text").GetString()!;
        }
        Assert.Equal(await Narrate("0"), await Narrate("1e-39"));
    }

    [Fact]
    public async Task Health_and_errors_show_no_absolute_path()
    {
        using var client = app.CreateClient();
        var health = await client.GetStringAsync("/health");
        Assert.DoesNotContain(Path.GetDirectoryName(app.Models.Folder)!, health);
        Assert.Equal("models", JsonDocument.Parse(health).RootElement.GetProperty("models_folder").GetString());
        using var missing = await client.PostAsync("/v1/completions", new StringContent(
            """{"model":"missing.gguf","prompt":"a"}""", Encoding.UTF8, "application/json"));
        var body = await missing.Content.ReadAsStringAsync();
        Assert.Contains("not found in the models folder", body);
        Assert.DoesNotContain(Path.GetDirectoryName(app.Models.Folder)!, body);
    }
}

/// <summary>The app in Production with a narrator that fails unexpectedly: still JSON, no stack trace, no path.</summary>
public sealed class ProductionAppFixture : NarratorAppFixture
{
    protected override string EnvironmentName => "Production";

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<INarrator>(sp => new FailingListNarrator(sp.GetRequiredService<NarratorEngine>(), sp.GetRequiredService<ModelCatalog>().Folder));

    /// <summary>Listing models throws, as an unforeseen bug would, with a server path in its message.</summary>
    private sealed class FailingListNarrator(INarrator inner, string folder) : INarrator
    {
        public NarratorStatus Status => inner.Status;
        public NarrationLimits Limits => inner.Limits;
        public event Action? Changed { add => inner.Changed += value; remove => inner.Changed -= value; }
        public IReadOnlyList<ModelInfo> ListModels() => throw new InvalidOperationException($"unforeseen failure reading {folder}/narrator.gguf");
        public Task SwitchModelAsync(string name, CancellationToken cancellationToken = default) => inner.SwitchModelAsync(name, cancellationToken);
        /// <summary>Submitting <see cref="BugPrompt"/> fails as a bug in the engine would.</summary>
        public NarrationRun Submit(string clientId, NarrationRequest request, CancellationToken cancellationToken) =>
            request.Prompt == BugPrompt ? throw new InvalidOperationException("unforeseen state in the queue") : inner.Submit(clientId, request, cancellationToken);
        public PromptFit Fit(string prompt) => inner.Fit(prompt);
        public VisualNarrator.Engine.Generation.PromptFormat Prompts => inner.Prompts;
    }

    /// <summary>The prompt whose submission fails unexpectedly.</summary>
    public const string BugPrompt = "an unforeseen bug";
}

public sealed class ProductionErrorTests(ProductionAppFixture app) : IClassFixture<ProductionAppFixture>
{
    [Fact]
    public async Task An_internal_failure_is_a_500_json_error_without_details()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Equal("internal_error", error.GetProperty("code").GetString());
        Assert.DoesNotContain("unforeseen", body);
        Assert.DoesNotContain(app.Models.Folder, body);
        Assert.DoesNotContain(" at ", body);
    }

    [Fact]
    public async Task An_unexpected_InvalidOperationException_is_a_500_not_model_not_loaded()
    {
        // Only NoModelLoadedException means 503 model_not_loaded; any other InvalidOperationException is a bug.
        using var client = app.CreateClient();
        using var response = await client.PostAsync("/v1/completions", new StringContent(
            $$"""{"prompt":"{{ProductionAppFixture.BugPrompt}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("internal_error", error.GetProperty("code").GetString());
        Assert.DoesNotContain("unforeseen", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("lone high surrogate in prompt")]
    [InlineData("GET on a POST route")]
    [InlineData("unknown /v1 route")]
    [InlineData("body over the limit")]
    [InlineData("content part with a numeric type")]
    public async Task Client_faults_get_the_same_json_errors_in_production(string name)
    {
        var request = HostileRequests.Fixed(1 << 20).Single(c => c.Name == name);
        using var client = app.CreateClient();
        using var message = request.ToMessage(null);
        using var response = await client.SendAsync(message);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Null(HostileRequests.Problem(request, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, [app.Models.Folder]));
    }
}
