using System.Text.Json;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Cli.Tests;

/// <summary>The narrator commands that run a model or a tokenizer, as a user runs them (a child process).</summary>
public sealed class EngineCommandsTests(TestModels models) : IClassFixture<TestModels>
{
    [Fact]
    public void Logits_Json_MatchesTheReferenceAndFollowsGreedySteps()
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        var run = NarratorCli.Run("logits", "--model", path, "--ids", "2,300,17,99", "--steps", "2", "--cache-type", "f32", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var ids = doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var rows = doc.RootElement.GetProperty("logits").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(e => e.GetSingle()).ToArray()).ToArray();
        Assert.Equal(6, ids.Length);
        Assert.Equal([2, 300, 17, 99], ids[..4]);
        Assert.Equal(3, rows.Length);
        var reference = new ReferenceForward(path);
        for (var r = 0; r < rows.Length; r++)
        {
            LogitsAssert.Close(reference.LastLogits(ids[..(4 + r)]), rows[r], 1e-3f);
            if (r < 2) Assert.Equal(Greedy.ArgMax(rows[r]), ids[4 + r]);
        }
    }

    [Fact]
    public void Tokenize_GgufAndPromptIds_AgreeWithTheTokenizer()
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        var run = NarratorCli.Run("tokenize", "--model", path, "--json", "Describe this image: a busy city street");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var ids = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var expected = OptTokenizer.FromGguf(GgufFile.Open(path)).Encode("Describe this image: a busy city street");
        Assert.Equal(expected, ids);
        Assert.Equal(2, ids[0]);
    }

    [Fact]
    public void Tokenize_HuggingFaceFolder()
    {
        var dir = RepoPaths.Fixture("opt-tokenizer");
        var run = NarratorCli.Run("tokenize", "--model", dir, "--json", "Hello world");
        Assert.True(run.ExitCode == 0, run.Stderr);
        // OPT ids of "</s>", "Hello", "Ġworld" in the published vocab.json.
        Assert.Equal("{\"ids\":[2,31414,232]}", run.Stdout.Trim());
    }

    [Fact]
    public void RandomModel_UnknownShape_ListsEveryPublishedOptSize()
    {
        var run = NarratorCli.Run("random-model", "--shape", "opt-175b", "--out", models.PathFor("never.gguf"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown shape 'opt-175b'; known shapes: tiny, opt-125m, opt-350m, opt-1.3b, opt-2.7b, opt-6.7b, opt-13b, opt-30b, opt-66b", run.Stderr);
        Assert.False(File.Exists(models.PathFor("never.gguf")));
    }

    [Fact]
    public void Describe_StreamsANarrationWithoutThePrompt()
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        var run = NarratorCli.Run("describe", "--model", path, "-n", "6", "a busy city street");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.DoesNotContain("Describe this image", run.Stdout);
        Assert.False(string.IsNullOrWhiteSpace(run.Stdout));
        Assert.Matches(@"narrator: \d+ tokens \((length|stop)\), load [\d.]+ s, first token [\d.]+ s, decode [\d.]+ tokens/s", run.Stderr);
    }

    [Fact]
    public void MissingModel_ExitCode2_NamesTheFile()
    {
        var missing = models.PathFor("nowhere.gguf");
        var run = NarratorCli.Run("describe", "--model", missing, "a cat");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"narrator: {missing}: no such model file", run.Stderr.Trim());
    }

    [Fact]
    public void Bench_RefusesAModelTooShortForItsPlan_BeforeGeneratingAnything()
    {
        var cache = models.PathFor("bench-cache");
        var run = NarratorCli.Run("bench", "--shape", "tiny", "--type", "f16", "--cache-dir", cache);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("narrator: bench needs a model with at least 161 positions; this one has 64", run.Stderr.Trim());
        Assert.Empty(Directory.GetFiles(cache));
    }

    [Fact]
    public void Bench_Bandwidth_ReportsEachFilesDecodeBounds_AsMemoryAndKernelRatesOverBytesReadPerToken()
    {
        var hp = TestModels.Wider with { ContextLength = 256 };
        var path = models.Get("opt", hp, GgmlType.F16);
        var cache = models.PathFor("bench-kernel-cache");
        var run = NarratorCli.Run("bench", "--model", path, "--threads", "1", "--bandwidth", "--json", "--cache-dir", cache);
        Assert.True(run.ExitCode == 0, run.Stderr);

        var row = JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().Single();
        var bandwidth = row.GetProperty("BandwidthBytesPerSecond").GetDouble();
        var bound = row.GetProperty("DecodeBoundTokensPerSecond").GetDouble();
        Assert.True(bandwidth > 0, run.Stdout);
        // Tied head: every tensor but the position table, plus F16 keys and values of 128 + 32 / 2 cached tokens.
        var file = GgufFile.Open(path);
        var bytes = file.Tensors.Where(t => t.Name != "position_embd.weight").Sum(t => t.ByteSize) + 2L * hp.BlockCount * hp.EmbeddingLength * 144 * 2;
        Assert.Equal(bandwidth / bytes, bound, 1e-6 * bound);
        // The kernels were measured on the file's type, with their small models kept in the cache directory.
        var kernels = row.GetProperty("KernelBytesPerSecond").GetDouble();
        Assert.True(kernels > 0, run.Stdout);
        Assert.Equal(kernels / bytes, row.GetProperty("KernelBoundTokensPerSecond").GetDouble(), 1e-6 * kernels / bytes);
        Assert.Equal(2, Directory.GetFiles(cache, "kernels-*-f16.gguf").Length);
    }

    [Fact]
    public void Bench_Repeat_LoadsAndMeasuresInAFreshProcessEachRound_AndReportsOneRow()
    {
        var path = models.Get("opt", TestModels.Wider with { ContextLength = 256 }, GgmlType.F16);
        var run = NarratorCli.Run("bench", "--model", path, "--threads", "1", "--repeat", "2", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);

        // One child per round, each loading the model and measuring once.
        Assert.Equal(2, run.Stderr.Split('\n').Count(l => l.StartsWith("narrator: load", StringComparison.Ordinal)));
        Assert.Contains("round 1 of 2", run.Stderr);
        Assert.Contains("round 2 of 2", run.Stderr);
        Assert.DoesNotContain("(round", run.Stderr); // no child repeats its own measurements
        var row = JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().Single();
        Assert.True(row.GetProperty("Result").GetProperty("DecodeTokensPerSecond").GetDouble() > 0, run.Stdout);
    }

    [Fact]
    public void Bench_Interleave_MeasuresSpeedsInOneProcessForBothEngines_AndLoadAndRssInAFreshOneEach()
    {
        var path = models.Get("opt", TestModels.Wider with { ContextLength = 256 }, GgmlType.F16);
        var cache = models.PathFor("bench-interleave-cache");
        var run = NarratorCli.Run("bench", "--model", path, "--anchor", "--interleave", "--threads", "1", "--json", "--cache-dir", cache);
        Assert.True(run.ExitCode == 0, run.Stderr);

        var lines = run.Stderr.Split('\n');
        // The fresh narrator process loads once and runs one window of each measurement; the shared one loads both.
        Assert.Single(lines, l => l == "narrator: load");
        Assert.Single(lines, l => l == "interleaved: load");
        Assert.Contains("interleaved: 8 sequences", lines);
        var rows = JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(["narrator", "llama.cpp"], rows.Select(r => r.GetProperty("Label").GetString()));
        Assert.All(rows, r =>
        {
            Assert.True(r.GetProperty("Interleaved").GetBoolean());
            var result = r.GetProperty("Result");
            Assert.True(result.GetProperty("DecodeTokensPerSecond").GetDouble() > 0, run.Stdout);
            Assert.True(result.GetProperty("LoadSeconds").GetDouble() > 0, run.Stdout);
            Assert.True(result.GetProperty("PeakRssBytes").GetInt64() > 0, run.Stdout);
        });
        // Peak RSS is each engine's own, not the shared process's with both models loaded.
        Assert.NotEqual(rows[0].GetProperty("Result").GetProperty("PeakRssBytes").GetInt64(),
            rows[1].GetProperty("Result").GetProperty("PeakRssBytes").GetInt64());
    }

    [Fact]
    public void Bench_ModelFile_AnchorsAQ4KMFileWithLlamaCppsQ4KM_NotTheAmbiguousQ4K()
    {
        // 256 wide, so the matmul weights really are Q4_K (narrower rows fall back to other types).
        var hp = TestModels.Wider with { ContextLength = 256, EmbeddingLength = 256, FeedForwardLength = 512, HeadCount = 4 };
        var q4 = models.PathFor("bench-q4_k_m.gguf");
        var quantize = NarratorCli.Run("quantize", models.Get("opt", hp, GgmlType.F16), q4, "--type", "q4_k_m", "--force");
        Assert.True(quantize.ExitCode == 0, quantize.Stderr);

        var run = NarratorCli.Run("bench", "--model", q4, "--anchor", "--threads", "1", "--json", "--cache-dir", models.PathFor("bench-q4-cache"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var rows = JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().ToList();
        Assert.EndsWith("-gpt2-q4_k_m.gguf", rows[1].GetProperty("Result").GetProperty("Model").GetString());
    }

    [Fact]
    public void Bench_Interleave_NeedsAnAnchor()
    {
        var path = models.Get("opt", TestModels.Wider with { ContextLength = 256 }, GgmlType.F16);
        var run = NarratorCli.Run("bench", "--model", path, "--interleave");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("narrator: --interleave needs --anchor (it measures both engines in one process)", run.Stderr.Trim());
    }

    [Fact]
    public void MalformedModel_ExitCode2()
    {
        var bad = models.PathFor("cli-bad.gguf");
        GgufEdit.Rewrite(models.Get("opt", TestModels.TinyOpt), bad, keep: t => t.Name != "output_norm.bias");
        var run = NarratorCli.Run("describe", "--model", bad, "a cat");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"narrator: {bad}: missing tensor 'output_norm.bias' (expected shape {{64}})", run.Stderr.Trim());
    }
}
