namespace VisualNarrator.Convert.HuggingFace;

/// <summary>A HuggingFace checkpoint, PEFT adapter or training data file is missing, malformed or does not fit the
/// model; the message names the file and what is wrong.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file or folder at fault.</param>
    /// <param name="problem">What is wrong, as a sentence fragment.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public CheckpointException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
