using Spectre.Console;
using VisualNarrator.CommandLine;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Torch;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Convert.Commands;

/// <summary>Runs a command body: loads TorchSharp first, turns input errors into exit code 2 with one line on
/// stderr, TorchSharp load failures into exit code 3, and Ctrl+C or SIGTERM (through <see cref="Interruption"/>) into exit code 130 (temporary output is removed by
/// the body's <see cref="AtomicOutput"/>).</summary>
public static class CommandRunner
{
    /// <summary>Exit code for malformed or missing input.</summary>
    public const int InputError = 2;
    /// <summary>Exit code when TorchSharp cannot be loaded.</summary>
    public const int TorchError = 3;
    /// <summary>Exit code when interrupted.</summary>
    public const int Interrupted = 130;

    /// <summary>Runs <paramref name="body"/> with a token that Ctrl+C cancels.</summary>
    public static int Run(Func<CancellationToken, int> body, bool needsTorch = true)
    {
        using var cts = new CancellationTokenSource();
        using var cooperate = Interruption.Cooperate(cts);
        try
        {
            if (needsTorch) TorchRuntime.EnsureInitialized();
            return body(cts.Token);
        }
        catch (TorchUnavailableException ex)
        {
            Console.Error.WriteLine($"convert: TorchSharp is unavailable: {OneLine(ex.Message)}");
            return TorchError;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("convert: interrupted; no output was written (a training run can continue with --resume)");
            return Interrupted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return CliErrorPolicy.Report("convert", ex, IsInputError);
        }
    }

    /// <summary>Writes a warning line to stderr.</summary>
    public static void Warn(string message) => Console.Error.WriteLine($"convert: warning: {OneLine(message)}");

    /// <summary>Writes a progress bar for the duration of <paramref name="body"/>; the task's value runs 0 to 1.</summary>
    public static T WithProgress<T>(string description, Func<ProgressTask, T> body) =>
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask(Markup.Escape(description), maxValue: 1);
                var result = body(task);
                task.Value = 1;
                return result;
            });

    private static string OneLine(string s) => TerminalText.Escape(s.ReplaceLineEndings(" "));

    /// <summary>True for the tool's exceptions that mean bad input (exit 2) rather than a bug.</summary>
    public static bool IsInputError(Exception ex) => ex is CheckpointException or TokenizerFormatException or ArgumentException
        or NotSupportedException or FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException
        or InvalidDataException or FormatException or VisualNarrator.Gguf.GgufFormatException
        or VisualNarrator.Engine.Models.ModelLoadException or VisualNarrator.Engine.Inference.ModelOutputException
        or VisualNarrator.Engine.Inference.InvalidSettingException;
}
