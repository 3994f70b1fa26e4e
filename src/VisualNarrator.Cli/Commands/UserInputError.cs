using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Evaluation;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Cli.Commands;

/// <summary>The <c>narrator</c> side of <see cref="CliErrorPolicy"/>: which of the engine's exceptions mean bad input
/// (exit 2, one line on stderr, no stack trace).</summary>
public static class UserInputError
{
    /// <summary>Exit code for malformed or missing input.</summary>
    public const int ExitCode = CliErrorPolicy.InputError;

    /// <summary>The tool name errors are prefixed with.</summary>
    public const string Tool = "narrator";

    /// <summary>Runs <paramref name="body"/>; every exception becomes the contract's exit code and one line.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ModelOutputException ex)
        {
            Console.Error.WriteLine($"{Tool}: model error: {CliErrorPolicy.Message(ex)} (--check-tensors finds the bad tensor at load)");
            return ExitCode;
        }
        catch (Exception ex)
        {
            return CliErrorPolicy.Report(Tool, ex, IsInputError);
        }
    }

    /// <summary>True for the engine's exceptions that mean bad input rather than a bug: a file that is no valid model,
    /// tokenizer or caption file, a setting or narration request the engine refuses, a model that computes garbage.
    /// Any other <see cref="ArgumentException"/> or <see cref="InvalidOperationException"/> is a bug (exit 1).</summary>
    public static bool IsInputError(Exception ex) => ex is GgufFormatException or ModelLoadException or TokenizerFormatException or DecodeException
        or CaptionFileException or ModelOutputException or KeyNotFoundException or NarrationRejectedException or InvalidSettingException;
}
