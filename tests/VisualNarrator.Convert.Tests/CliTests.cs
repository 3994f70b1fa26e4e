using System.Diagnostics;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Gguf;

namespace VisualNarrator.Convert.Tests;

/// <summary>The convert tool as a user runs it: exit codes, one-line errors, atomic outputs, Ctrl+C and --resume.</summary>
public sealed class CliTests
{
    [Fact]
    public void Synth_TrainLora_Merge_ToGguf_FromTheCommandLine()
    {
        using var dir = new TempDir();
        var tok = Tiny.WriteTokenizer(dir["tok"]);
        var data = TinyData.Write(dir["data.jsonl"]);
        Ok(ConvertCli.Run("synth", "--shape", "tiny", "--out", dir["base"], "--tokenizer", tok, "--seed", "3"));
        var train = Ok(ConvertCli.Run("train-lora", "--model", dir["base"], "--data", data, "--out", dir["adapter"], "--epochs", "2", "--r", "4",
            "--targets", "q_proj,v_proj", "--lr", "0.01", "--max-length", "32"));
        Assert.Contains("epoch 2: train loss", train.Stdout);
        Assert.Contains("tokens/s", train.Stdout);
        Ok(ConvertCli.Run("merge", "--model", dir["base"], "--lora", dir["adapter"], "--out", dir["merged"]));
        Ok(ConvertCli.Run("to-gguf", "--model", dir["merged"], "--out", dir["merged.gguf"], "--type", "f32"));
        Ok(ConvertCli.Run("to-gguf", "--model", dir["base"], "--lora", dir["adapter"], "--out", dir["fly.gguf"], "--type", "bf16"));
        Assert.Equal("opt", GgufFile.Open(dir["merged.gguf"]).GetString(GgufKeys.Architecture));
        Assert.Equal(GgmlType.BF16, GgufFile.Open(dir["fly.gguf"]).FindTensor("blk.0.ffn_up.weight")!.Type);
        Assert.Equal(["adapter", "adapter.checkpoints", "base", "data.jsonl", "fly.gguf", "merged", "merged.gguf", "tok"], dir.Entries());
    }

    [Fact]
    public void InputErrors_ExitWithCode2_OneLine_AndNoOutput()
    {
        using var dir = new TempDir();
        var tok = Tiny.WriteTokenizer(dir["tok"]);
        Ok(ConvertCli.Run("synth", "--shape", "tiny", "--out", dir["base"], "--tokenizer", tok));
        File.WriteAllText(dir["bad.jsonl"], "{\"prompt\": \"a\", \"description\": \"b\"}\n{\"prompt\": 3, \"description\": \"b\"}\n");
        var before = dir.Entries();

        Fails(ConvertCli.Run("train-lora", "--model", dir["base"], "--data", dir["bad.jsonl"], "--out", dir["adapter"]), "line 2: \"prompt\" is Number");
        Fails(ConvertCli.Run("to-gguf", "--model", dir["base"], "--out", dir["q.gguf"], "--type", "q3_xl"), "--type must be f32, f16, bf16 or one of");
        Fails(ConvertCli.Run("synth", "--shape", "tiny", "--out", dir["base"], "--tokenizer", tok), "already exists; pass --force");
        Fails(ConvertCli.Run("synth", "--shape", "opt-9b", "--out", dir["x"]), "unknown shape 'opt-9b'");
        Fails(ConvertCli.Run("merge", "--model", dir["base"], "--lora", dir["nowhere"], "--out", dir["merged"]), "adapter folder does not exist");
        Assert.Equal(before, dir.Entries());
    }

    [Fact]
    public void CtrlC_DuringTraining_LeavesNoAdapter_AndResumeFinishes()
    {
        using var dir = new TempDir();
        var tok = Tiny.WriteTokenizer(dir["tok"]);
        var data = TinyData.Write(dir["data.jsonl"], count: 60);
        Ok(ConvertCli.Run("synth", "--shape", "tiny", "--out", dir["base"], "--tokenizer", tok));
        string[] Args(int epochs) => ["train-lora", "--model", dir["base"], "--data", data, "--out", dir["adapter"], "--epochs", epochs.ToString(),
            "--batch-size", "1", "--r", "4", "--max-length", "32", "--patience", "400"];
        var args = Args(400);
        var process = ConvertCli.Start(args);
        var state = Path.Combine(dir["adapter.checkpoints"], "last", "state.json");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(state) && clock.Elapsed < TimeSpan.FromMinutes(2) && !process.HasExited) Thread.Sleep(50);
        Assert.True(File.Exists(state), "no epoch finished");
        Process.Start("kill", ["-INT", process.Id.ToString()])!.WaitForExit();
        var interrupted = ConvertCli.Wait(process, args);
        Assert.Equal(130, interrupted.ExitCode);
        Assert.Contains("--resume", interrupted.Stderr);
        Assert.False(Directory.Exists(dir["adapter"]));
        Assert.DoesNotContain(dir.Entries(), e => e.EndsWith(".tmp", StringComparison.Ordinal));

        var resumed = Ok(ConvertCli.Run([.. Args(2), "--resume"]));
        Assert.Contains("resumed after epoch", resumed.Stdout);
        Assert.True(File.Exists(Path.Combine(dir["adapter"], "adapter_model.safetensors")));
    }

    private static ConvertCli.Result Ok(ConvertCli.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        return r;
    }

    private static void Fails(ConvertCli.Result r, string message)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        var lines = r.Stderr.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains(message, lines[0]);
    }
}
