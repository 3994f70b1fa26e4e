using Microsoft.Playwright;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Browser;

/// <summary>The app in a real browser: Debian's Chromium driven by Playwright (never its own browser download), against the app on
/// Kestrel at 127.0.0.1 on a free port, with a tiny random model.</summary>
public sealed class ChatBrowserTests(NarratorAppFixture app) : IClassFixture<NarratorAppFixture>
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Screenshots land here (under the test output folder), as test artifacts.</summary>
    public static string ArtifactsFolder => Path.Combine(AppContext.BaseDirectory, "artifacts");

    private static async Task<(IPlaywright, IBrowser)> Launch()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        return (playwright, browser);
    }

    [SkippableFact]
    public async Task Type_a_scene_see_it_stream_then_temperature_0_gives_the_same_text_twice()
    {
        Skip.IfNot(File.Exists(Chromium), $"Debian's Chromium is not installed at {Chromium} (CI installs it: apt-get install -y chromium)");
        Directory.CreateDirectory(ArtifactsFolder);
        var (playwright, browser) = await Launch();
        IPage? page = null;
        try
        {
            page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
            var errors = new List<string>();
            page.PageError += (_, e) => errors.Add(e);
            await page.GotoAsync(app.BaseAddress.ToString());
            // Typing before the circuit is interactive would be lost: wait for the flag set after the first interactive render.
            await page.Locator("#composer[data-ready=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

            // Record every text the narration shows, to see it arrive in several renders.
            await page.EvaluateAsync("""
                () => {
                  window.__seen = [];
                  new MutationObserver(() => {
                    const t = document.querySelector('[data-testid=narration-text]');
                    if (t) window.__seen.push(t.textContent.replace('▍', ''));
                  }).observe(document.body, { subtree: true, childList: true, characterData: true });
                }
                """);
            await page.Locator("#scene-input").FillAsync("a busy city street");
            await page.Locator("#scene-input").PressAsync("Enter");
            var stats = page.Locator("[data-testid=narration-stats]");
            await stats.First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
            Assert.Contains("Describe this image: a busy city street", await page.Locator("[data-testid=turn-prompt]").First.TextContentAsync());
            var first = await Narration(page, 0);
            Assert.False(string.IsNullOrWhiteSpace(first));
            var seen = (await page.EvaluateAsync<string[]>("() => window.__seen")).Where(s => s.Length > 0).Distinct().ToList();
            Assert.True(seen.Count >= 2, $"the narration should arrive in several updates, saw {seen.Count}");
            Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second.StartsWith(p.First)), "each update extends the text");
            Assert.Contains("generated", await stats.First.TextContentAsync());

            // Temperature 0: the same prompt gives the same text twice (re-narrate runs the last prompt again).
            await page.Locator("#sampling-Temperature").FillAsync("0");
            await page.Locator("#sampling-Temperature").BlurAsync();
            await page.Locator("#sampling-renarrate").ClickAsync();
            await Assertions.Expect(stats).ToHaveCountAsync(2, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
            await page.Locator("#sampling-renarrate").ClickAsync();
            await Assertions.Expect(stats).ToHaveCountAsync(3, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
            var second = await Narration(page, 1);
            var third = await Narration(page, 2);
            Assert.False(string.IsNullOrWhiteSpace(second));
            Assert.Equal(second, third);

            // The token inspector opens on a token.
            await page.Locator("[data-testid=inspect]").Last.ClickAsync();
            await page.Locator(".tok").First.ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=token-inspector]")).ToContainTextAsync("%");

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsFolder, "chat.png"), FullPage = true });
            await page.Locator("#theme-toggle").ClickAsync();
            await page.WaitForTimeoutAsync(300);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsFolder, "chat-dark.png"), FullPage = true });
            Assert.Empty(errors);
        }
        catch when (page is not null)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsFolder, "failure.png"), FullPage = true });
            throw;
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    [SkippableFact]
    public async Task Compare_shows_both_narrations_with_their_measures()
    {
        Skip.IfNot(File.Exists(Chromium), $"Debian's Chromium is not installed at {Chromium} (CI installs it: apt-get install -y chromium)");
        Directory.CreateDirectory(ArtifactsFolder);
        var (playwright, browser) = await Launch();
        try
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
            await page.GotoAsync(new Uri(app.BaseAddress, "compare").ToString());
            await page.Locator("#compare-composer[data-ready=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
            await page.Locator("#compare-b-sampling-Temperature").FillAsync("0");
            await page.Locator("#compare-input").FillAsync("a tropical beach with palm trees");
            await page.Locator("#compare-input").PressAsync("Enter");
            await Assertions.Expect(page.Locator("[data-testid=measures-a]")).ToContainTextAsync("words", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("[data-testid=measures-b]")).ToContainTextAsync("repetition", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            Assert.Equal(2, await page.Locator("[data-testid=narration-stats]").CountAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsFolder, "compare.png"), FullPage = false });

            // The model picker lists the folder's models with their facts.
            await page.Locator("[data-testid=model-picker] button").First.ClickAsync();
            var menu = page.Locator(".model-menu");
            await Assertions.Expect(menu).ToContainTextAsync("other.gguf");
            await Assertions.Expect(menu).ToContainTextAsync("opt · F32");
            await Assertions.Expect(menu).ToContainTextAsync("context 256");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsFolder, "models.png") });
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    private static async Task<string> Narration(IPage page, int index) =>
        ((await page.Locator("[data-testid=narration-text]").Nth(index).TextContentAsync()) ?? "").Replace("▍", "");
}
