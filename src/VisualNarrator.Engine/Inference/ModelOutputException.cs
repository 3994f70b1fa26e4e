namespace VisualNarrator.Engine.Inference;

/// <summary>
/// Thrown when a model computes something unusable, such as NaN or infinite logits: the fault lies in the model file
/// (corrupt or overflowing weights), not in the request. Callers report it as a model error (CLI exit 2; web: the
/// model is unhealthy and requests get a 500-class <c>model_error</c>), never as bad client input.
/// </summary>
/// <param name="model">The model file, as the user named it.</param>
/// <param name="problem">What was wrong, e.g. "logits row 0 holds NaN at token id 17".</param>
public sealed class ModelOutputException(string model, string problem) : Exception($"{model}: {problem}")
{
    /// <summary>The model file, as the user named it.</summary>
    public string ModelFile { get; } = model;

    /// <summary>What was wrong.</summary>
    public string Problem { get; } = problem;
}
