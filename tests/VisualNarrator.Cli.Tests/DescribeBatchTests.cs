using System.Text.Json;
using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

/// <summary><c>narrator describe --input FILE --output FILE</c>: a file of scenes narrated into JSONL or CSV.</summary>
public sealed class DescribeBatchTests(TestModels models) : IClassFixture<TestModels>
{
    [Fact]
    public void A_csv_of_scenes_is_narrated_into_jsonl_and_csv_in_order()
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        var input = models.PathFor("scenes.csv");
        File.WriteAllText(input, "id,scene\nb1,a beach\nb2,\"a street, at night\"\nb3,a forest\n");
        var jsonl = models.PathFor("out.jsonl");
        var run = NarratorCli.Run("describe", "--model", path, "-n", "5", "--input", input, "--output", jsonl);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"narrator: 3 of 3 scenes narrated in", run.Stderr);
        var lines = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["b1", "b2", "b3"], lines.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal("Describe this image: a street, at night", lines[1].GetProperty("prompt").GetString());
        Assert.All(lines, l => Assert.InRange(l.GetProperty("generated_tokens").GetInt32(), 1, 5));
        Assert.False(File.Exists(jsonl + ".tmp"));

        var csv = models.PathFor("out.csv");
        run = NarratorCli.Run("describe", "--model", path, "-n", "5", "--template", "caption", "--input", input, "--output", csv);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var rows = File.ReadAllLines(csv);
        Assert.Equal("id,scene,narration,finish,seed,generated_tokens,error", rows[0]);
        Assert.StartsWith("b2,\"a street, at night\",", rows[2]);
    }

    [Theory]
    [InlineData("scenes.pdf", "x", "--output", "out.jsonl", "unknown scene file type '.pdf'")]
    [InlineData("scenes.txt", "a beach", "--output", "out.txt", "expected a .jsonl or .csv file")]
    [InlineData("scenes.jsonl", "{\"text\": 1}", "--output", "out.jsonl", "scenes.jsonl, line 1: no \"scene\"")]
    public void Bad_input_or_output_exits_2_with_one_line_naming_the_problem(string name, string text, string flag, string output, string message)
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        var input = models.PathFor(name);
        File.WriteAllText(input, text);
        var run = NarratorCli.Run("describe", "--model", path, "--input", input, flag, models.PathFor(output));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.False(File.Exists(models.PathFor(output)));
    }
}
