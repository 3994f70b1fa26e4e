namespace VisualNarrator.Gguf;

/// <summary>A GGUF file is malformed. The message names the file, the byte offset and the problem.</summary>
public sealed class GgufFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="file"/> at byte <paramref name="offset"/>.</summary>
    public GgufFormatException(string file, long offset, string problem)
        : base($"{file}: at byte {offset}: {problem}")
    {
        File = file;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file (or stream name) that was being read.</summary>
    public string File { get; }

    /// <summary>Byte offset where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>What was wrong, without the file and offset.</summary>
    public string Problem { get; }
}
