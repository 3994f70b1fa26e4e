using Microsoft.Playwright;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Browser;

/// <summary>One app and one browser for every real-browser test (each start costs seconds): Debian's Chromium driven by
/// Playwright (never Playwright's own browser download), against the app on Kestrel at 127.0.0.1 on a free port, with
/// the slower random model so a narration is still running when a test reloads the page.</summary>
public sealed class StudioFixture : NarratorAppFixture
{
    public const string Chromium = "/usr/bin/chromium";

    protected override Engine.Models.ModelHyperparameters? Shape => ModelFolder.Slow;
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Narrator:MaxNewTokensLimit"] = "1900" };

    private IPlaywright? _playwright;

    /// <summary>The shared browser, or null when Chromium is not installed (the tests skip).</summary>
    public IBrowser? Browser { get; private set; }

    /// <summary>Screenshots land here (under the test output folder), as test artifacts.</summary>
    public static string ArtifactsFolder => Path.Combine(AppContext.BaseDirectory, "artifacts");

    /// <summary>axe-core from tests/js/node_modules (npm ci), or null when not installed.</summary>
    public static string? AxeScript =>
        Path.Combine(RepoRoot.Path, "tests", "js", "node_modules", "axe-core", "axe.min.js") is var p && File.Exists(p) ? p : null;

    /// <summary>The repository's built-in model, copied into the models folder for the README screenshot (real words
    /// read better than a random model's), or null when the clone has none.</summary>
    public string? BuiltIn { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var builtIn = Path.Combine(RepoRoot.Path, "models", "narrator.gguf");
        if (File.Exists(builtIn))
        {
            File.Copy(builtIn, Path.Combine(Models.Folder, "narrator-small.gguf"));
            BuiltIn = "narrator-small.gguf";
        }
        Directory.CreateDirectory(ArtifactsFolder);
        if (!File.Exists(Chromium)) return;
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
