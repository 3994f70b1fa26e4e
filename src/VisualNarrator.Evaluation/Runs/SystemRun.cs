namespace VisualNarrator.Evaluation.Runs;

/// <summary>One evaluated system: its outputs and its performance.</summary>
/// <param name="Name">Report key ("model" or "nn").</param>
/// <param name="Description">What it is.</param>
/// <param name="Outputs">One output per item, in set order.</param>
/// <param name="Performance">Speed and memory.</param>
public sealed record SystemRun(string Name, string Description, IReadOnlyList<SystemOutput> Outputs, Performance Performance);
