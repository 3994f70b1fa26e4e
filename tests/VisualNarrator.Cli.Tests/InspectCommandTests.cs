using System.Text.Json;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

public sealed class InspectCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("inspect");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Json_HasVersionMetadataAndTensorTable()
    {
        var path = Path.Combine(_dir.FullName, "m.gguf");
        GgufSamples.AllValueTypes().WriteTo(path);
        var run = NarratorCli.Run("inspect", path, "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("version").GetInt32());
        var meta = root.GetProperty("metadata");
        Assert.Equal("opt", meta.GetProperty("general.architecture").GetString());
        Assert.Equal(4_000_000_000u, meta.GetProperty("t.u32").GetUInt32());
        Assert.Equal(4, meta.GetProperty("t.arr.str").GetArrayLength());
        var file = GgufFile.Open(path);
        var tensors = root.GetProperty("tensors").EnumerateArray().ToArray();
        Assert.Equal(file.Tensors.Count, tensors.Length);
        var q4k = tensors.Single(t => t.GetProperty("name").GetString() == "blk.0.ffn_down.weight");
        Assert.Equal("Q4_K", q4k.GetProperty("type").GetString());
        Assert.Equal([256L, 2L], q4k.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(288, q4k.GetProperty("bytes").GetInt64());
        Assert.Equal(file.FindTensor("blk.0.ffn_down.weight")!.FileOffset, q4k.GetProperty("offset").GetInt64());
    }

    [Fact]
    public void Table_ListsTensorsAndTotals()
    {
        var path = Path.Combine(_dir.FullName, "m.gguf");
        GgufSamples.AllValueTypes().WriteTo(path);
        var run = NarratorCli.Run("inspect", path);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("blk.0.attn_q.weight", run.Stdout);
        Assert.Contains("total: 5 tensors", run.Stdout);
    }

    [Fact]
    public void MalformedFile_ExitCode2_OneLineNamingFile()
    {
        var path = Path.Combine(_dir.FullName, "bad.gguf");
        var bytes = GgufSamples.Bytes(GgufSamples.AllValueTypes());
        File.WriteAllBytes(path, bytes[..100]);
        var run = NarratorCli.Run("inspect", path, "--json");
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(path, line);
        Assert.Contains(": at byte ", line);
        Assert.DoesNotContain("   at ", run.Stderr);
    }
}
