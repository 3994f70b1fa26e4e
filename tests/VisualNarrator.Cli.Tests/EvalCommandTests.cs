using System.Text.Json;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Evaluation.Reports;
using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

/// <summary><c>narrator eval</c> as a user runs it: reports, the retrieval baseline, and bad set files.</summary>
public sealed class EvalCommandTests(TestModels models) : IClassFixture<TestModels>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("eval");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string Data => Path.Combine(RepoPaths.Root, "data");

    private string Out(string name) => Path.Combine(_dir.FullName, name);

    private static readonly string[] PerformanceKeys =
    [
        "descriptions", "wall_seconds", "seconds_per_description", "mean_latency_seconds", "decode_tokens_per_second",
        "mean_stream_decode_tokens_per_second", "generated_tokens", "mean_generated_tokens", "stopped_by_length", "prompts_cut",
        "load_seconds", "peak_rss_bytes",
    ];

    private static JsonElement Report(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json"))).RootElement;

    [Fact]
    public void TinyModel_FiveSamples_WritesBothReportsWithEveryMetric()
    {
        var model = models.Get("opt", TestModels.TinyOpt);
        var folder = Out("tiny");
        // No wrap-up window: it would draw an 8-token narration to an early end, and every narration should fill its limit.
        var run = NarratorCli.Run("eval", "--model", model, "--data", Data, "--samples", "5", "-n", "8", "--wrap-up-tokens", "0", "--max-sequences", "4", "--out", folder);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("model: CIDEr-D", run.Stdout);

        var report = Report(folder);
        Assert.Equal(["set", "settings", "systems"], report.EnumerateObject().Select(p => p.Name));
        Assert.Equal(5, report.GetProperty("set").GetProperty("items").GetInt32());
        Assert.True(report.GetProperty("set").GetProperty("references").GetBoolean());
        Assert.Equal(8, report.GetProperty("settings").GetProperty("sampling").GetProperty("max_new_tokens").GetInt32());
        Assert.Equal(0.4, report.GetProperty("settings").GetProperty("sampling").GetProperty("temperature").GetDouble(), 6);
        // Every sampling setting is recorded, the prompt penalty too (the narrator and seed presets differ only there).
        Assert.Equal(SamplingSettingTable.All.Select(r => r.Key), report.GetProperty("settings").GetProperty("sampling").EnumerateObject().Select(p => p.Name));
        Assert.False(report.GetProperty("settings").GetProperty("sampling").GetProperty("penalize_prompt").GetBoolean());
        Assert.Equal(4, report.GetProperty("settings").GetProperty("max_sequences").GetInt32());

        var system = report.GetProperty("systems").GetProperty("model");
        Assert.Equal(["description", "overall", "by_scene_type", "performance", "samples", "narrations"], system.EnumerateObject().Select(p => p.Name));
        var overall = system.GetProperty("overall");
        Assert.Equal(EvalReport.MetricKeys, overall.EnumerateObject().Select(p => p.Name));
        Assert.All(overall.EnumerateObject(), p => Assert.Equal(JsonValueKind.Number, p.Value.ValueKind));
        Assert.Equal(5, overall.GetProperty("count").GetInt32());
        // test.jsonl interleaves the scene types, so the first five items are five different types.
        var types = system.GetProperty("by_scene_type").EnumerateObject().ToList();
        Assert.Equal(["urban", "people", "nature", "indoor", "animals"], types.Select(t => t.Name));
        Assert.All(types, t => Assert.Equal(EvalReport.MetricKeys, t.Value.EnumerateObject().Select(p => p.Name)));
        var perf = system.GetProperty("performance");
        Assert.Equal(PerformanceKeys, perf.EnumerateObject().Select(p => p.Name));
        Assert.True(perf.GetProperty("peak_rss_bytes").GetInt64() > 0);
        Assert.True(perf.GetProperty("decode_tokens_per_second").GetDouble() > 0);
        Assert.Equal(40, perf.GetProperty("generated_tokens").GetInt64());
        Assert.Equal(5, system.GetProperty("narrations").EnumerateObject().Count());
        Assert.Equal(5, system.GetProperty("samples").GetArrayLength());

        var md = File.ReadAllText(Path.Combine(folder, "report.md"));
        foreach (var section in new[] { "# narrator eval: test (5 items)", "## Overall", "| CIDEr-D |", "## Per scene type", "## Speed and memory", "peak RSS", "## Sample narrations" })
            Assert.Contains(section, md);
        Assert.True(File.Exists(Path.Combine(folder, "references.json")));
        Assert.True(File.Exists(Path.Combine(folder, "results-model.json")));
    }

    [Fact]
    public void NearestNeighbourBaseline_ScoresAboveZero_AndNarratorScoreAgrees()
    {
        var folder = Out("nn");
        var run = NarratorCli.Run("eval", "--baseline", "nn", "--data", Data, "--samples", "40", "--out", folder);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var nn = Report(folder).GetProperty("systems").GetProperty("nn");
        double cider = nn.GetProperty("overall").GetProperty("CIDEr").GetDouble();
        Assert.InRange(cider, 0.05, 10);
        Assert.True(nn.GetProperty("overall").GetProperty("Bleu_4").GetDouble() > 0);
        Assert.False(Report(folder).TryGetProperty("comparison", out _));
        // Retrieved scenes come from train, never the test scene itself (the splits are disjoint).
        foreach (var sample in nn.GetProperty("samples").EnumerateArray())
        {
            // (A bare-subject train scene may be part of the test scene: "a dog" in "a dog with a ball".)
            var scene = DatasetFiles.Test.Single(l => l.Id == sample.GetProperty("id").GetString()).Scene;
            Assert.NotEqual(scene, sample.GetProperty("retrieved_scene").GetString());
            Assert.InRange(sample.GetProperty("similarity").GetDouble(), 0, 1 + 1e-12);
        }
        // The coco-format files written next to the report give the same corpus CIDEr-D through `narrator score`.
        var score = NarratorCli.Run("score", "--refs", Path.Combine(folder, "references.json"), "--results", Path.Combine(folder, "results-nn.json"), "--json");
        Assert.True(score.ExitCode == 0, score.Stderr);
        Assert.Equal(cider, JsonDocument.Parse(score.Stdout).RootElement.GetProperty("corpus").GetProperty("CIDEr").GetDouble(), 12);
    }

    [Fact]
    public void SeedBenchmark_HasNoReferences_SoCaptionMetricsAreNull()
    {
        var folder = Out("seed");
        var run = NarratorCli.Run("eval", "--baseline", "nn", "--data", Data, "--set", "seed-benchmark", "--out", folder);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var report = Report(folder);
        Assert.Equal(12, report.GetProperty("set").GetProperty("items").GetInt32());
        Assert.False(report.GetProperty("set").GetProperty("references").GetBoolean());
        var overall = report.GetProperty("systems").GetProperty("nn").GetProperty("overall");
        Assert.Equal(JsonValueKind.Null, overall.GetProperty("CIDEr").ValueKind);
        Assert.Equal(1.0, overall.GetProperty("seed_literal_success_rate").GetDouble());
        // nn answers some seed prompts with a training scene about something else: the seed's checks pass it, the
        // scene-recall gate does not.
        Assert.InRange(overall.GetProperty("seed_success_rate").GetDouble(), 0.1, 0.95);
        Assert.InRange(overall.GetProperty("scene_recall").GetDouble(), 0.1, 0.95);
        Assert.Equal(["Nature", "Urban", "People"], report.GetProperty("systems").GetProperty("nn").GetProperty("by_scene_type").EnumerateObject().Select(p => p.Name));
        Assert.False(File.Exists(Path.Combine(folder, "references.json")));
    }

    public static TheoryData<string, string, string> BadSets => new()
    {
        // file content, expected location ("" = the file alone), message fragment
        { "{\"id\":\"a\",\"prompt\":\"Describe this image: a cat\",\"references\":[\"A cat.\"]}\n{\"id\":\"b\",\"prompt\":", ":2: ", "not valid JSON" },
        { "[\"a\"]\n", ":1: ", "expected a JSON object" },
        { "{\"id\":\"a\",\"references\":[\"A cat.\"]}\n", ":1: ", "needs a \"prompt\" or a \"scene\"" },
        { "{\"scene\":\"a cat\"}\n", ":1: ", "\"id\" is missing" },
        { "{\"id\":\"a\",\"scene\":\"a cat\",\"references\":\"A cat.\"}\n", ":1: ", "\"references\" must be an array" },
        { "{\"id\":\"a\",\"scene\":\"a cat\",\"references\":[]}\n", ":1: ", "\"references\" is empty" },
        { "{\"id\":\"a\",\"scene\":\"a cat\"}\n\n{\"id\":\"a\",\"scene\":\"a dog\"}\n", ":3: ", "id 'a' appears twice" },
        { "{\"id\":\"a\",\"scene\":\"a cat\",\"references\":[\"A cat.\"]}\n{\"id\":\"b\",\"scene\":\"a dog\"}\n", ":2: ", "has no \"references\"" },
        { "\n\n", ": ", "no items" },
    };

    [Theory]
    [MemberData(nameof(BadSets))]
    public void MalformedSetFile_ExitCode2_OneLineNamingFileAndLine(string content, string where, string message)
    {
        var file = Out("bad.jsonl");
        File.WriteAllText(file, content);
        var run = NarratorCli.Run("eval", "--baseline", "nn", "--data", Data, "--set", file, "--out", Out("bad-out"));
        Assert.Equal(2, run.ExitCode);
        var line = run.Stderr.Trim();
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith($"narrator: {file}{where}", line);
        Assert.Contains(message, line);
    }

    [Fact]
    public void MissingSetFile_AndNothingToEvaluate_ExitCode2()
    {
        var missing = Out("missing.jsonl");
        var run = NarratorCli.Run("eval", "--baseline", "nn", "--data", Data, "--set", missing);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"narrator: {missing}: no such file", run.Stderr.Trim());

        var nothing = NarratorCli.Run("eval", "--data", Data);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Equal("narrator: give --model, --baseline nn, or both", nothing.Stderr.Trim());
    }
}
