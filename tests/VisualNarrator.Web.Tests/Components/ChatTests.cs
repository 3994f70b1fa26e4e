using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Components.Pages;
using VisualNarrator.Web.Components.Shared;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Components;

public sealed class ChatTests : BunitTestBase
{
    private IRenderedComponent<Chat> RenderChat()
    {
        var cut = Render<Chat>();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("#composer").GetAttribute("data-ready")));
        return cut;
    }

    private static void Type(IRenderedComponent<Chat> cut, string text)
    {
        Trigger(cut, () => cut.Find("#scene-input").Input(text));
        Trigger(cut, () => cut.Find("#scene-input").KeyDown(new KeyboardEventArgs { Key = "Enter" }));
    }

    [Fact]
    public async Task A_scene_goes_into_the_template_and_the_narration_renders_as_it_streams()
    {
        var cut = RenderChat();
        Type(cut, "a busy city street");
        var s = (await Narrator.WaitForSubmissions(1))[0];
        Assert.Equal("Describe this image: a busy city street", s.Request.Prompt);
        // Each narration draws its own seed unless the seed is fixed.
        var seed = s.Request.Sampling.Seed;
        Assert.Equal(SamplingPresetTable.Narrator with { Seed = seed }, s.Request.Sampling);
        cut.WaitForAssertion(() => Assert.Equal("", cut.Find("#scene-input").GetAttribute("value") ?? ""));

        s.Emit("A");
        cut.WaitForAssertion(() => Assert.Equal("A", Text(cut)));
        Assert.NotEmpty(cut.FindAll("[data-testid=stop]"));
        Assert.Equal("true", cut.Find("[data-testid=narration]").GetAttribute("aria-busy"));
        s.Emit(" crowded");
        cut.WaitForAssertion(() => Assert.Equal("A crowded", Text(cut)));
        s.Emit(" street.", 0.9f);
        cut.WaitForAssertion(() => Assert.Equal("A crowded street.", Text(cut)));
        // The live region has the first whole sentence while the narration still runs.
        cut.WaitForAssertion(() => Assert.Equal("A crowded street.", cut.Find("[data-testid=live-region]").TextContent));
        s.Emit(" Cars");
        s.Finish(FinishReason.Length);

        cut.WaitForAssertion(() => Assert.Contains("4 generated", cut.Find("[data-testid=narration-stats]").TextContent));
        var stats = cut.Find("[data-testid=narration-stats]").TextContent;
        Assert.Contains("9 prompt tokens", stats);
        Assert.Contains("first token 42 ms", stats);
        Assert.Contains("25.5 tokens/s", stats);
        Assert.Contains("hit max tokens", stats);
        Assert.Contains($"seed {seed}", stats);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=stop]")));
        cut.WaitForAssertion(() => Assert.Equal("Cars Narration finished.", cut.Find("[data-testid=live-region]").TextContent));
        cut.WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier == "sessionStorage.setItem"));
        // History goes to session storage.
        var saved = JSInterop.Invocations.Last(i => i.Identifier == "sessionStorage.setItem");
        Assert.Equal(BrowserStorage.HistoryKey, saved.Arguments[0]);
        Assert.Contains("A crowded street. Cars", (string)saved.Arguments[1]!);
        Assert.DoesNotContain("\"interrupted\":true", (string)saved.Arguments[1]!);
    }

    /// <summary>Waits until no narration runs (Regenerate is offered and enabled).</summary>
    private static void WaitIdle(IRenderedComponent<Chat> cut) => cut.WaitForAssertion(() =>
    {
        Assert.Empty(cut.FindAll("[data-testid=stop]"));
        Assert.False(cut.Find("[data-testid=regenerate]").HasAttribute("disabled"));
    });

    private static string Text(IRenderedComponent<Chat> cut) => cut.Find("[data-testid=narration-text]").TextContent.Replace("▍", "");

    [Fact]
    public async Task Stop_cancels_the_narration_and_keeps_what_was_written()
    {
        var cut = RenderChat();
        Type(cut, "Generate a caption: a concert");
        var s = (await Narrator.WaitForSubmissions(1))[0];
        Assert.Equal("Generate a caption: a concert", s.Request.Prompt);
        s.Emit("Musicians");
        cut.WaitForAssertion(() => Assert.Equal("Musicians", Text(cut)));
        Trigger(cut, () => cut.Find("[data-testid=stop]").Click());
        cut.WaitForAssertion(() => Assert.True(s.Token.IsCancellationRequested));
        cut.WaitForAssertion(() => Assert.Contains("stopped", cut.Find("[data-testid=narration-stats]").TextContent));
        Assert.Equal("Musicians", Text(cut));
        Assert.Contains("Narration stopped.", cut.Find("[data-testid=live-region]").TextContent);
        Assert.False(cut.Find("#send").HasAttribute("disabled") && cut.Find("#scene-input").GetAttribute("value") is { Length: > 0 });
    }

    [Fact]
    public async Task Escape_stops_and_closing_the_circuit_cancels()
    {
        var cut = RenderChat();
        Type(cut, "a forest");
        var s = (await Narrator.WaitForSubmissions(1))[0];
        Trigger(cut, () => cut.Find("#scene-input").KeyDown(new KeyboardEventArgs { Key = "Escape" }));
        cut.WaitForAssertion(() => Assert.True(s.Token.IsCancellationRequested));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=stop]")));

        Type(cut, "a lake");
        var second = (await Narrator.WaitForSubmissions(2))[1];
        Assert.False(second.Token.IsCancellationRequested);
        await DisposeComponentsAsync();
        Assert.True(second.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Regenerate_and_renarrate_use_the_current_settings()
    {
        var cut = RenderChat();
        Type(cut, "a kitchen");
        var first = (await Narrator.WaitForSubmissions(1))[0];
        first.Emit("One.");
        first.Finish();
        WaitIdle(cut);

        Trigger(cut, () => cut.Find("#sampling-Temperature").Input("0"));
        Trigger(cut, () => cut.Find("[data-testid=regenerate]").Click());
        var regenerated = (await Narrator.WaitForSubmissions(2))[1];
        Assert.Equal(first.Request.Prompt, regenerated.Request.Prompt);
        Assert.Equal(0f, regenerated.Request.Sampling.Temperature);
        regenerated.Emit("Two.");
        regenerated.Finish();
        WaitIdle(cut);
        Assert.Equal("Two.", Text(cut));
        Assert.Single(cut.FindAll("[data-testid=turn]"));

        Trigger(cut, () => cut.Find("#sampling-TopK").Input("5"));
        cut.WaitForAssertion(() => Assert.Equal("5", cut.Find("#sampling-TopK").GetAttribute("value")));
        Trigger(cut, () => cut.Find("#sampling-renarrate").Click());
        var renarrated = (await Narrator.WaitForSubmissions(3))[2];
        Assert.Equal(first.Request.Prompt, renarrated.Request.Prompt);
        Assert.Equal(5, renarrated.Request.Sampling.TopK);
        renarrated.Finish();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=turn]").Count));
    }

    [Fact]
    public async Task Edit_puts_the_prompt_back_and_copy_uses_the_clipboard()
    {
        var cut = RenderChat();
        Type(cut, "a classroom");
        var s = (await Narrator.WaitForSubmissions(1))[0];
        s.Emit(" Students.");
        s.Finish();
        WaitIdle(cut);
        Trigger(cut, () => cut.Find("[data-testid=edit]").Click());
        cut.WaitForAssertion(() => Assert.Equal("a classroom", cut.Find("#scene-input").GetAttribute("value")));
        Trigger(cut, () => cut.Find("[data-testid=copy]").Click());
        cut.WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier == "navigator.clipboard.writeText"));
        var copy = JSInterop.Invocations.Single(i => i.Identifier == "navigator.clipboard.writeText");
        Assert.Equal("Students.", copy.Arguments[0]);
    }

    [Fact]
    public async Task A_narration_is_plain_text_with_one_tab_stop_and_inspect_mode_shows_tokens()
    {
        var cut = RenderChat();
        Type(cut, "a beach");
        var s = (await Narrator.WaitForSubmissions(1))[0];
        s.Emit(" White", 0.9f);
        s.Emit(" sand", 0.62f, new TokenAlternative(102, " sand", 0.62f), new TokenAlternative(7, " water", 0.2f));
        s.Emit(" drift", 0.05f);
        s.Emit("wood.", 0.9f);
        s.Finish();
        WaitIdle(cut);

        // Plain text, no leading space, no per-token controls; the article is the one tab stop, its buttons are not.
        var text = cut.Find("[data-testid=narration-text]");
        Assert.Equal("White sand driftwood.", text.TextContent);
        Assert.Empty(text.QuerySelectorAll("button, [tabindex]"));
        Assert.Equal("0", cut.Find("[data-testid=turn]").GetAttribute("tabindex"));
        Assert.All(cut.FindAll(".turn-actions button"), b => Assert.Equal("-1", b.GetAttribute("tabindex")));
        Assert.Empty(cut.FindAll("[data-testid=token-legend]"));

        // Inspect mode: tokens with the low-probability marking explained, the first token inspected, then any clicked.
        Trigger(cut, () => cut.Find("[data-testid=inspect]").Click());
        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-testid=narration-text] .tok").Count));
        Assert.Equal("White sand driftwood.", cut.Find("[data-testid=narration-text]").TextContent);
        Assert.Single(cut.FindAll("[data-testid=narration-text] .tok.p-low"));
        Assert.Contains("under 15% probability", cut.Find("[data-testid=token-legend]").TextContent);
        Assert.Contains("Token 1 of 4", cut.Find("[data-testid=token-inspector]").TextContent);
        Trigger(cut, () => cut.Find("[data-testid=token-next]").Click());
        var inspector = cut.Find("[data-testid=token-inspector]");
        Assert.Contains("␣sand", inspector.TextContent);
        Assert.Contains("62%", inspector.TextContent);
        Assert.Contains("␣water", inspector.TextContent);
        Assert.Contains("20%", inspector.TextContent);
        Trigger(cut, () => cut.FindAll("[data-testid=narration-text] .tok")[2].Click());
        Assert.Contains("␣drift", cut.Find("[data-testid=token-inspector]").TextContent);
        Assert.Contains("5.0%", cut.Find("[data-testid=token-inspector]").TextContent);

        // And back to plain text.
        Trigger(cut, () => cut.Find("[data-testid=inspect]").Click());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=token-inspector]")));
    }

    [Fact]
    public async Task A_running_narration_is_kept_in_session_storage_and_comes_back_marked_interrupted()
    {
        var cut = RenderChat();
        Type(cut, "a harbour");
        var s = (await Narrator.WaitForSubmissions(1))[0];
        s.Emit(" Boats");
        cut.WaitForAssertion(() => Assert.Equal("Boats", Text(cut)));
        // Saved when it started, marked interrupted while it runs.
        var saved = JSInterop.Invocations.Last(i => i.Identifier == "sessionStorage.setItem");
        var turns = JsonSerializer.Deserialize<List<NarrationTurn>>((string)saved.Arguments[1]!, BrowserStorage.Json)!;
        Assert.True(Assert.Single(turns).Interrupted);
        Assert.Equal("Describe this image: a harbour", turns[0].Prompt);

        // What a reload restores.
        var restored = turns[0];
        restored.Text = "Boats";
        await DisposeComponentsAsync();
        JSInterop.Setup<string?>("sessionStorage.getItem", BrowserStorage.HistoryKey).SetResult(JsonSerializer.Serialize(new[] { restored }, BrowserStorage.Json));
        var again = RenderChat();
        again.WaitForAssertion(() => Assert.Contains("Interrupted", again.Find("[data-testid=interrupted]").TextContent));
        Assert.Equal("Boats", Text(again));
        Assert.False(again.Find("[data-testid=regenerate]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Invalid_settings_disable_narrate_and_a_fixed_seed_is_used_as_is()
    {
        var cut = RenderChat();
        Trigger(cut, () => cut.Find("#scene-input").Input("a garden"));
        cut.WaitForAssertion(() => Assert.False(cut.Find("#send").HasAttribute("disabled")));
        Trigger(cut, () => cut.Find("#sampling-TopP").Input("abc"));
        cut.WaitForAssertion(() => Assert.True(cut.Find("#send").HasAttribute("disabled")));
        cut.WaitForAssertion(() => Assert.Contains("Narrate is off", cut.Find("[data-testid=settings-invalid]").TextContent));
        // It names the field and takes the user there.
        Trigger(cut, () => cut.Find("[data-testid=settings-invalid] button").Click());
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "narrator.focus" && (string)i.Arguments[0]! == "sampling-TopP");
        Trigger(cut, () => cut.Find("#sampling-TopP").Input("0.9"));
        cut.WaitForAssertion(() => Assert.False(cut.Find("#send").HasAttribute("disabled")));

        Trigger(cut, () => cut.Find("#sampling-fixed-seed").Change(true));
        Trigger(cut, () => cut.Find("#sampling-Seed").Input("1234"));
        Trigger(cut, () => cut.Find("#scene-input").KeyDown(new KeyboardEventArgs { Key = "Enter" }));
        var s = (await Narrator.WaitForSubmissions(1))[0];
        Assert.Equal(1234u, s.Request.Sampling.Seed);
        Assert.Equal(0.9f, s.Request.Sampling.TopP);
        s.Finish();
        cut.WaitForAssertion(() => Assert.Contains("seed 1234 (fixed)", cut.Find("[data-testid=narration-stats]").TextContent));
    }

    [Fact]
    public async Task Queue_position_input_limit_and_errors_are_visible()
    {
        Narrator.QueuePosition = 3;
        var cut = RenderChat();
        Type(cut, "a subway station");
        var s = (await Narrator.WaitForSubmissions(1))[0];
        cut.WaitForAssertion(() => Assert.Contains("Queued: position 3", cut.Find("[data-testid=queue-position]").TextContent));
        // The scheduler pushes each new place; the page shows it without asking.
        s.Queued(2);
        cut.WaitForAssertion(() => Assert.Contains("Queued: position 2", cut.Find("[data-testid=queue-position]").TextContent));
        Narrator.QueuePosition = 0;
        s.Emit("Trains.");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=queue-position]")));
        s.Finish();

        WaitIdle(cut);
        // The counter counts what the server counts: the prompt, template included.
        Trigger(cut, () => cut.Find("#scene-input").Input(new string('x', 1979)));
        cut.WaitForAssertion(() => Assert.Contains("2000/2000 characters with the template", cut.Markup));
        Assert.False(cut.Find("#send").HasAttribute("disabled"));
        Trigger(cut, () => cut.Find("#scene-input").Input(new string('x', 1980)));
        cut.WaitForAssertion(() => Assert.Contains("Too long: 2001 characters with the template; the limit is 2000.", cut.Markup));
        Assert.True(cut.Find("#send").HasAttribute("disabled"));
    }

    [Fact]
    public void Template_words_without_a_scene_show_an_error_instead_of_narrating()
    {
        var cut = RenderChat();
        Type(cut, "Describe this image:");
        cut.WaitForAssertion(() => Assert.Contains("the scene is empty", cut.Markup));
        Assert.Empty(Narrator.Submissions);
        // The circuit lives on: the next scene narrates.
        Type(cut, "a harbour");
        cut.WaitForAssertion(() => Assert.Single(Narrator.Submissions));
    }

    [Fact]
    public void History_is_restored_from_session_storage()
    {
        var turn = new NarrationTurn { Input = "a park", Prompt = "Describe this image: a park", Text = "Green trees.", Tokens = [new TokenView("Green trees.", 5, 0.5f, [])] };
        JSInterop.Setup<string?>("sessionStorage.getItem", BrowserStorage.HistoryKey).SetResult(JsonSerializer.Serialize(new[] { turn }, BrowserStorage.Json));
        var cut = RenderChat();
        Assert.Equal("Describe this image: a park", cut.Find("[data-testid=turn-prompt]").TextContent);
        Assert.Equal("Green trees.", Text(cut));
    }

    [Fact]
    public void Without_a_model_the_page_says_why_and_does_not_send()
    {
        Narrator.Status = new NarratorStatus(NarratorState.NoModel, null, "No model loaded: model 'narrator.gguf' was not found in /models.", "/models", 0, 0);
        var cut = RenderChat();
        Assert.Contains("No model loaded", cut.Find("[data-testid=no-model-banner]").TextContent);
        Trigger(cut, () => cut.Find("#scene-input").Input("a beach"));
        cut.WaitForAssertion(() => Assert.Contains("28/2000", cut.Markup));
        Assert.True(cut.Find("#send").HasAttribute("disabled"));
    }

    [Fact]
    public void Stored_history_leaves_out_the_oldest_turns_beyond_the_size_limit()
    {
        var turns = Enumerable.Range(0, 10).Select(i => new NarrationTurn { Prompt = $"p{i}", Text = new string('x', 1000) }).ToList();
        turns[^1].Running = true;
        var stored = NarrationTurn.ForStorage(turns, 5000);
        Assert.InRange(stored.Count, 1, 4);
        Assert.Equal("p9", stored[^1].Prompt);
        Assert.True(stored[^1].Interrupted);
        Assert.False(turns[^1].Interrupted);
        Assert.Equal(10, NarrationTurn.ForStorage(turns, 1 << 20).Count);
    }
}
