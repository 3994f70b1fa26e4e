using System.Diagnostics;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Gguf;

namespace VisualNarrator.Convert.Tests;

/// <summary>Kill-mid-write for <c>convert to-gguf</c> with a quantized type, which writes a 500 MB F32 intermediate
/// first: Ctrl+C and SIGTERM at a random moment stop it with no output and no intermediate left; after SIGKILL the
/// next conversion to the same file removes what was left; an existing output is never touched.</summary>
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
            Thread.Sleep(rng.Next(0, 1500));
            Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();
            var result = ConvertCli.Wait(process, args);
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

    private IEnumerable<string> Temps() => _dir.Entries().Where(e => e.StartsWith('.'));
}
