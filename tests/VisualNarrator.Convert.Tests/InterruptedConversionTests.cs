using System.Diagnostics;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Gguf;

namespace VisualNarrator.Convert.Tests;

/// <summary>Kill-mid-write for <c>convert to-gguf</c> with a quantized type, which writes a 500 MB F32 intermediate
/// first: Ctrl+C and SIGTERM at a random moment stop it with no output and no intermediate left; after SIGKILL the
/// next conversion to the same file removes what was left; an existing output is never touched unless the
/// conversion finished, and then it is whole.</summary>
public sealed class InterruptedConversionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ToGguf_Interrupted_LeavesNoPartialOutputAndNoIntermediate()
    {
        var synth = ConvertCli.Run("synth", "--shape", "opt-125m", "--out", _dir["base"]);
        Assert.True(synth.ExitCode == 0, synth.Stderr);
        var output = _dir["model.gguf"];
        File.WriteAllText(output, "previous output");
        var rng = new Random(20261202);
        foreach (var signal in new[] { "INT", "TERM", "KILL" })
        {
            string[] args = ["to-gguf", "--model", _dir["base"], "--out", output, "--type", "q8_0", "--force"];
            var process = ConvertCli.Start(args);
            var clock = Stopwatch.StartNew();
            while (!Temps().Any() && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
            Assert.False(process.HasExited, "to-gguf finished before it could be interrupted");
            // From the intermediate's first byte to the renamed output takes about a second here: strike early.
            Thread.Sleep(rng.Next(0, 400));
            Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();
            var result = ConvertCli.Wait(process, args);
            if (result.ExitCode == 0)
            {
                // Finished before the signal landed: then the new file is whole and nothing is left beside it.
                Assert.Equal(GgmlType.Q8_0, GgufFile.Open(output).FindTensor("blk.0.attn_q.weight")!.Type);
                Assert.Empty(Temps());
                File.WriteAllText(output, "previous output");
                continue;
            }
            Assert.Equal("previous output", File.ReadAllText(output));
            if (signal == "KILL")
            {
                Assert.Equal(137, result.ExitCode);
            }
            else
            {
                Assert.True(result.ExitCode == 130, $"{signal}: exit {result.ExitCode}: {result.Stderr}");
                Assert.Empty(Temps());
            }
        }
        // The SIGKILL left its intermediate (or its output temp); the next run of the same conversion removes it.
        var again = ConvertCli.Run("to-gguf", "--model", _dir["base"], "--out", output, "--type", "q8_0", "--force");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Empty(Temps());
        Assert.Equal(GgmlType.Q8_0, GgufFile.Open(output).FindTensor("blk.0.attn_q.weight")!.Type);
    }

    [Fact]
    public void SynthAndMerge_Interrupted_KeepTheOldFolderAndLeaveNoTemp()
    {
        var data = TinyData.Write(_dir["data.jsonl"]);
        var synth = ConvertCli.Run("synth", "--shape", "opt-125m", "--out", _dir["base"]);
        Assert.True(synth.ExitCode == 0, synth.Stderr);
        var lora = ConvertCli.Run("train-lora", "--model", _dir["base"], "--data", data, "--out", _dir["adapter"], "--epochs", "1", "--r", "2",
            "--targets", "q_proj", "--max-length", "16");
        Assert.True(lora.ExitCode == 0, lora.Stderr);

        Interrupt(["synth", "--shape", "opt-125m", "--out", _dir["synth"], "--force"], _dir["synth"], seed: 1);
        Interrupt(["merge", "--model", _dir["base"], "--lora", _dir["adapter"], "--out", _dir["merged"], "--force"], _dir["merged"], seed: 2);
        Assert.True(File.Exists(Path.Combine(_dir["merged"], "config.json")));
    }

    /// <summary>Runs a folder-writing command over an existing folder and stops it with SIGINT, SIGTERM and SIGKILL at
    /// random moments of its write: the old folder stays whole each time, and the next complete run leaves no temp.</summary>
    private void Interrupt(string[] args, string folder, int seed)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "previous.txt"), "previous output");
        var rng = new Random(seed);
        foreach (var signal in new[] { "INT", "TERM", "KILL" })
        {
            var process = ConvertCli.Start(args);
            var clock = Stopwatch.StartNew();
            while (!Temps().Any() && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
            Assert.False(process.HasExited, $"{args[0]} finished before it could be interrupted");
            // The temp appears when the write starts, and a 500 MB write takes a few hundred milliseconds: strike early.
            Thread.Sleep(rng.Next(0, 30));
            Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();
            var result = ConvertCli.Wait(process, args);
            if (result.ExitCode == 0)
            {
                // Finished before the signal landed: then the new folder is whole and nothing is left beside it.
                Assert.True(File.Exists(Path.Combine(folder, "config.json")));
                Assert.False(File.Exists(Path.Combine(folder, "previous.txt")));
                Assert.Empty(Temps());
                Directory.Delete(folder, recursive: true);
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, "previous.txt"), "previous output");
                continue;
            }
            Assert.Equal(["previous.txt"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
            if (signal == "KILL") Assert.Equal(137, result.ExitCode);
            else
            {
                Assert.True(result.ExitCode == 130, $"{args[0]} {signal}: exit {result.ExitCode}: {result.Stderr}");
                Assert.Empty(Temps());
            }
        }
        var again = ConvertCli.Run(args);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Empty(Temps());
        Assert.False(File.Exists(Path.Combine(folder, "previous.txt")));
    }

    private IEnumerable<string> Temps() => _dir.Entries().Where(e => e.StartsWith('.'));
}
