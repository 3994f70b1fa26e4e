using System.Collections.Concurrent;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Tests.Support;

/// <summary>Passes everything to the real engine and keeps every run, so tests can see how a narration ended.</summary>
public sealed class RecordingNarrator(INarrator inner) : INarrator
{
    public ConcurrentQueue<NarrationRun> Runs { get; } = new();

    public NarratorStatus Status => inner.Status;
    public NarrationLimits Limits => inner.Limits;

    public event Action? Changed
    {
        add => inner.Changed += value;
        remove => inner.Changed -= value;
    }

    public PromptFit Fit(string prompt) => inner.Fit(prompt);

    public VisualNarrator.Engine.Generation.PromptFormat Prompts => inner.Prompts;

    public IReadOnlyList<ModelInfo> ListModels() => inner.ListModels();

    public Task SwitchModelAsync(string name, CancellationToken cancellationToken = default) => inner.SwitchModelAsync(name, cancellationToken);

    public NarrationRun Submit(string clientId, NarrationRequest request, CancellationToken cancellationToken)
    {
        var run = inner.Submit(clientId, request, cancellationToken);
        Runs.Enqueue(run);
        return run;
    }
}
