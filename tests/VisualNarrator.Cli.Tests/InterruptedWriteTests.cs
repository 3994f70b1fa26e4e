using System.Diagnostics;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Cli.Tests;

/// <summary>A 125M-parameter F16 model (about 250 MB), big enough that quantizing it takes seconds.</summary>
public sealed class BigModelFixture : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vn-kill");

    public BigModelFixture()
    {
        var hp = ModelShapes.Get("opt-125m");
        var spec = OptTokenizer.FromGpt2Ranks().Spec;
        if (hp.VocabSize > spec.Count) spec = spec.PadTo(hp.VocabSize);
        Model = Path.Combine(_dir.FullName, "opt-125m-f16.gguf");
        RandomModelWriter.Write(Model, "opt", hp, spec, GgmlType.F16, seed: 1);
    }

    public string Model { get; }

    public string Folder => _dir.FullName;

    public void Dispose() => _dir.Delete(recursive: true);
}

/// <summary>Kill-mid-write: SIGKILL, SIGTERM or SIGINT at a random moment of <c>narrator quantize</c> never leaves a
/// partial output, never touches the existing output, and leaves no temporary file after the next run (SIGTERM and
/// SIGINT remove it at once; after SIGKILL the next write of the same target does).</summary>
public sealed class InterruptedWriteTests(BigModelFixture big) : IClassFixture<BigModelFixture>
{
    [Theory]
    [InlineData("KILL", 11)]
    [InlineData("TERM", 12)]
    [InlineData("INT", 13)]
    [InlineData("KILL", 14)]
    [InlineData("TERM", 15)]
    public void Quantize_KilledMidWrite_LeavesTheOldOutputAndNoTemp(string signal, int seed)
    {
        var folder = Directory.CreateTempSubdirectory("vn-kill-out").FullName;
        try
        {
            var output = Path.Combine(folder, "out.gguf");
            File.WriteAllText(output, "previous output");
            var process = NarratorCli.Start("quantize", big.Model, output, "--type", "q8_0", "--force", "--threads", "1");
            // Wait for the write to begin, then strike at a random moment within it.
            var clock = Stopwatch.StartNew();
            while (!Temps(folder).Any() && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
            Assert.False(process.HasExited, "quantize finished before it could be interrupted");
            // The write takes about 0.7 s here: strike within its first 300 ms so the signal lands mid-write.
            Thread.Sleep(new Random(seed).Next(0, 300));
            Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();
            var result = NarratorCli.Wait(process);

            Assert.Equal("previous output", File.ReadAllText(output));
            if (signal == "KILL")
            {
                Assert.Equal(137, result.ExitCode);
            }
            else
            {
                Assert.Equal(signal == "TERM" ? 143 : 130, result.ExitCode);
                Assert.Empty(Temps(folder));
                Assert.Contains("interrupted", result.Stderr);
            }
            // The next run of a command writing the same target cleans what a SIGKILL left.
            var tiny = Path.Combine(folder, "tiny.gguf");
            RandomModelWriter.Write(tiny, "opt", ModelShapes.Get("tiny"), RandomModelWriter.TinyTokenizer(), GgmlType.F32, seed: 1);
            var again = NarratorCli.Run("quantize", tiny, output, "--type", "q8_0", "--force");
            Assert.True(again.ExitCode == 0, again.Stderr);
            Assert.Empty(Temps(folder));
            Assert.Equal(GgmlType.Q8_0, GgufFile.Open(output).FindTensor("blk.0.attn_q.weight")!.Type);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<string> Temps(string folder) =>
        Directory.EnumerateFileSystemEntries(folder).Where(p => Path.GetFileName(p).StartsWith('.'));
}

/// <summary>Kill-mid-run for <c>narrator eval</c>, whose report folder is written beside the target and swapped in whole:
/// a signal at a random moment leaves the old report as it was, and the next run leaves no temporary folder.</summary>
public sealed class InterruptedEvalTests
{
    private static string BuiltInModel => Path.Combine(RepoPaths.Root, "models", "narrator.gguf");
    private static string Data => Path.Combine(RepoPaths.Root, "data");

    [Theory]
    [InlineData("KILL", 21)]
    [InlineData("TERM", 22)]
    [InlineData("INT", 23)]
    public void Eval_KilledMidRun_LeavesTheOldReportAndNoTemp(string signal, int seed)
    {
        var folder = Directory.CreateTempSubdirectory("vn-kill-eval").FullName;
        try
        {
            var output = Path.Combine(folder, "report");
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, "report.md"), "previous report");
            var process = NarratorCli.Start("eval", "--model", BuiltInModel, "--set", "test", "--data", Data, "--out", output, "--force", "--threads", "1");
            var clock = Stopwatch.StartNew();
            while (!Temps(folder).Any() && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
            Assert.False(process.HasExited, "eval finished before it could be interrupted");
            Thread.Sleep(new Random(seed).Next(0, 1000));
            Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();
            var result = NarratorCli.Wait(process);

            Assert.Equal(["report.md"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
            Assert.Equal("previous report", File.ReadAllText(Path.Combine(output, "report.md")));
            if (signal == "KILL") Assert.Equal(137, result.ExitCode);
            else
            {
                Assert.Equal(signal == "TERM" ? 143 : 130, result.ExitCode);
                Assert.Empty(Temps(folder));
            }
            var again = NarratorCli.Run("eval", "--model", BuiltInModel, "--set", "test", "--samples", "2", "--data", Data, "--out", output, "--force");
            Assert.True(again.ExitCode == 0, again.Stderr);
            Assert.Empty(Temps(folder));
            Assert.True(File.Exists(Path.Combine(output, "report.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<string> Temps(string folder) =>
        Directory.EnumerateFileSystemEntries(folder).Where(p => Path.GetFileName(p).StartsWith('.'));
}

/// <summary>Same-file refusal, --force, stale temporaries and the folder swap.</summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vn-safety");

    public void Dispose() => _dir.Delete(recursive: true);

    private string P(string name) => Path.Combine(_dir.FullName, name);

    [Fact]
    public void SameFile_ByAnySpelling_IsRefused()
    {
        File.WriteAllText(P("a.gguf"), "x");
        Directory.CreateDirectory(P("sub"));
        File.CreateSymbolicLink(P("link.gguf"), "a.gguf");
        Directory.CreateSymbolicLink(P("dirlink"), _dir.FullName);
        foreach (var output in new[] { P("a.gguf"), P("sub/../a.gguf"), P("link.gguf"), P("dirlink/a.gguf"), P("dirlink/link.gguf") })
            Assert.Contains("is the input file itself", Assert.Throws<VisualNarrator.CommandLine.UsageException>(() => OutputGuard.RefuseSameFile(P("a.gguf"), output)).Message);
        OutputGuard.RefuseSameFile(P("a.gguf"), P("b.gguf"));
        OutputGuard.RefuseSameFile(P("a.gguf"), P("sub/a.gguf"));
    }

    [Fact]
    public void Quantize_IntoItsInput_IsRefusedAndTheInputIsIntact()
    {
        var tiny = P("tiny.gguf");
        RandomModelWriter.Write(tiny, "opt", ModelShapes.Get("tiny"), RandomModelWriter.TinyTokenizer(), GgmlType.F32, seed: 1);
        var before = File.ReadAllBytes(tiny);
        File.CreateSymbolicLink(P("alias.gguf"), tiny);
        foreach (var output in new[] { tiny, P("alias.gguf") })
        {
            var run = NarratorCli.Run("quantize", tiny, output, "--type", "q8_0", "--force");
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("is the input file itself", run.Stderr);
        }
        var existing = NarratorCli.Run("quantize", tiny, P("out.gguf"), "--type", "q8_0");
        Assert.Equal(0, existing.ExitCode);
        var refused = NarratorCli.Run("quantize", tiny, P("out.gguf"), "--type", "q8_0");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("already exists; pass --force", refused.Stderr);
        Assert.Equal(before, File.ReadAllBytes(tiny));
    }

    [Fact]
    public void StaleTemps_OfDeadProcessesAreRemoved_LiveOnesKept()
    {
        var dead = FindDeadPid();
        File.WriteAllText(P($".out.gguf.{dead}-{Guid.NewGuid():N}.tmp"), "stale");
        Directory.CreateDirectory(P($".out.gguf.{dead}-{Guid.NewGuid():N}.f32.tmp"));
        File.WriteAllText(P($".out.gguf.{Guid.NewGuid():N}.tmp"), "legacy");
        var live = P($".out.gguf.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(live, "ours, still running");
        File.WriteAllText(P(".out.gguf.notes"), "not ours");
        Assert.Equal(3, AtomicFile.CleanStale(_dir.FullName, "out.gguf"));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(P(".out.gguf.notes")));
    }

    [Fact]
    public void FolderOutput_ReplacesTheOldFolderWhole()
    {
        var target = P("report");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "old.txt"), "old");
        using (var output = AtomicOutput.Folder(target, overwrite: true))
        {
            File.WriteAllText(Path.Combine(output.TempPath, "new.txt"), "new");
            Assert.True(File.Exists(Path.Combine(target, "old.txt")));
            output.Commit();
        }
        Assert.Equal(["new.txt"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.Equal(["report"], Directory.GetFileSystemEntries(_dir.FullName).Select(Path.GetFileName));
        Assert.Throws<IOException>(() => AtomicOutput.Folder(target));
    }

    private static int FindDeadPid()
    {
        for (var pid = 4_000_000; ; pid--)
            if (!Directory.Exists($"/proc/{pid}")) return pid;
    }
}
