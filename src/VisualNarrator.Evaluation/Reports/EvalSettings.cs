namespace VisualNarrator.Evaluation.Reports;

/// <summary>Command-line settings recorded in the report.</summary>
/// <param name="Model">Model file, if any.</param>
/// <param name="Baseline">Baseline name, if any.</param>
/// <param name="Train">Training set of the baseline, if any.</param>
/// <param name="Samples">--samples, if given.</param>
/// <param name="MaxSequences">Scheduler sequences.</param>
/// <param name="MaxPromptTokens">Prompt limit.</param>
/// <param name="Device">ggml device.</param>
/// <param name="Threads">CPU threads (0: one per core).</param>
/// <param name="Context">KV-cache cells (0: the model's context length).</param>
/// <param name="CacheType">KV-cache type.</param>
public sealed record EvalSettings(string? Model, string? Baseline, string? Train, int? Samples, int MaxSequences, int MaxPromptTokens,
    string Device, int Threads, int Context, string CacheType);
