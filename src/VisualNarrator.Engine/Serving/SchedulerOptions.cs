using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Serving;

/// <summary>Scheduler settings; every default is resolved here or in <see cref="InferenceOptions"/>.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Narrations decoded together (sequences in one decode graph). Default 8.</summary>
    public int MaxSequences { get; init; } = 8;

    /// <summary>Requests that may wait beyond those running; more are refused as busy. Default 64.</summary>
    public int QueueCapacity { get; init; } = 64;

    /// <summary>Most prompt tokens one newcomer feeds per step, so running streams keep flowing. Default 64.</summary>
    public int PrefillChunkTokens { get; init; } = 64;

    /// <summary>The inference context: KV-cache cells (0: the model's context), cache type, most tokens per decode step
    /// (running streams first, then prompt chunks), flash attention.</summary>
    public InferenceOptions Inference { get; init; } = new();

    /// <summary>Longest prompt accepted, in characters (<see cref="CountCharacters"/>); 0: no limit.</summary>
    public int MaxPromptCharacters { get; init; }

    /// <summary>Largest <see cref="SamplingSettings.MaxNewTokens"/> accepted; 0: only the context limits it.</summary>
    public int MaxNewTokensLimit { get; init; }

    /// <summary>The one character count of a prompt: what a limit is checked against and a studio counter shows (the
    /// whole prompt sent to the model, template included).</summary>
    public static int CountCharacters(string prompt) => prompt.Length;
}
