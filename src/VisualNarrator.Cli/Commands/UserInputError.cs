using VisualNarrator.Engine.Inference;
using VisualNarrator.Evaluation;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Cli.Commands;

/// <summary>Turns errors caused by the user's input into exit code 2 and one line on stderr, without a stack trace.</summary>
public static class UserInputError
{
    /// <summary>Exit code for malformed or missing input.</summary>
    public const int ExitCode = 2;

    /// <summary>Runs <paramref name="body"/>; input errors print one line and return <see cref="ExitCode"/>.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (IsInputError(ex))
        {
            Console.Error.WriteLine($"narrator: {ex.Message.ReplaceLineEndings(" ")}");
            return ExitCode;
        }
    }

    private static bool IsInputError(Exception ex) => ex is GgufFormatException or ModelLoadException or TokenizerFormatException or DecodeException
        or CaptionFileException
        or FileNotFoundException
        or DirectoryNotFoundException or InvalidDataException or UnauthorizedAccessException or ArgumentException
        or FormatException;
}
