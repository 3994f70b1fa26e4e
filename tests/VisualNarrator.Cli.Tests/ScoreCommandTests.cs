using System.Text.Json;
using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

public sealed class ScoreCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("score");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, json);
        return path;
    }

    private static readonly string[] CorpusKeys = ["CIDEr", "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L"];

    [Fact]
    public void Json_HasCorpusAndPerItemScores_ResultsAsStringOrOneElementArray()
    {
        var refs = Write("refs.json", """{"a": ["a red bus on a street", "a bus"], "b": ["two dogs play"]}""");
        var res = Write("res.json", """{"b": ["two dogs play"], "a": "A red bus."}""");
        var run = NarratorCli.Run("score", "--refs", refs, "--results", res, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var corpus = doc.RootElement.GetProperty("corpus");
        Assert.Equal(CorpusKeys, corpus.EnumerateObject().Select(p => p.Name));
        var perItem = doc.RootElement.GetProperty("per_item");
        Assert.Equal(["a", "b"], perItem.EnumerateObject().Select(p => p.Name));
        foreach (var item in perItem.EnumerateObject())
            Assert.Equal(["CIDEr", "ROUGE_L"], item.Value.EnumerateObject().Select(p => p.Name));
        // Without --pretokenized the PTB tokenizer lower-cases and drops the period: candidate "a red bus".
        // Against "a red bus on a street" P = 3/3; against "a bus" R = 2/2. ROUGE-L takes the maxima separately: F = 1.
        Assert.Equal(1.0, perItem.GetProperty("a").GetProperty("ROUGE_L").GetDouble(), 12);
        Assert.Equal(1.0, perItem.GetProperty("b").GetProperty("ROUGE_L").GetDouble(), 12);
        Assert.Equal(1.0, corpus.GetProperty("ROUGE_L").GetDouble(), 12);
    }

    [Fact]
    public void Pretokenized_KeepsCaseAndPunctuation()
    {
        var refs = Write("refs.json", """{"a": ["a red bus"]}""");
        var res = Write("res.json", """{"a": "A red bus."}""");
        var raw = JsonDocument.Parse(NarratorCli.Run("score", "--refs", refs, "--results", res, "--json").Stdout);
        var pre = NarratorCli.Run("score", "--refs", refs, "--results", res, "--json", "--pretokenized");
        Assert.Equal(0, pre.ExitCode);
        var preDoc = JsonDocument.Parse(pre.Stdout);
        Assert.Equal(1.0, raw.RootElement.GetProperty("per_item").GetProperty("a").GetProperty("ROUGE_L").GetDouble(), 12);
        // "A" != "a" and "bus." != "bus": only "red" matches, P = R = 1/3.
        Assert.Equal(1.0 / 3, preDoc.RootElement.GetProperty("per_item").GetProperty("a").GetProperty("ROUGE_L").GetDouble(), 12);
    }

    [Fact]
    public void Fixture_TableAndJsonMatchExpected()
    {
        var dir = RepoPaths.Fixture("coco-caption");
        string refs = Path.Combine(dir, "references_tokenized.json"), res = Path.Combine(dir, "results_tokenized.json");
        var json = NarratorCli.Run("score", "--refs", refs, "--results", res, "--pretokenized", "--json");
        Assert.Equal(0, json.ExitCode);
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json"))).RootElement.GetProperty("corpus");
        var corpus = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("corpus");
        foreach (var key in CorpusKeys)
            Assert.True(Math.Abs(expected.GetProperty(key).GetDouble() - corpus.GetProperty(key).GetDouble()) <= 1e-9, key);
        Assert.Equal(1000, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("per_item").EnumerateObject().Count());
        var table = NarratorCli.Run("score", "--refs", refs, "--results", res, "--pretokenized");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("0.599791", table.Stdout);
        Assert.Contains("Bleu_4", table.Stdout);
        Assert.Contains("0.190829", table.Stdout);
    }

    public static TheoryData<string, string, string, string> Errors => new()
    {
        // refs json, results json, which file is named ("refs" or "res"), message fragment
        { "{\"a\": [\"x\"]", """{"a": "x"}""", "refs", "not valid JSON" },
        { """["x"]""", """{"a": "x"}""", "refs", "expected a JSON object" },
        { """{"a": "x"}""", """{"a": "x"}""", "refs", "expected an array of caption strings" },
        { """{"a": [1]}""", """{"a": "x"}""", "refs", "expected caption strings" },
        { """{"a": []}""", """{"a": "x"}""", "refs", "has no reference captions" },
        { """{}""", """{}""", "refs", "empty" },
        { """{"a": ["x"]}""", """{}""", "res", "empty" },
        { """{"a": ["x"]}""", """{"a": ["x", "y"]}""", "res", "exactly one caption" },
        { """{"a": ["x"]}""", """{"a": 3}""", "res", "expected a caption string" },
        { """{"a": ["x"], "b": ["y"]}""", """{"a": "x"}""", "res", "no caption for id 'b'" },
        { """{"a": ["x"]}""", """{"a": "x", "c": "z"}""", "refs", "no references for id 'c'" },
        { """{"a": ["x"], "a": ["y"]}""", """{"a": "x"}""", "refs", "id 'a' appears twice" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void BadInput_ExitCode2_OneStderrLineNamingFileAndProblem(string refsJson, string resultsJson, string named, string fragment)
    {
        var refs = Write("refs.json", refsJson);
        var res = Write("res.json", resultsJson);
        var run = NarratorCli.Run("score", "--refs", refs, "--results", res, "--json");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"narrator: {(named == "refs" ? refs : res)}: ", line);
        Assert.Contains(fragment, line);
    }

    [Fact]
    public void MissingFile_ExitCode2()
    {
        var res = Write("res.json", """{"a": "x"}""");
        var missing = Path.Combine(_dir.FullName, "nope.json");
        var run = NarratorCli.Run("score", "--refs", missing, "--results", res);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"narrator: {missing}: cannot read", Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
