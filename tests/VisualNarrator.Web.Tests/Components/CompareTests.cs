using Bunit;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Web.Components.Pages;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Components;

public sealed class CompareTests : BunitTestBase
{
    [Fact]
    public async Task The_same_prompt_runs_under_both_settings_with_measures_under_each()
    {
        var cut = Render<Compare>();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("#compare-composer").GetAttribute("data-ready")));
        // Before anything runs each side is labelled, and the settings that differ are named and marked.
        Assert.Contains("Narration A", cut.Find("[data-testid=compare-a]").TextContent);
        Assert.Contains("Narration B", cut.Find("[data-testid=compare-b]").TextContent);
        Trigger(cut, () => cut.Find("#compare-b-sampling-Temperature").Input("1.2"));
        cut.WaitForAssertion(() => Assert.Contains("Temperature", cut.Find("[data-testid=compare-differences]").TextContent));
        Assert.Contains("differs", cut.Find("#compare-a-sampling-Temperature").Closest(".mud-input-control")!.ClassName);
        Assert.DoesNotContain("differs", cut.Find("#compare-a-sampling-MaxNewTokens").Closest(".mud-input-control")!.ClassName);
        Trigger(cut, () => cut.Find("#compare-input").Input("a sunset over mountains"));
        Trigger(cut, () => cut.Find("#compare-run").Click());

        var subs = await Narrator.WaitForSubmissions(2);
        var a = subs.Single(s => s.ClientId.EndsWith(":a"));
        var b = subs.Single(s => s.ClientId.EndsWith(":b"));
        Assert.Equal("Describe this image: a sunset over mountains", a.Request.Prompt);
        Assert.Equal(a.Request.Prompt, b.Request.Prompt);
        Assert.Equal(SamplingSettings.SeedModel with { Seed = a.Request.Sampling.Seed }, a.Request.Sampling);
        Assert.Equal(SamplingSettings.Creative with { Temperature = 1.2f, Seed = b.Request.Sampling.Seed }, b.Request.Sampling);
        // Until the first token each side shows a spinner.
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=first-token-spinner]").Count));

        a.Emit("A beautiful red sunset over calm mountains.");
        a.Finish();
        b.Emit("the sky the sky the sky the sky");
        b.Finish();
        cut.WaitForAssertion(() =>
        {
            Assert.NotEmpty(cut.FindAll("[data-testid=measures-a]"));
            Assert.NotEmpty(cut.FindAll("[data-testid=measures-b]"));
        });
        // PTB words without punctuation: 7; adjectives from the lexicon: beautiful, red, calm.
        Assert.Equal("7", cut.Find("[data-testid=length-a]").TextContent);
        Assert.Equal("3", cut.Find("[data-testid=adjectives-a]").TextContent);
        Assert.Equal("0%", cut.Find("[data-testid=repetition-a]").TextContent);
        // 8 words, 6 trigrams, 4 repeat an earlier one: 67%.
        Assert.Equal("8", cut.Find("[data-testid=length-b]").TextContent);
        Assert.Equal("0", cut.Find("[data-testid=adjectives-b]").TextContent);
        Assert.Equal("67%", cut.Find("[data-testid=repetition-b]").TextContent);
        Assert.Contains("A beautiful red sunset", cut.Find("[data-testid=compare-a]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=first-token-spinner]"));

        // Copy A to B: no differences left.
        Trigger(cut, () => cut.Find("#compare-copy-a-to-b").Click());
        cut.WaitForAssertion(() => Assert.Contains("same settings", cut.Find("[data-testid=compare-differences]").TextContent));
        Assert.Equal("0.4", cut.Find("#compare-b-sampling-Temperature").GetAttribute("value"));
    }

    [Fact]
    public async Task Stop_cancels_both_sides()
    {
        var cut = Render<Compare>();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("#compare-composer").GetAttribute("data-ready")));
        Trigger(cut, () => cut.Find("#compare-input").Input("a family gathering"));
        Trigger(cut, () => cut.Find("#compare-run").Click());
        var subs = await Narrator.WaitForSubmissions(2);
        Trigger(cut, () => cut.Find("#compare-stop").Click());
        cut.WaitForAssertion(() => Assert.All(subs, s => Assert.True(s.Token.IsCancellationRequested)));
    }
}
