using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using VisualNarrator.CommandLine;
using VisualNarrator.Web;

namespace VisualNarrator.LoadTest;

/// <summary>The web app started in this process on 127.0.0.1 at a free port, as the app's own entry point would
/// (same builder, same endpoints), for runs given <c>--model</c> rather than <c>--url</c>.</summary>
public sealed class InProcessApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessApp(WebApplication app) => _app = app;

    /// <summary>The app's base address.</summary>
    public Uri Url => new(_app.Urls.First());

    /// <summary>The app's services (to read its models folder and limits).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the app with <paramref name="model"/> and further app arguments (<c>--Narrator:Threads=1</c>, ...;
    /// later ones win), logging warnings and errors of its own only: the framework's notes about the studio's files,
    /// which a run does not use, would bury the report.</summary>
    /// <exception cref="UsageException">The app refused its settings or could not listen.</exception>
    public static async Task<InProcessApp> StartAsync(string model, IEnumerable<string> appArgs)
    {
        string[] args = ["--model", model, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Error", .. appArgs];
        WebApplication? app = null;
        try
        {
            app = NarratorApp.Configure(NarratorApp.CreateBuilder(args).Build());
            await app.StartAsync();
            return new InProcessApp(app);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or IOException)
        {
            // The same faults the app's own entry point reports in one line (a bad setting, an unreadable key file).
            if (app is not null) await app.DisposeAsync();
            throw new UsageException($"the app did not start: {ex.Message}");
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
