using System.Text.Json;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

/// <summary><c>narrator quantize</c> as a user runs it (a child process): the output and its tensor types through
/// <c>narrator inspect --json</c>, and exit code 2 with one stderr line and no output on bad input.</summary>
public sealed class QuantizeCommandTests(QuantizationFixture fixture) : IClassFixture<QuantizationFixture>
{
    [Fact]
    public void Cli_Q4KM_InspectJsonShowsTheRule()
    {
        var output = fixture.PathFor("cli-q4_k_m.gguf");
        var run = NarratorCli.Run("quantize", fixture.Source(), output, "--type", "Q4_K_M");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("q4_k_m", run.Stdout);
        Assert.Matches(@"in \d+\.\d+ s", run.Stdout);

        var inspect = NarratorCli.Run("inspect", output, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        using var doc = JsonDocument.Parse(inspect.Stdout);
        var tensors = doc.RootElement.GetProperty("tensors").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("type").GetString()!);
        Assert.Equal(GgufFile.Open(fixture.Source()).Tensors.Count, tensors.Count);
        foreach (var (name, type) in tensors) Assert.True(QuantizationFixture.ExpectedType("q4_k_m", name, tied: true) == type, $"{name}: {type}");
        Assert.Equal(15, doc.RootElement.GetProperty("metadata").GetProperty("general.file_type").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("metadata").GetProperty("general.quantization_version").GetInt32());
    }

    [Fact]
    public void Cli_UnknownType_Exit2_OneLine_NoOutput()
    {
        var output = fixture.PathFor("cli-unknown-type.gguf");
        var run = NarratorCli.Run("quantize", fixture.Source(), output, "--type", "q3_k_xl");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("narrator: unknown quantization type 'q3_k_xl'; supported: f16, q8_0, q6_k, q5_k_m, q4_k_m, q4_0", run.Stderr.Trim());
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Cli_NotGguf_Exit2_OneLine_NoOutput()
    {
        var input = fixture.PathFor("cli-not-a-model.gguf");
        File.WriteAllText(input, "this is a text file, not a model");
        var output = fixture.PathFor("cli-not-a-model-q8.gguf");
        var run = NarratorCli.Run("quantize", input, output, "--type", "q8_0");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Contains("magic", run.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Cli_MissingTensor_Exit2_NamesFileAndTensor_NoOutput()
    {
        var input = fixture.PathFor("cli-missing-attn-v.gguf");
        GgufEdit.Rewrite(fixture.Source(), input, keep: t => t.Name != "blk.3.attn_v.weight");
        var output = fixture.PathFor("cli-missing-attn-v-q4.gguf");
        var run = NarratorCli.Run("quantize", input, output, "--type", "q4_k_m");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"narrator: {input}: missing tensor 'blk.3.attn_v.weight' (expected shape {{256, 256}})", run.Stderr.Trim());
        Assert.False(File.Exists(output));
    }
}
