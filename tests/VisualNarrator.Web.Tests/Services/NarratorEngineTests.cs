using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Testing;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Services;

public sealed class NarratorEngineTests : IDisposable
{
    private readonly ModelFolder _models = new();

    private sealed class Env(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "test";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private Task<NarratorEngine> StartEngine(int maxSequences) => StartEngine(_models, new NarratorOptions { MaxSequences = maxSequences });

    private static async Task<NarratorEngine> StartEngine(ModelFolder models, NarratorOptions settings)
    {
        settings.ModelsFolder = models.Folder;
        settings.Threads = 1;
        var options = Options.Create(settings);
        var engine = new NarratorEngine(options, new ModelCatalog(options, new Env(Path.GetTempPath())), NullLogger<NarratorEngine>.Instance);
        await engine.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (engine.Status.State != NarratorState.Ready && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(NarratorState.Ready, engine.Status.State);
        return engine;
    }

    [Fact]
    public async Task Clients_take_turns_for_free_slots()
    {
        // The first narration holds the one slot until cancelled; the queued ones run milliseconds each.
        using var holding = new ModelFolder(shape: ModelFolder.Holding);
        using var engine = await StartEngine(holding, new NarratorOptions { MaxSequences = 1, DefaultModel = ModelFolder.HoldingModel });
        var greedy = SamplingSettings.Greedy with { StopStrings = [] };
        using var stopFirst = new CancellationTokenSource();
        var first = engine.Submit("A", new NarrationRequest("Describe this image: a city", greedy with { MaxNewTokens = 512 }), stopFirst.Token);
        var admissions = new AdmissionLog();
        NarrationRun Queue(string client, string id) => admissions.Submit(id,
            () => engine.Submit(client, new NarrationRequest("a street", greedy with { MaxNewTokens = 32 }), CancellationToken.None), r => r.Completion);
        var a2 = Queue("A", "A2");
        var a3 = Queue("A", "A3");
        var b1 = Queue("B", "B1");
        // A's second request waits behind A's first only; B's first goes before A's third.
        Assert.Equal(1, a2.QueuePosition);
        Assert.Equal(2, b1.QueuePosition);
        Assert.Equal(3, a3.QueuePosition);
        Assert.Equal(3, engine.Status.Waiting);
        // The place is pushed down the run's own stream, from the scheduler's one queue.
        await using (var updates = b1.Updates.GetAsyncEnumerator())
        {
            Assert.True(await updates.MoveNextAsync());
            Assert.Equal((NarrationStage.Queued, 2), (updates.Current.Stage, updates.Current.QueuePosition));
        }
        stopFirst.Cancel();
        Assert.Equal(["A2", "B1", "A3"], await admissions.OrderAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, engine.Status.Waiting);
        Assert.Equal(FinishReason.Cancelled, (await first.Completion).Finish);
    }

    [Fact]
    public async Task Cancelling_a_waiting_narration_withdraws_it()
    {
        using var engine = await StartEngine(maxSequences: 1);
        using var stopFirst = new CancellationTokenSource();
        using var stopSecond = new CancellationTokenSource();
        var first = engine.Submit("A", new NarrationRequest("a city", SamplingSettings.Greedy with { MaxNewTokens = 200 }), stopFirst.Token);
        var second = engine.Submit("B", new NarrationRequest("a city", SamplingSettings.Greedy), stopSecond.Token);
        Assert.Equal(1, second.QueuePosition);
        stopSecond.Cancel();
        var result = await second.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FinishReason.Cancelled, result.Finish);
        Assert.Equal(0, second.QueuePosition);
        Assert.Equal(0, engine.Status.Waiting);
        stopFirst.Cancel();
        await first.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Disposing_the_engine_ends_running_and_waiting_narrations_as_cancelled()
    {
        var engine = await StartEngine(maxSequences: 1);
        var running = engine.Submit("A", new NarrationRequest("a city", SamplingSettings.Greedy with { MaxNewTokens = 200 }), default);
        var waiting = engine.Submit("B", new NarrationRequest("a city", SamplingSettings.Greedy), default);
        engine.Dispose();
        Assert.Equal(FinishReason.Cancelled, (await waiting.Completion.WaitAsync(TimeSpan.FromSeconds(10))).Finish);
        await running.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Throws<ObjectDisposedException>(() => engine.Submit("C", new NarrationRequest("x", SamplingSettings.Greedy), default));
    }

    [Fact]
    public async Task Input_limits_are_refused_with_a_message()
    {
        using var engine = await StartEngine(maxSequences: 2);
        var tooLong = Assert.Throws<NarrationRejectedException>(() => engine.Submit("A", new NarrationRequest(new string('x', 2001), SamplingSettings.Greedy), default));
        Assert.Contains("the limit is 2000", tooLong.Message);
        var tooMany = Assert.Throws<NarrationRejectedException>(() => engine.Submit("A", new NarrationRequest("x", SamplingSettings.Greedy with { MaxNewTokens = 513 }), default));
        Assert.Contains("limit of 512", tooMany.Message);
        // The tiny model has a 256-token context.
        var noRoom = Assert.Throws<NarrationRejectedException>(() => engine.Submit("A", new NarrationRequest("x", SamplingSettings.Greedy with { MaxNewTokens = 255 }), default));
        Assert.Contains("leaves no room for a prompt", noRoom.Message);
        var invalid = Assert.Throws<NarrationRejectedException>(() => engine.Submit("A", new NarrationRequest("x", SamplingSettings.Greedy with { TopP = 0 }), default));
        Assert.Equal("TopP", invalid.Field);
        var empty = Assert.Throws<NarrationRejectedException>(() => engine.Submit("A", new NarrationRequest(" \n ", SamplingSettings.Greedy), default));
        Assert.Equal("Prompt", empty.Field);
        // One rule, one message: the scheduler's, as every surface (CLI, API, studio) gets it.
        Assert.Equal("the prompt is empty or only white space; give a scene or a prompt", empty.Message);
        Assert.Equal(0, engine.Status.Waiting);
    }

    [Fact]
    public void Paths_outside_the_models_folder_are_refused()
    {
        var options = Options.Create(new NarratorOptions { ModelsFolder = _models.Folder });
        var catalog = new ModelCatalog(options, new Env("/"));
        Assert.Equal(["narrator.gguf", "other.gguf"], catalog.List().Select(m => m.Name));
        Assert.Equal("narrator.gguf", catalog.Resolve("narrator.gguf").Name);
        Assert.Equal("narrator.gguf", catalog.Resolve("./sub/../narrator.gguf").Name);
        Assert.Contains("outside the models folder", Assert.Throws<ModelPathException>(() => catalog.Resolve("../outside.gguf")).Message);
        Assert.Contains("outside the models folder", Assert.Throws<ModelPathException>(() => catalog.Resolve(_models.Outside)).Message);
        Assert.Contains("outside the models folder", Assert.Throws<ModelPathException>(() => catalog.Resolve("/etc/passwd")).Message);
        Assert.Contains("not a .gguf file", Assert.Throws<ModelPathException>(() => catalog.Resolve("notes.txt")).Message);
        File.CreateSymbolicLink(Path.Combine(_models.Folder, "link.gguf"), _models.Outside);
        Assert.Contains("links outside", Assert.Throws<ModelPathException>(() => catalog.Resolve("link.gguf")).Message);
    }

    public void Dispose() => _models.Dispose();
}

public sealed class ModelSwitchingTests(SwitchingAppFixture app) : IClassFixture<SwitchingAppFixture>
{
    [Fact]
    public async Task Switching_models_needs_no_restart_and_ends_running_narrations_cleanly()
    {
        var narrator = app.Services.GetRequiredService<INarrator>();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"prompt":"a long road","max_tokens":240,"temperature":0,"stream":true}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: ", await reader.ReadLineAsync());

        await narrator.SwitchModelAsync("other.gguf");
        Assert.Equal("other.gguf", narrator.Status.Model!.Name);
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("other.gguf", health.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal("CPU", health.GetProperty("runs_on").GetString());
        Assert.Contains(health.GetProperty("devices").EnumerateArray(), d => d.GetProperty("name").GetString() == "CPU" && d.GetProperty("total").GetInt64() > 0);

        // The old model's narration finishes or is cancelled after the grace period; either way the stream closes properly.
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.EndsWith("data: [DONE]\n\n", rest);

        var answer = await client.PostAsync("/v1/completions", new StringContent("""{"prompt":"a beach","max_tokens":3}""", Encoding.UTF8, "application/json"));
        Assert.Equal("other.gguf", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model").GetString());

        await Assert.ThrowsAsync<ModelPathException>(() => narrator.SwitchModelAsync("../outside.gguf"));
        Assert.Equal("other.gguf", narrator.Status.Model!.Name);
        await narrator.SwitchModelAsync("narrator.gguf");
    }
}
