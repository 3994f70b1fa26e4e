using VisualNarrator.CommandLine;
using System.Text;

namespace VisualNarrator.Cli.Commands;

/// <summary>Where a scene or prompt comes from: the command line, stdin (<c>-</c>) or <c>--prompt-file</c>. Long input is
/// read up to <see cref="MaxCharacters"/>; blank input is refused rather than narrated as an invented scene.</summary>
public static class PromptInput
{
    /// <summary>Most characters accepted from stdin or a file (the prompt is cut to its token budget later anyway).</summary>
    public const int MaxCharacters = 1 << 20;

    /// <summary>The scene or prompt text, checked.</summary>
    /// <exception cref="UsageException">Both or neither source given, blank text, or text over the limit.</exception>
    public static string Read(string? argument, FileInfo? file, TextReader stdin)
    {
        if (argument is not null && file is not null)
            throw new UsageException("give the scene either as an argument or with --prompt-file, not both");
        string text, source;
        if (file is not null)
        {
            InputFile.Require(file.FullName, "--prompt-file");
            using var reader = new StreamReader(file.FullName, new UTF8Encoding(false, throwOnInvalidBytes: false));
            (text, source) = (ReadBounded(reader, $"--prompt-file {file.FullName}"), $"--prompt-file {file.FullName}");
        }
        else if (argument == "-")
        {
            (text, source) = (ReadBounded(stdin, "stdin"), "stdin");
        }
        else if (argument is not null)
        {
            (text, source) = (argument, "SCENE_OR_PROMPT");
        }
        else
        {
            throw new UsageException("no scene given: pass SCENE_OR_PROMPT, - to read stdin, or --prompt-file FILE");
        }
        if (string.IsNullOrWhiteSpace(text))
            throw new UsageException($"the scene from {source} is empty; describe what the image shows, e.g. \"a busy city street\"");
        return text.Trim();
    }

    private static string ReadBounded(TextReader reader, string source)
    {
        var buffer = new char[MaxCharacters + 1];
        var n = 0;
        while (n < buffer.Length)
        {
            var read = reader.Read(buffer, n, buffer.Length - n);
            if (read == 0) break;
            n += read;
        }
        if (n > MaxCharacters) throw new UsageException($"the prompt from {source} is longer than {MaxCharacters} characters");
        return new string(buffer, 0, n);
    }
}
