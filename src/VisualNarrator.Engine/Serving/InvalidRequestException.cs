namespace VisualNarrator.Engine.Serving;

/// <summary>
/// A narration request the engine refuses because of one field: out-of-range sampling settings, too many or too long
/// stop strings, an empty scene or prompt, more new tokens than the context holds. <see cref="Field"/> names the
/// field so each surface can name it its own way (CLI option, API field, form field). Derives from
/// <see cref="ArgumentException"/> (with <see cref="ArgumentException.ParamName"/> = <see cref="Field"/>) so callers
/// that treat argument errors as input faults keep doing so; the message has no " (Parameter ...)" suffix.
/// </summary>
/// <param name="field">The <see cref="Sampling.SamplingSettings"/> property (e.g. <c>TopP</c>, <c>StopStrings</c>),
/// or <see cref="PromptField"/> / <see cref="SceneField"/>.</param>
/// <param name="message">What is wrong and what is allowed.</param>
public sealed class InvalidRequestException(string field, string message) : ArgumentException(message, field)
{
    /// <summary>Field name of the prompt text.</summary>
    public const string PromptField = "Prompt";

    /// <summary>Field name of a scene put into a prompt template.</summary>
    public const string SceneField = "Scene";

    /// <summary>Field name of the prompt template's name.</summary>
    public const string TemplateField = "Template";

    /// <summary>The field at fault.</summary>
    public string Field { get; } = field;

    /// <inheritdoc />
    public override string Message { get; } = message;
}
