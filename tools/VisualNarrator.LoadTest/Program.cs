using System.CommandLine;
using VisualNarrator.CommandLine;

namespace VisualNarrator.LoadTest;

/// <summary>Entry point of the load-test tool: clients that drive the web app's HTTP API (a load run and a
/// hostile-request run), against a running app or one started in this process.</summary>
public static class Program
{
    /// <summary>The name errors are prefixed with.</summary>
    public const string Tool = "loadtest";

    /// <summary>Parses the command line and runs the chosen command under the exit-code contract of
    /// <see cref="CliErrorPolicy"/> (bad input: exit 2 and one line naming the option).</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Visual Narrator load test: load and hostile-request runs against the web app's HTTP API.");
        root.Subcommands.Add(LoadCommand.Create());
        root.Subcommands.Add(HostileCommand.Create());
        return CliErrorPolicy.Run(Tool, root, args);
    }
}
