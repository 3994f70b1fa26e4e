using MudBlazor.Services;
using VisualNarrator.Web.Access;
using VisualNarrator.Web.Api;
using VisualNarrator.Web.Components;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web;

/// <summary>Builds the web app: Blazor (interactive server) with MudBlazor, the shared narration engine, the
/// OpenAI-compatible API and the health endpoint.</summary>
public static class NarratorApp
{
    /// <summary>Creates the builder with the app's services. Besides the usual configuration sources, <c>--model PATH</c>
    /// picks the start model (a path with a folder also makes that folder the models folder, unless
    /// <c>--models-folder</c> is given), <c>--models-folder DIR</c>, <c>--api-key KEY</c> and <c>--api-key-file FILE</c>
    /// set the same options; the environment variable <c>NARRATOR_API_KEY</c> sets the key too (below <c>--api-key</c>).</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // The app is this assembly whichever process hosts it (the load-test tool starts it in its own): its name finds
        // the static assets manifest.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(NarratorApp).Assembly.GetName().Name });
        if (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key)
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Narrator:ApiKey"] = key });
        var completeSwitches = NarratorSwitches.AddTo(builder.Configuration, args);
        builder.Services.AddOptions<NarratorOptions>().Bind(builder.Configuration.GetSection(NarratorOptions.Section))
            .PostConfigure(completeSwitches)
            .Validate(o => o.MaxSequences >= 1 && o.MaxWaiting >= 0 && o.MaxPromptTokens >= 2 && o.MaxNewTokensLimit >= 1 && o.MaxPromptCharacters >= 1,
                "Narrator: MaxSequences, MaxPromptTokens (>= 2), MaxNewTokensLimit and MaxPromptCharacters must be positive")
            .ValidateOnStart();
        builder.Services.AddStudioAccess();
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<NarratorEngine>();
        builder.Services.AddSingleton<INarrator>(sp => sp.GetRequiredService<NarratorEngine>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NarratorEngine>());
        builder.Services.AddScoped<BrowserStorage>();
        builder.Services.AddScoped<ClientIdentity>();
        // Snackbars at the bottom left, clear of the sampling panel's Re-narrate button at the top right.
        builder.Services.AddMudServices(c => c.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft);
        // The chat history comes back from session storage in one message (tokens with their alternatives): SignalR's
        // 32 KB default closes the circuit on a reload after a few long narrations.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = BrowserStorage.MaxValueBytes);
        return builder;
    }

    /// <summary>Adds middleware and endpoints.</summary>
    public static WebApplication Configure(WebApplication app)
    {
        // JSON errors in every environment: no developer page with a stack trace, no re-execution at a missing page.
        app.UseJsonErrors();
        app.UseStudioAccess();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapSignIn();
        app.MapNarratorApi();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>Environment variable holding the access key (keeps it out of the process list, unlike <c>--api-key</c>).</summary>
    public const string ApiKeyVariable = "NARRATOR_API_KEY";
}
