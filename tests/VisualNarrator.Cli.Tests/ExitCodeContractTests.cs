using System.Diagnostics;
using VisualNarrator.CommandLine;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

/// <summary>The exit-code contract of <c>narrator</c>: malformed input of every kind exits 2 with exactly one line on
/// stderr that names what was wrong, never a stack trace, help text or .NET type name; a bug exits 1.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ExitCodeContractTests(TestModels models) : IClassFixture<TestModels>
{
    private string Model => models.Get("opt", TestModels.TinyOpt);

    /// <summary>A copy of the tiny model with one NaN in the final LayerNorm weight: every logit becomes NaN.</summary>
    private string NanModel()
    {
        var path = models.PathFor("nan.gguf");
        if (File.Exists(path)) return path;
        File.Copy(Model, path + ".part", overwrite: true);
        var t = GgufFile.Open(Model).FindTensor("output_norm.weight")!;
        using (var f = new FileStream(path + ".part", FileMode.Open, FileAccess.Write))
        {
            f.Position = t.FileOffset + 8;
            f.Write(BitConverter.GetBytes(float.NaN));
        }
        File.Move(path + ".part", path, overwrite: true);
        return path;
    }

    public static TheoryData<string, int, string> Cases() => new()
    {
        { "", 2, "no command given" },
        { "bogus", 2, "unknown command 'bogus'" },
        { "describe --model {M} --temperature abc x", 2, "--temperature expects a number" },
        { "describe --model {M} --seed -1 x", 2, "--seed expects a whole number from 0 to 4294967295, got '-1'" },
        { "describe --model {M} --temperature inf x", 2, "--temperature expects a number" },
        { "describe --model {M} --temperature NaN x", 2, "Temperature" },
        { "describe --model {M} --top-k 99999999999 x", 2, "--top-k expects a whole number" },
        { "describe --model {M} --threads abc x", 2, "--threads expects a whole number" },
        { "logits --prompt x --json", 2, "'--model' is required" },
        { "describe --model {M} --foo x", 2, "unknown option '--foo'" },
        { "describe --model {M} --temperature", 2, "--temperature needs a value" },
        { "describe --model {M}", 2, "no scene given" },
        { "tokenize --model {M}", 2, "argument is missing" },
        { "describe --model {M} --context 2147483647 x", 2, "KV cache of 2147483647 cells" },
        { "logits --model {M} --prompt hi --steps 2147483647 --json", 2, "exceed the model's context" },
        { "describe --model {M} --cache-type f8 x", 2, "--cache-type must be f16 or f32" },
        { "describe --model {M} --flash-attn maybe x", 2, "--flash-attn must be auto, on or off, got 'maybe'" },
        { "describe --model {M} --max-prompt-tokens 1 x", 2, "--max-prompt-tokens must be >= 2" },
        { "describe --model {M} --template nope x", 2, "--template must be one of" },
        { "bench --model {M} --repeat 0", 2, "--repeat must be 1 to 50 rounds, got 0" },
        { "bench --model {M} --repack maybe", 2, "--repack must be on or off, got 'maybe'" },
        { "describe --model {M} -- ", 2, "is empty" },
        { "describe --model {M} --prompt-file /nonexistent/p.txt", 2, "no such file" },
        { "describe --model /nonexistent/m.gguf x", 2, "no such model file" },
        { "describe --model {DIR} x", 2, "is a folder" },
        { "inspect {DIR}", 2, "is a folder" },
        { "inspect /nonexistent/m.gguf", 2, "no such file" },
        { "quantize {M} {DIR}/q.gguf --type q9", 2, "q9" },
        { "quantize {M} {DIR}/q.gguf", 2, "'--type' is required" },
        { "score --refs /nonexistent/r.json --results /nonexistent/s.json", 2, "/nonexistent/" },
        { "random-model --shape opt-175b --out {DIR}/r.gguf", 2, "opt-175b" },
        { "describe --model {NAN} -n 2 x", 2, "model error" },
        { "describe --check-tensors --model {NAN} -n 2 x", 2, "holds a non-finite value (NaN)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MalformedInput_ExitsTwoWithOneLine(string commandLine, int expectedCode, string expected)
    {
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a.Replace("{M}", Model).Replace("{DIR}", models.Folder).Replace("{NAN}", commandLine.Contains("{NAN}") ? NanModel() : ""))
            .ToList();
        if (commandLine.EndsWith("-- ", StringComparison.Ordinal)) args.Add("   ");
        var run = InProcessNarrator.Run([.. args]);
        AssertContract(run, expectedCode, expected, commandLine);
    }

    [Fact]
    public void EmptyScene_FromStdin_IsRefused()
    {
        var run = InProcessNarrator.Run(["describe", "--model", Model, "-"], stdin: " \n");
        AssertContract(run, 2, "the scene from stdin is empty", "describe -");
    }

    [Fact]
    public void SceneFromStdinAndFile_IsNarrated()
    {
        var run = InProcessNarrator.Run(["describe", "--model", Model, "-n", "2", "-"], stdin: "a busy city street\n");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var file = models.PathFor("scene.txt");
        File.WriteAllText(file, "a quiet harbour");
        run = InProcessNarrator.Run(["describe", "--model", Model, "-n", "2", "--prompt-file", file]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        AssertContract(InProcessNarrator.Run(["describe", "--model", Model, "--prompt-file", file, "x"]), 2, "not both", "both");
    }

    [SkippableFact]
    public void Fifo_AsModel_IsRefusedWithoutBlocking()
    {
        var fifo = models.PathFor("fifo.gguf");
        if (!File.Exists(fifo))
        {
            using var p = Process.Start("mkfifo", fifo);
            p.WaitForExit();
            Skip.If(p.ExitCode != 0, "mkfifo is not available");
        }
        AssertContract(InProcessNarrator.Run(["describe", "--model", fifo, "x"]), 2, "not a regular file", "fifo");
        AssertContract(InProcessNarrator.Run(["inspect", fifo]), 2, "not a regular file", "fifo");
    }

    [Fact]
    public void ControlCharacters_FromAFile_AreEscapedInErrors()
    {
        var path = models.PathFor("escape.gguf");
        GgufEdit.Rewrite(Model, path, w => w.SetString(GgufKeys.Architecture, "x\u001b]0;owned\u0007\u001b[2J"));
        var run = InProcessNarrator.Run(["describe", "--model", path, "x"]);
        AssertContract(run, 2, "unsupported architecture 'x\\x1B]0;owned\\x07\\x1B[2J'", "escape");
        Assert.DoesNotContain('\u001b', run.Stderr);
        Assert.DoesNotContain('\u0007', run.Stderr);
    }

    [Fact]
    public void Inspect_EscapesControlCharactersOfMetadata()
    {
        var path = models.PathFor("escape-inspect.gguf");
        GgufEdit.Rewrite(Model, path, w => w.SetString("general.name", "evil\u001b]2;title\u0007\u001b[31mred"));
        var run = NarratorCli.Run("inspect", path); // a child process: Spectre writes to the real stdout
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("evil\\x1B]2;title\\x07\\x1B[31mred", run.Stdout);
        Assert.DoesNotContain('\u001b', run.Stdout);
        Assert.DoesNotContain('\u0007', run.Stdout);
    }

    [Fact]
    public void InternalBug_ExitsOneWithAHint()
    {
        var stderr = new StringWriter();
        var old = Console.Error;
        Console.SetError(stderr);
        try
        {
            Assert.Equal(1, CliErrorPolicy.Report("narrator", new NullReferenceException("Object reference not set to an instance of an object.")));
        }
        finally
        {
            Console.SetError(old);
        }
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("internal error", line);
        Assert.Contains("VN_TRACE=1", line);
    }

    [Fact]
    public void TerminalText_EscapesControlAndBidiCharacters()
    {
        Assert.Equal("plain text", TerminalText.Escape("plain text"));
        Assert.Equal("a\\x1B[31mb\\x07c\\x9B\\u202Ed\\n", TerminalText.Escape("a\u001b[31mb\u0007c\u009b\u202ed\n"));
        Assert.Equal("line\nnext", TerminalText.Escape("line\nnext", keepNewlines: true));
    }

    internal static void AssertContract(NarratorCli.Result run, int expectedCode, string expected, string what)
    {
        Assert.True(run.ExitCode == expectedCode, $"{what}: exit {run.ExitCode}, stderr: {run.Stderr}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{what}: expected one stderr line, got {lines.Length}: {run.Stderr}");
        Assert.Contains(expected, lines[0]);
        Assert.StartsWith("narrator: ", lines[0]);
        foreach (var forbidden in new[] { "   at ", "System.", "Exception", "Usage:", "Description:", "`1" })
            Assert.DoesNotContain(forbidden, run.Stderr);
    }
}
