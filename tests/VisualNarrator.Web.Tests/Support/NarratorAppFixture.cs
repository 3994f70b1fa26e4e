using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Tests.Support;

/// <summary>The real app on Kestrel at 127.0.0.1 on a free port, over a temp models folder.</summary>
public class NarratorAppFixture : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    protected virtual bool WithModels => true;
    protected virtual string? ApiKey => null;
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();
    protected virtual Engine.Models.ModelHyperparameters? Shape => null;
    protected virtual string EnvironmentName => "Development";

    /// <summary>Changes the models folder before the app starts.</summary>
    protected virtual void PrepareModels(ModelFolder models) { }

    /// <summary>Service overrides after the fixture's own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services) { }

    public ModelFolder Models { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;

    /// <summary>Every narration the app ran (the app's INarrator is wrapped to record them).</summary>
    public RecordingNarrator Recorder => (RecordingNarrator)Services.GetRequiredService<INarrator>();

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public virtual async Task InitializeAsync()
    {
        Models = new ModelFolder(WithModels, Shape);
        PrepareModels(Models);
        var settings = new Dictionary<string, string?>
        {
            ["Narrator:ModelsFolder"] = Models.Folder,
            ["Narrator:DefaultModel"] = "narrator.gguf",
            ["Narrator:ApiKey"] = ApiKey ?? "",
            ["Narrator:Threads"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in Settings) settings[k] = v;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(EnvironmentName);
            b.ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(settings));
            b.ConfigureTestServices(s =>
            {
                s.AddSingleton<INarrator>(sp => new RecordingNarrator(sp.GetRequiredService<NarratorEngine>()));
                ConfigureServices(s);
            });
        });
        _factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());
        if (WithModels) await WaitUntilReadyAsync();
    }

    /// <summary>Polls /health until the default model serves (it loads in the background).</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync("/health");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (body.GetProperty("status").GetString() == "ok") return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the app did not report a loaded model within 60 s");
    }

    public virtual async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        Models.Dispose();
    }
}

public sealed class ApiKeyAppFixture : NarratorAppFixture
{
    public const string Key = "sk-test-123";
    protected override string? ApiKey => Key;
}

public sealed class EmptyFolderAppFixture : NarratorAppFixture
{
    protected override bool WithModels => false;
}

public sealed class SwitchingAppFixture : NarratorAppFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Narrator:SwitchGracePeriod"] = "00:00:00.200" };
}

/// <summary>A slower model and a higher token limit, so a narration is still running when the test acts.</summary>
public sealed class SlowModelAppFixture : NarratorAppFixture
{
    protected override Engine.Models.ModelHyperparameters? Shape => ModelFolder.Slow;
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Narrator:MaxNewTokensLimit"] = "1900" };
}
