using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Browser;

/// <summary>Narrator Studio as people use it, in a real browser (one app and one browser for all, <see cref="StudioFixture"/>).</summary>
public sealed class StudioBrowserTests(StudioFixture app) : IClassFixture<StudioFixture>
{
    private static readonly LocatorWaitForOptions Long = new() { Timeout = 60_000 };

    /// <summary>A fresh browser context (own storage, clipboard allowed) on <paramref name="path"/>, once interactive.</summary>
    private async Task<(IBrowserContext, IPage)> Open(string path, int width = 1400, int height = 1000, string ready = "#composer")
    {
        Skip.If(app.Browser is null, $"Debian's Chromium is not installed at {StudioFixture.Chromium} (CI installs it: apt-get install -y chromium)");
        var context = await app.Browser!.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();
        page.Console += (_, m) => File.AppendAllText(Path.Combine(StudioFixture.ArtifactsFolder, "console.log"), $"{m.Type}: {m.Text}\n");
        await page.GotoAsync(new Uri(app.BaseAddress, path).ToString());
        // Input typed before the circuit is interactive would be lost; the composer says when it is.
        await page.Locator($"{ready}[data-ready=true]").WaitForAsync(Long);
        return (context, page);
    }

    private static async Task Narrate(IPage page, string scene)
    {
        var before = await page.Locator("[data-testid=narration-stats]").CountAsync();
        await page.Locator("#scene-input").FillAsync(scene);
        await page.Locator("#scene-input").PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=narration-stats]")).ToHaveCountAsync(before + 1, new() { Timeout = 60_000 });
    }

    private static async Task<string> Narration(IPage page, int index) =>
        ((await page.Locator("[data-testid=narration-text]").Nth(index).TextContentAsync()) ?? "").Replace("▍", "");

    private static async Task Renarrate(IPage page)
    {
        var before = await page.Locator("[data-testid=narration-stats]").CountAsync();
        await page.Locator("#sampling-renarrate").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=narration-stats]")).ToHaveCountAsync(before + 1, new() { Timeout = 60_000 });
    }

    private static async Task Run(IBrowserContext context, IPage page, string name, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(StudioFixture.ArtifactsFolder, $"failure-{name}.png"), FullPage = true });
            throw;
        }
        finally
        {
            await context.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task A_narration_is_selectable_text_copied_without_a_leading_space_one_tab_reaches_the_composer_and_seeds_vary_unless_fixed()
    {
        var (context, page) = await Open("/");
        await Run(context, page, "text", async () =>
        {
            var errors = new List<string>();
            page.PageError += (_, e) => errors.Add(e);
            await Narrate(page, "a busy city street");
            var text = await Narration(page, 0);
            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.False(char.IsWhiteSpace(text[0]), $"the narration starts with a space: '{text}'");

            // Drag across the narration with the mouse: the text is selected, from its first character.
            var box = (await page.Locator("[data-testid=narration-text]").First.BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(box.X + 1, box.Y + 4);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + box.Width - 1, box.Y + box.Height - 2, new() { Steps = 5 });
            await page.Mouse.UpAsync();
            var selected = await page.EvaluateAsync<string>("() => getSelection().toString()");
            Assert.False(string.IsNullOrEmpty(selected), "dragging across the narration selected nothing");
            Assert.False(char.IsWhiteSpace(selected[0]), $"the selection starts with a space: '{selected}'");
            // Compared character by character: the random test model's text can put a combining mark right after the
            // 20th character, and a culture-aware comparison reads the two as one letter that the prefix does not have.
            Assert.StartsWith(Normal(selected)[..Math.Min(20, Normal(selected).Length)], Normal(text), StringComparison.Ordinal);

            // The copy button puts the same text on the clipboard, without a leading space.
            // The write happens after a round trip to the server, so the clipboard is read until it has something.
            await page.Locator("[data-testid=copy]").First.ClickAsync();
            var copied = "";
            for (var clock = Stopwatch.StartNew(); copied.Length == 0 && clock.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(50))
                copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
            Assert.Equal(text.Trim(), copied);

            // A narration is one tab stop: one Tab from it reaches the composer.
            await page.Locator("[data-testid=turn]").Last.FocusAsync();
            await page.Keyboard.PressAsync("Tab");
            Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.closest('#composer') !== null"),
                "one Tab from the narration should land in the composer, landed on: " + await page.EvaluateAsync<string>("() => document.activeElement.outerHTML.slice(0, 200)"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(StudioFixture.ArtifactsFolder, "chat.png"), FullPage = true });

            // Seeds: narrations of the same prompt draw their own seeds (shown in the stats line) and differ; three of
            // them, since two short narrations of the tiny test model can come out the same under different seeds...
            await Renarrate(page);
            await Renarrate(page);
            await Renarrate(page);
            var stats = page.Locator("[data-testid=narration-seed]");
            var seeds = new List<string?>();
            var texts = new List<string>();
            for (var i = 1; i <= 3; i++)
            {
                seeds.Add(await stats.Nth(i).TextContentAsync());
                texts.Add(await Narration(page, i));
            }
            Assert.Equal(3, seeds.Distinct().Count());
            Assert.True(texts.Distinct().Count() > 1, "three narrations with three drawn seeds were all the same: " + texts[0]);
            // ... unless the seed is fixed.
            await page.Locator("#sampling-fixed-seed").CheckAsync();
            await Assertions.Expect(page.Locator("#sampling-Seed")).ToBeEnabledAsync();
            await Renarrate(page);
            await Renarrate(page);
            Assert.Equal("seed 42 (fixed)", await stats.Nth(5).TextContentAsync());
            Assert.Equal(await Narration(page, 4), await Narration(page, 5));
            Assert.Empty(errors);
        });
    }

    private static string Normal(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [SkippableFact]
    public async Task An_invalid_field_is_marked_at_the_field_and_narrate_is_disabled()
    {
        var (context, page) = await Open("/");
        await Run(context, page, "invalid", async () =>
        {
            await page.Locator("#scene-input").FillAsync("a harbour");
            await Assertions.Expect(page.Locator("#send")).ToBeEnabledAsync();
            var topP = page.Locator("#sampling-TopP");
            await topP.FillAsync("abc");
            await Assertions.Expect(topP).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(topP).ToHaveValueAsync("abc");
            var message = page.Locator(".mud-input-control", new() { Has = topP }).GetByText("Top-p must be a number, not 'abc'.");
            await Assertions.Expect(message).ToBeVisibleAsync();
            // The message is at the field: right under it, not at the top of the panel.
            var field = (await topP.BoundingBoxAsync())!;
            var at = (await message.BoundingBoxAsync())!;
            Assert.InRange(at.Y - (field.Y + field.Height), -2, 40);
            await Assertions.Expect(page.Locator("#send")).ToBeDisabledAsync();
            await Assertions.Expect(page.Locator("#sampling-renarrate")).ToBeDisabledAsync();
            // Beside Narrate, the invalid field is named; its button takes the user there.
            await page.Locator("[data-testid=settings-invalid]").GetByRole(AriaRole.Button, new() { Name = "Top-p" }).ClickAsync();
            await Assertions.Expect(topP).ToBeFocusedAsync();

            // Max new tokens is checked against the model's 2048-token context minus this prompt.
            await topP.FillAsync("0.9");
            await Assertions.Expect(page.Locator("#send")).ToBeEnabledAsync();
            var max = page.Locator("#sampling-MaxNewTokens");
            await max.FillAsync("2047");
            await Assertions.Expect(max).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(page.Locator(".mud-input-control", new() { Has = max })).ToContainTextAsync("the model's 2048-token context minus this prompt's");
            await Assertions.Expect(page.Locator("#send")).ToBeDisabledAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(StudioFixture.ArtifactsFolder, "invalid.png") });
        });
    }

    [SkippableFact]
    public async Task Esc_anywhere_stops_and_a_reload_mid_narration_keeps_the_turn_marked_interrupted()
    {
        var (context, page) = await Open("/");
        await Run(context, page, "reload", async () =>
        {
            await page.Locator("#sampling-MaxNewTokens").FillAsync("1800");
            await page.Locator("#sampling-Temperature").FillAsync("0");
            // Keep this random model from ending early: a strong repetition penalty that also counts the prompt, whose
            // BOS is the end token.
            await page.Locator("#sampling-RepetitionPenalty").FillAsync("10");
            await page.Locator("#sampling-PenalizePrompt").Locator("xpath=descendant-or-self::input").CheckAsync();
            await page.Locator("#scene-input").FillAsync("a long road through the hills");
            await page.Locator("#scene-input").PressAsync("Enter");
            await page.Locator("[data-testid=stop]").WaitForAsync(Long);
            // Focus away from the input (on the narration itself), then Esc.
            await page.Locator("[data-testid=turn]").Last.FocusAsync();
            await page.Keyboard.PressAsync("Escape");
            await Assertions.Expect(page.Locator("[data-testid=narration-stats]").Last).ToContainTextAsync("stopped", new() { Timeout = 30_000 });

            await page.Locator("#scene-input").FillAsync("a market at dawn");
            await page.Locator("#scene-input").PressAsync("Enter");
            await page.Locator("[data-testid=stop]").WaitForAsync(Long);
            await page.WaitForFunctionAsync("() => { const t = document.querySelectorAll('[data-testid=narration-text]'); return t.length === 2 && t[1].textContent.replace('▍', '').trim().length > 0; }", null, new() { Timeout = 30_000 });
            // Reload as soon as the page has stored the running turn with some text (about once a second while streaming),
            // rather than after a fixed wait that a fast engine can outlast.
            await page.WaitForFunctionAsync("() => { const h = JSON.parse(sessionStorage.getItem('narrator.history') || '[]'); return h.length === 2 && h[1].interrupted && (h[1].text || '').trim().length > 0; }", null, new() { Timeout = 30_000 });
            await page.ReloadAsync();
            await page.Locator("#composer[data-ready=true]").WaitForAsync(Long);
            var turns = page.Locator("[data-testid=turn]");
            await Assertions.Expect(turns).ToHaveCountAsync(2, new() { Timeout = 30_000 });
            await Assertions.Expect(turns.Nth(1).Locator("[data-testid=turn-prompt]")).ToHaveTextAsync("Describe this image: a market at dawn");
            await Assertions.Expect(turns.Nth(1).Locator("[data-testid=interrupted]")).ToBeVisibleAsync();
            Assert.False(string.IsNullOrWhiteSpace(await Narration(page, 1)));
            await Assertions.Expect(page.Locator("[data-testid=stop]")).ToHaveCountAsync(0);
        });
    }

    [SkippableFact]
    public async Task At_390_by_844_every_app_bar_control_is_inside_the_viewport()
    {
        var (context, page) = await Open("/", 390, 844);
        await Run(context, page, "phone", async () =>
        {
            var controls = page.Locator("header button, header a, header [data-testid=app-title]");
            var count = await controls.CountAsync();
            Assert.True(count >= 6, $"expected the title, three pages, the model and the theme toggle, found {count}");
            for (var i = 0; i < count; i++)
            {
                var c = controls.Nth(i);
                var box = await c.BoundingBoxAsync();
                var name = await c.GetAttributeAsync("aria-label") ?? await c.TextContentAsync();
                Assert.True(box is not null, $"'{name}' is not shown");
                Assert.True(box!.X >= 0 && box.X + box.Width <= 390 && box.Y >= 0 && box.Y + box.Height <= 844, $"'{name}' is at x {box.X}..{box.X + box.Width}, y {box.Y}..{box.Y + box.Height}");
            }
            var bar = (await page.Locator("header").First.BoundingBoxAsync())!;
            Assert.True(bar.Height <= 64, $"the app bar wraps: {bar.Height} px high");
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"), "the page scrolls sideways at 390 px");
            await page.ScreenshotAsync(new() { Path = Path.Combine(StudioFixture.ArtifactsFolder, "phone.png") });

            // At 360 px no page scrolls sideways.
            await page.SetViewportSizeAsync(360, 740);
            foreach (var (path, ready) in new[] { ("", "#composer"), ("compare", "#compare-composer"), ("batch", "#batch-composer") })
            {
                await page.GotoAsync(new Uri(app.BaseAddress, path).ToString());
                await page.Locator($"{ready}[data-ready=true]").WaitForAsync(Long);
                var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
                Assert.True(width <= 360, $"/{path} is {width} px wide at a 360 px viewport");
            }
        });
    }

    [SkippableFact]
    public async Task Axe_core_finds_no_wcag_aa_violations_in_the_light_and_dark_themes()
    {
        var axe = StudioFixture.AxeScript;
        Skip.If(axe is null, "axe-core is not installed: run 'npm ci' in tests/js (.ci/run does when node is present)");
        var (context, page) = await Open("/");
        await Run(context, page, "axe", async () =>
        {
            await Narrate(page, "a quiet library");
            await page.AddScriptTagAsync(new() { Path = axe });
            const string run = """
                async () => {
                  const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
                  if (r.passes.length < 10) return [`axe ran only ${r.passes.length} rules`];
                  return r.violations.map(v => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')).join(' | ')}`);
                }
                """;
            var light = await page.EvaluateAsync<string[]>(run);
            Assert.True(light.Length == 0, "light theme: " + string.Join("\n", light));
            await page.Locator("#theme-toggle").ClickAsync();
            await page.WaitForFunctionAsync("() => getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)'");
            await page.WaitForTimeoutAsync(300);
            var dark = await page.EvaluateAsync<string[]>(run);
            await page.ScreenshotAsync(new() { Path = Path.Combine(StudioFixture.ArtifactsFolder, "chat-dark.png"), FullPage = true });
            Assert.True(dark.Length == 0, "dark theme: " + string.Join("\n", dark));

            // The other pages, in both themes.
            foreach (var (path, ready) in new[] { ("compare", "#compare-composer"), ("batch", "#batch-composer") })
            {
                foreach (var toggle in new[] { false, true })
                {
                    if (toggle) await page.Locator("#theme-toggle").ClickAsync();
                    else await page.GotoAsync(new Uri(app.BaseAddress, path).ToString());
                    await page.Locator($"{ready}[data-ready=true]").WaitForAsync(Long);
                    await page.WaitForTimeoutAsync(300);
                    if (await page.EvaluateAsync<bool>("() => typeof axe === 'undefined'")) await page.AddScriptTagAsync(new() { Path = axe });
                    var theme = (await page.Locator("#theme-toggle").GetAttributeAsync("aria-label"))!.Contains("light") ? "dark" : "light";
                    var found = await page.EvaluateAsync<string[]>(run);
                    Assert.True(found.Length == 0, $"{path}, {theme} theme: " + string.Join("\n", found));
                }
            }

            // The theme is in a cookie: the next page is served dark, before any script runs.
            var html = await (await page.APIRequest.GetAsync(app.BaseAddress.ToString(), new() { Headers = new Dictionary<string, string> { ["Cookie"] = "narrator-theme=dark" } })).TextAsync();
            Assert.Contains("color-scheme: dark", html);
        });
    }

    [SkippableFact]
    public async Task A_20_line_batch_file_finishes_with_a_downloadable_jsonl_of_20_narrations()
    {
        var (context, page) = await Open("/batch", ready: "#batch-composer");
        await Run(context, page, "batch", async () =>
        {
            var file = Path.Combine(Path.GetTempPath(), $"scenes-{Guid.NewGuid():N}.txt");
            await File.WriteAllLinesAsync(file, Enumerable.Range(1, 20).Select(i => $"scene number {i}: a street with {i} cars"));
            try
            {
                await page.Locator("#batch-file").SetInputFilesAsync(file);
                await Assertions.Expect(page.Locator("[data-testid=batch-file-name]")).ToContainTextAsync("20 scenes");
                await page.Locator("#batch-sampling-MaxNewTokens").FillAsync("12");
                await page.Locator("#batch-start").ClickAsync();
                await Assertions.Expect(page.Locator("[data-testid=batch-summary]")).ToContainTextAsync("20 of 20 narrated. Finished.", new() { Timeout = 120_000 });
                await page.ScreenshotAsync(new() { Path = Path.Combine(StudioFixture.ArtifactsFolder, "batch.png"), FullPage = true });
                var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#batch-download-jsonl").ClickAsync());
                Assert.EndsWith("-narrations.jsonl", download.SuggestedFilename);
                var saved = Path.Combine(StudioFixture.ArtifactsFolder, download.SuggestedFilename);
                await download.SaveAsAsync(saved);
                var lines = (await File.ReadAllLinesAsync(saved)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                Assert.Equal(20, lines.Count);
                Assert.Equal(Enumerable.Range(1, 20).Select(i => i.ToString()), lines.Select(l => l.GetProperty("id").GetString()));
                Assert.All(lines, l =>
                {
                    Assert.Equal(JsonValueKind.Null, l.GetProperty("error").ValueKind);
                    Assert.InRange(l.GetProperty("generated_tokens").GetInt32(), 1, 12);
                    Assert.StartsWith("Describe this image: scene number", l.GetProperty("prompt").GetString());
                });
            }
            finally
            {
                File.Delete(file);
            }
        });
    }

    [SkippableFact]
    public async Task The_model_picker_switches_models_and_compare_labels_both_sides_for_the_readme_screenshot()
    {
        var (context, page) = await Open("/compare", ready: "#compare-composer");
        var narrator = (Web.Services.INarrator)app.Recorder;
        await Run(context, page, "compare", async () =>
        {
            // The picker lists the folder's models with their facts.
            await page.Locator("[data-testid=model-picker] button").First.ClickAsync();
            var menu = page.Locator(".model-menu");
            await Assertions.Expect(menu).ToContainTextAsync("other.gguf");
            await Assertions.Expect(menu).ToContainTextAsync("opt · F32");
            await Assertions.Expect(menu).ToContainTextAsync("context 2048");
            if (app.BuiltIn is { } builtIn)
            {
                await menu.GetByText(builtIn).ClickAsync();
                await Assertions.Expect(page.Locator("[data-testid=model-picker] button").First).ToContainTextAsync(builtIn, new() { Timeout = 60_000 });
            }
            else await page.Keyboard.PressAsync("Escape");

            // Compare: labelled sides, the differing settings named, both narrations with their measures.
            await Assertions.Expect(page.Locator("[data-testid=compare-differences]")).ToContainTextAsync("Temperature");
            await page.Locator("#compare-input").FillAsync("a busy city street at dusk");
            await page.Locator("#compare-input").PressAsync("Enter");
            await Assertions.Expect(page.Locator("[data-testid=measures-a]")).ToContainTextAsync("words", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("[data-testid=measures-b]")).ToContainTextAsync("repetition", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("[data-testid=compare-a]")).ToContainTextAsync("Narration A");
            await Assertions.Expect(page.Locator("[data-testid=compare-b]")).ToContainTextAsync("Narration B");
            await page.ScreenshotAsync(new() { Path = Path.Combine(StudioFixture.ArtifactsFolder, "compare.png") });

            // The studio as the README shows it: the chat with a narration and its token inspector.
            await page.SetViewportSizeAsync(1280, 760);
            await page.Locator("header a[href='/'], header button[aria-label=Chat]").First.ClickAsync();
            await page.Locator("#composer[data-ready=true]").WaitForAsync(Long);
            await Narrate(page, "a busy city street at dusk");
            await page.Locator("[data-testid=inspect]").Last.ClickAsync();
            await page.Locator("[data-testid=token-inspector]").WaitForAsync();
            await page.Mouse.MoveAsync(0, 0);
            if (await page.Locator(".mud-snackbar button").CountAsync() > 0) await page.Locator(".mud-snackbar button").First.ClickAsync();
            await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
            var shot = Path.Combine(StudioFixture.ArtifactsFolder, "studio.png");
            await page.ScreenshotAsync(new() { Path = shot });
            // VN_UPDATE_DOCS=1 refreshes the README's picture from this run.
            if (Environment.GetEnvironmentVariable("VN_UPDATE_DOCS") == "1") File.Copy(shot, Path.Combine(RepoRoot.Path, "docs", "studio.png"), overwrite: true);
        });
        if (app.BuiltIn is not null) await narrator.SwitchModelAsync("narrator.gguf");
    }
}
