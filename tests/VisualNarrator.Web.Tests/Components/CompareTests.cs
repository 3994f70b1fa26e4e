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
        Trigger(cut, () => cut.Find("#compare-b-sampling-Temperature").Input("1.2"));
        Trigger(cut, () => cut.Find("#compare-input").Input("a sunset over mountains"));
        Trigger(cut, () => cut.Find("#compare-run").Click());

        var subs = await Narrator.WaitForSubmissions(2);
        var a = subs.Single(s => s.ClientId.EndsWith(":a"));
        var b = subs.Single(s => s.ClientId.EndsWith(":b"));
        Assert.Equal("Describe this image: a sunset over mountains", a.Request.Prompt);
        Assert.Equal(a.Request.Prompt, b.Request.Prompt);
        Assert.Equal(SamplingSettings.SeedModel, a.Request.Sampling);
        Assert.Equal(SamplingSettings.Creative with { Temperature = 1.2f }, b.Request.Sampling);

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
