using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

/// <summary>Runs <c>narrator</c>'s Main in this process with the console redirected: the argument-case tables run
/// hundreds of cases in seconds instead of starting a process each. Console redirection is process-wide, so callers
/// sit in the non-parallel <see cref="ConsoleCollection"/>.</summary>
internal static class InProcessNarrator
{
    private static readonly Lock Gate = new();

    public static NarratorCli.Result Run(string[] args, string stdin = "")
    {
        lock (Gate)
        {
            var (oldOut, oldErr, oldIn) = (Console.Out, Console.Error, Console.In);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            try
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
                Console.SetIn(new StringReader(stdin));
                var code = VisualNarrator.Cli.Program.Main(args);
                return new NarratorCli.Result(code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
                Console.SetIn(oldIn);
            }
        }
    }
}

/// <summary>Tests that redirect the process-wide console run alone.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
