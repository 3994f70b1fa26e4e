namespace VisualNarrator.Engine.Serving;

/// <summary>
/// A narration request the engine refuses because of one field: out-of-range sampling settings, too many or too long
/// stop strings, an empty scene or prompt, more new tokens than the context holds, an unknown preset. <see cref="Field"/>
/// names the field so each surface can name it its own way (CLI option, API field, form field). It is no
/// <see cref="ArgumentException"/>: an argument error inside the engine is a bug, this is the caller's input.
/// </summary>
/// <param name="field">The <see cref="Sampling.SamplingSettings"/> property (e.g. <c>TopP</c>, <c>StopStrings</c>),
/// or <see cref="PromptField"/> / <see cref="SceneField"/>.</param>
/// <param name="reason">What is wrong and what is allowed.</param>
public sealed class NarrationRejectedException(string field, string reason) : Exception(reason)
{
    /// <summary>Field name of the prompt text.</summary>
    public const string PromptField = "Prompt";

    /// <summary>Field name of a scene put into a prompt template.</summary>
    public const string SceneField = "Scene";

    /// <summary>Field name of the prompt template's name.</summary>
    public const string TemplateField = "Template";

    /// <summary>The field at fault.</summary>
    public string Field { get; } = field;

    /// <summary>What is wrong and what is allowed (the message).</summary>
    public string Reason { get; } = reason;
}
