namespace VisualNarrator.Engine.Models;

/// <summary>A model file does not satisfy its architecture's contract (missing key or tensor, wrong shape or type).
/// Raised before any native code sees the file.</summary>
public sealed class ModelLoadException(string file, string problem) : Exception($"{file}: {problem}")
{
    /// <summary>The model file.</summary>
    public string File { get; } = file;

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; } = problem;
}
