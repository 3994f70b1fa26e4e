using System.CommandLine;
using VisualNarrator.Cli.Commands;
using VisualNarrator.CommandLine;

namespace VisualNarrator.Cli;

/// <summary>Entry point of the <c>narrator</c> tool.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command under the exit-code contract of
    /// <see cref="CliErrorPolicy"/>.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Visual Narrator: inspect, tokenize and run OPT narration models in GGUF form.");
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(LogitsCommand.Create());
        root.Subcommands.Add(DescribeCommand.Create());
        root.Subcommands.Add(RandomModelCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(DevicesCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        return CliErrorPolicy.Run(UserInputError.Tool, root, args, UserInputError.IsInputError);
    }
}
