namespace VisualNarrator.Web.Services;

/// <summary>No model is loaded (none found at start, or the last load failed): the API answers 503
/// <c>model_not_loaded</c> and the studio shows the message.</summary>
/// <param name="message">Why, as the status line says it (e.g. "Could not load narrator.gguf: ...").</param>
public sealed class NoModelLoadedException(string message) : Exception(message);
