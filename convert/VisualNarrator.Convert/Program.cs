using System.CommandLine;
using VisualNarrator.CommandLine;
using VisualNarrator.Convert.Commands;

namespace VisualNarrator.Convert;

/// <summary>Entry point of the <c>convert</c> tool.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command under the exit-code contract of
    /// <see cref="CliErrorPolicy"/>.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Visual Narrator convert: HuggingFace OPT checkpoints and PEFT LoRA adapters in TorchSharp; synth, train, merge, GGUF export.");
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(ToGgufCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(TrainingCommands.CreateTrainLora());
        root.Subcommands.Add(TrainingCommands.CreateTrain());
        return CliErrorPolicy.Run("convert", root, args, CommandRunner.IsInputError);
    }
}
