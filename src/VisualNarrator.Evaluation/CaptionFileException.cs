namespace VisualNarrator.Evaluation;

/// <summary>A references or results file that cannot be used: unreadable, malformed, or not matching the other file.
/// The message names the file and the problem on one line.</summary>
public sealed class CaptionFileException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public CaptionFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The offending file.</summary>
    public string Path { get; }
}
