using System.Diagnostics;
using Spectre.Console;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;

namespace VisualNarrator.Fuzz;

/// <summary>Hostile command lines through narrator's Main, in this process: every option of the model commands with
/// values of the wrong type, out of range, non-finite, over int32, empty, with control characters or long; unknown
/// options; missing arguments; hostile files (a folder, a FIFO, garbage, an empty file) in every path argument. Each
/// must exit 2 with one stderr line: no stack trace, no help text, no .NET type name.</summary>
public static class CliCampaign
{
    private static readonly string[] HostileNumbers =
        ["abc", "-1", "inf", "-inf", "NaN", "1e309", "99999999999", "2147483648", "-2147483649", "", "0x10", "1,5", "\u001b[31m1"];

    // The console of the campaign itself, restored after every case (even when a hung case never restores it).
    private static readonly TextWriter RealOut = Console.Out, RealError = Console.Error;
    private static readonly TextReader RealIn = Console.In;

    /// <summary>Runs the table; prints a summary and returns 0 when every case kept the contract.</summary>
    public static int Run(int seed, string repo)
    {
        var work = Directory.CreateTempSubdirectory("vn-fuzz-cli").FullName;
        try
        {
            var model = Path.Combine(repo, "models", "narrator.gguf");
            var tiny = Path.Combine(work, "tiny.gguf");
            RandomModelWriter.Write(tiny, "opt", ModelShapes.Get("tiny"), RandomModelWriter.TinyTokenizer(), GgmlType.F32, seed: 1, std: 0.3f);
            var garbage = Path.Combine(work, "garbage.gguf");
            File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 + 7))]);
            var empty = Path.Combine(work, "empty.gguf");
            File.WriteAllBytes(empty, []);
            var fifo = Path.Combine(work, "fifo.gguf");
            Process.Start("mkfifo", fifo)!.WaitForExit();
            var folder = Path.Combine(work, "folder.gguf");
            Directory.CreateDirectory(folder);
            string[] hostileFiles = [garbage, empty, fifo, folder, Path.Combine(work, "missing.gguf"), "", "\u001b]0;x\u0007.gguf"];

            var cases = new List<string[]>();
            // Model commands: every numeric option with every hostile number.
            string[] describeNumeric = ["--temperature", "--top-k", "--top-p", "--min-p", "--typical-p", "--repetition-penalty", "--penalty-last-n",
                "--presence-penalty", "--frequency-penalty", "--no-repeat-ngram-size", "--xtc-probability", "--xtc-threshold", "--mirostat",
                "--mirostat-tau", "--mirostat-eta", "--seed", "--max-new-tokens", "--threads", "--context", "--max-prompt-tokens"];
            foreach (var option in describeNumeric)
                foreach (var value in HostileNumbers)
                    cases.Add(["describe", "--model", tiny, "-n", "2", option, value, "a street"]);
            foreach (var value in HostileNumbers.Concat(["2147483647", "-5"]))
                cases.Add(["logits", "--model", tiny, "--prompt", "hi", "--steps", value, "--json"]);
            foreach (var value in new[] { "", "x", "1,,2", "-1", "99999999", "2147483648", "1;2", "\u001b" })
                cases.Add(["logits", "--model", tiny, "--ids", value, "--json"]);
            foreach (var option in new[] { "--cache-type", "--flash-attn", "--device", "--template", "--preset" })
                foreach (var value in new[] { "", "bogus", "\u001b[2J", new string('x', 5000) })
                    cases.Add(["describe", "--model", tiny, "-n", "2", option, value, "a street"]);
            // Hostile files everywhere a path goes.
            foreach (var f in hostileFiles)
            {
                cases.Add(["describe", "--model", f, "a street"]);
                cases.Add(["logits", "--model", f, "--prompt", "hi"]);
                cases.Add(["tokenize", "--model", f, "hi"]);
                cases.Add(["inspect", f]);
                cases.Add(["quantize", f, Path.Combine(work, "q.gguf"), "--type", "q8_0", "--force"]);
                cases.Add(["score", "--refs", f, "--results", f]);
                cases.Add(["eval", "--model", f, "--samples", "1", "--out", Path.Combine(work, "eval")]);
                cases.Add(["describe", "--model", tiny, "--prompt-file", f]);
            }
            // Structure: unknown options and commands, missing values and arguments, empty scenes, same file.
            cases.AddRange(new[]
            {
                new[] { "describe", "--model", tiny, "--foo", "x" }, ["describe", "--model", tiny, "--foo"], ["describe", "--model", tiny],
                ["describe", "--model", tiny, ""], ["describe", "--model", tiny, "   "], ["describe", "--model", tiny, "--", ""],
                ["describe", "--model", tiny, "--temperature"], ["describe", "a street"], ["bogus"], [], ["--bogus"],
                ["quantize", tiny, tiny, "--type", "q8_0", "--force"], ["quantize", tiny, Path.Combine(work, "x.gguf")],
                ["quantize", tiny, Path.Combine(work, "x.gguf"), "--type", "q9_9"], ["quantize", tiny, Path.Combine(work, "nofolder", "x.gguf"), "--type", "q8_0"],
                ["random-model", "--shape", "opt-175b", "--out", Path.Combine(work, "r.gguf")], ["random-model", "--shape", "tiny", "--out", tiny],
                ["random-model", "--shape", "tiny", "--out", Path.Combine(work, "r.gguf"), "--type", "q4_0"],
                ["eval", "--baseline", "xx", "--out", Path.Combine(work, "eval")], ["eval", "--set", "nosuch", "--baseline", "nn"],
                ["bench", "--shape", "opt-9b", "--type", "f16"], ["bench", "--model", garbage], ["tokenize", "--model", tiny],
                ["describe", "--model", model, "--context", "2147483647", "a street"], ["describe", "--model", model, "--check-tensors", "--context", "-3", "x"],
            });
            var rng = new Random(seed);
            cases = [.. cases.OrderBy(_ => rng.Next())];

            int ok = 0, two = 0, other = 0, hangs = 0, multiLine = 0, traces = 0, typeNames = 0, escapes = 0;
            var slowest = 0.0;
            var problems = new List<string>();
            var sink = new StringWriter();
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(sink), Ansi = AnsiSupport.No });
            var index = 0;
            foreach (var args in cases)
            {
                if (++index % 50 == 0) RealError.WriteLine($"{index}/{cases.Count} cases");
                var (code, stderr, seconds) = Invoke(args);
                slowest = Math.Max(slowest, seconds);
                var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var show = string.Join(' ', args.Select(a => a.Length > 40 ? a[..40] + "..." : a)).Replace("\u001b", "\\e").Replace("\u0007", "\\a");
                if (code == 0) ok++;
                else if (code == 2) two++;
                else { other++; problems.Add($"exit {code}: {show}: {stderr.Trim()}"); if (code == -1) hangs++; }
                if (code != 0 && lines.Length != 1) { multiLine++; problems.Add($"{lines.Length} lines: {show}: {stderr.Trim()}"); }
                if (stderr.Contains("   at ", StringComparison.Ordinal)) traces++;
                if (stderr.Contains("System.", StringComparison.Ordinal) || stderr.Contains("`1", StringComparison.Ordinal)) { typeNames++; problems.Add($"type name: {show}: {stderr.Trim()}"); }
                if (stderr.Contains('\u001b') || stderr.Contains('\u0007')) { escapes++; problems.Add($"raw control character: {show}"); }
            }
            Console.WriteLine($"| CLI argument cases, seed {seed} | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| cases | {cases.Count} |");
            Console.WriteLine($"| exit 0 (hostile value was acceptable) | {ok} |");
            Console.WriteLine($"| exit 2, one line | {two - multiLine} |");
            Console.WriteLine($"| other exit codes | {other} |");
            Console.WriteLine($"| hangs (> 60 s) | {hangs} |");
            Console.WriteLine($"| failures with more than one stderr line | {multiLine} |");
            Console.WriteLine($"| stack traces | {traces} |");
            Console.WriteLine($"| .NET type names | {typeNames} |");
            Console.WriteLine($"| raw control characters on stderr | {escapes} |");
            Console.WriteLine($"| slowest case | {slowest:F2} s |");
            foreach (var p in problems.Take(30)) Console.WriteLine($"problem: {p}");
            return other + multiLine + traces + typeNames + escapes == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Runs one case on its own thread; a case still running after a minute is a hang (exit -1).</summary>
    private static (int Code, string Stderr, double Seconds) Invoke(string[] args)
    {
        (int, string, double) result = (-1, "hang: no answer within 60 s", 60);
        var thread = new Thread(() => result = InvokeInline(args)) { IsBackground = true };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(60))) return (-1, "hang: no answer within 60 s", 60);
        return result;
    }

    private static (int Code, string Stderr, double Seconds) InvokeInline(string[] args)
    {
        var (oldOut, oldErr, oldIn) = (RealOut, RealError, RealIn);
        var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        try
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(stderr);
            Console.SetIn(new StringReader(""));
            var code = VisualNarrator.Cli.Program.Main(args);
            return (code, stderr.ToString(), clock.Elapsed.TotalSeconds);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Console.SetIn(oldIn);
        }
    }
}
