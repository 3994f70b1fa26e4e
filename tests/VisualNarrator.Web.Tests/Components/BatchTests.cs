using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Components.Pages;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Components;

public sealed class BatchTests : BunitTestBase
{
    [Fact]
    public async Task A_scene_file_is_narrated_with_progress_cancelled_resumed_and_downloaded()
    {
        var cut = Render<Batch>();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("#batch-composer").GetAttribute("data-ready")));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("a beach\na forest\na city\na lake\na hill\n", "scenes.txt"));
        cut.WaitForAssertion(() => Assert.Contains("scenes.txt: 5 scenes", cut.Find("[data-testid=batch-file-name]").TextContent));

        Trigger(cut, () => cut.Find("#batch-start").Click());
        // Four at a time through the shared narrator, as a batch client.
        var subs = await Narrator.WaitForSubmissions(4);
        Assert.All(subs, s => Assert.StartsWith("batch:", s.ClientId));
        Assert.Equal("Describe this image: a beach", subs[0].Request.Prompt);
        subs[0].Emit(" Sand.");
        subs[0].Finish();
        cut.WaitForAssertion(() => Assert.Contains("1 of 5 narrated", cut.Find("[data-testid=batch-summary]").TextContent));
        Assert.Equal("done", cut.FindAll("[data-testid=batch-item]")[0].GetAttribute("data-status"));
        Assert.Equal("1 of 5 scenes finished", cut.Find("[data-testid=batch-progress]").GetAttribute("aria-valuetext"));

        // Cancel: the rest are marked cancelled, and a resume runs only those.
        Trigger(cut, () => cut.Find("#batch-cancel").Click());
        cut.WaitForAssertion(() => Assert.Contains("4 cancelled", cut.Find("[data-testid=batch-summary]").TextContent));
        cut.WaitForAssertion(() => Assert.Contains("Resume (4 left)", cut.Find("#batch-start").TextContent));
        Trigger(cut, () => cut.Find("#batch-start").Click());
        var resumed = (await Narrator.WaitForSubmissions(8)).Skip(5).ToList();
        Assert.DoesNotContain(resumed, s => s.Request.Prompt.EndsWith("a beach"));
        foreach (var s in Narrator.Submissions.Skip(5)) { s.Emit(" Fine."); s.Finish(); }
        var last = (await Narrator.WaitForSubmissions(9))[8];
        last.Emit(" Last.");
        last.Finish();
        cut.WaitForAssertion(() => Assert.Contains("5 of 5 narrated. Finished.", cut.Find("[data-testid=batch-summary]").TextContent));

        Trigger(cut, () => cut.Find("#batch-download-jsonl").Click());
        var download = JSInterop.Invocations.Single(i => i.Identifier == "narrator.download");
        Assert.Equal("scenes-narrations.jsonl", download.Arguments[0]);
        var lines = ((string)download.Arguments[2]!).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(5, lines.Count);
        Assert.Equal("Sand.", lines[0].GetProperty("narration").GetString());
        Assert.Equal(["1", "2", "3", "4", "5"], lines.Select(l => l.GetProperty("id").GetString()));
    }

    [Fact]
    public void A_bad_file_says_what_is_wrong()
    {
        var cut = Render<Batch>();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("#batch-composer").GetAttribute("data-ready")));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("text\nhello\n", "scenes.csv"));
        cut.WaitForAssertion(() => Assert.Contains("scenes.csv, line 1: the header needs a 'scene' column", cut.Find("[data-testid=batch-error]").TextContent));
    }
}
