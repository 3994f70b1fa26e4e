namespace VisualNarrator.Tokenization;

/// <summary>
/// Tokenizer data (a Hugging Face folder, a GGUF file, a resource) is missing or inconsistent. The message
/// names the source and the field or file that was wrong.
/// </summary>
public sealed class TokenizerFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">Where the data came from: a file path, a folder, a resource name.</param>
    /// <param name="field">The field, key or file inside the source that was wrong.</param>
    /// <param name="problem">What was wrong, in words.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public TokenizerFormatException(string source, string field, string problem, Exception? inner = null)
        : base($"{source}: {field}: {problem}", inner)
    {
        DataSource = source;
        Field = field;
        Problem = problem;
    }

    /// <summary>Where the data came from (a file path, a folder, a resource name).</summary>
    public string DataSource { get; }

    /// <summary>The field, key or file inside <see cref="DataSource"/> that was wrong.</summary>
    public string Field { get; }

    /// <summary>What was wrong, without the source and field.</summary>
    public string Problem { get; }
}
