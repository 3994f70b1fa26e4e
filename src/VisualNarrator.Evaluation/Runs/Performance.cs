namespace VisualNarrator.Evaluation.Runs;

/// <summary>Speed and memory of one system; model-only fields are null for the baseline.</summary>
/// <param name="Descriptions">Descriptions produced.</param>
/// <param name="WallSeconds">Wall time from the first submission to the last completion.</param>
/// <param name="SecondsPerDescription">Wall time / descriptions (with several sequences in flight).</param>
/// <param name="MeanLatencySeconds">Mean time from submission to the end of one narration (queueing included).</param>
/// <param name="DecodeTokensPerSecond">Generated tokens of all narrations / wall time.</param>
/// <param name="MeanStreamDecodeTokensPerSecond">Mean of each narration's own decode rate (tokens after the first).</param>
/// <param name="GeneratedTokens">Tokens generated in all.</param>
/// <param name="MeanGeneratedTokens">Tokens per description.</param>
/// <param name="StoppedByLength">Narrations that hit max_new_tokens.</param>
/// <param name="PromptsCut">Prompts cut from the left to fit.</param>
/// <param name="LoadSeconds">Model load time.</param>
/// <param name="PeakRssBytes">Peak resident memory of the process so far (VmHWM; 0 where unavailable).</param>
public sealed record Performance(int Descriptions, double WallSeconds, double SecondsPerDescription, double? MeanLatencySeconds,
    double? DecodeTokensPerSecond, double? MeanStreamDecodeTokensPerSecond, long? GeneratedTokens, double? MeanGeneratedTokens,
    int? StoppedByLength, int? PromptsCut, double? LoadSeconds, long PeakRssBytes);
