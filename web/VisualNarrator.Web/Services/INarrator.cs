using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Services;

/// <summary>What the engine is doing.</summary>
public enum NarratorState
{
    /// <summary>No model is loaded (the default model is absent or failed to load); narrations are refused.</summary>
    NoModel,
    /// <summary>A model is being loaded; the previous one (if any) keeps serving.</summary>
    Loading,
    /// <summary>A model is loaded and serving.</summary>
    Ready,
    /// <summary>The loaded model computed NaN or infinite values (corrupt weights); narrations are refused as a model
    /// error until another model is loaded.</summary>
    Unhealthy,
}

/// <summary>The engine's state for the model picker and the health endpoint.</summary>
/// <param name="State">What it is doing.</param>
/// <param name="Model">The model serving narrations, or null.</param>
/// <param name="Message">A sentence for people: what is loaded, or why nothing is.</param>
/// <param name="ModelsFolder">The models folder's own name (e.g. <c>models</c>): shown to users, so never an absolute path.</param>
/// <param name="Running">Narrations being decoded.</param>
/// <param name="Waiting">Narrations waiting for a slot.</param>
/// <param name="RunsOn">Where the model runs, e.g. <c>CPU</c> or <c>Vulkan0: 12/12 layers ...</c> (null: no model).</param>
public sealed record NarratorStatus(NarratorState State, ModelInfo? Model, string Message, string ModelsFolder, int Running, int Waiting,
    string? RunsOn = null);

/// <summary>Input limits every narration must respect (refused with a message otherwise).</summary>
/// <param name="MaxPromptCharacters">Longest prompt in characters.</param>
/// <param name="MaxPromptTokens">Prompts are cut from the left to this many tokens.</param>
/// <param name="MaxNewTokens">Largest max_new_tokens.</param>
public sealed record NarrationLimits(int MaxPromptCharacters, int MaxPromptTokens, int MaxNewTokens)
{
    /// <summary>The one character count of a prompt that the studio's counter shows and the server checks: the whole
    /// prompt sent to the model, template included.</summary>
    public static int CountCharacters(string prompt) => SchedulerOptions.CountCharacters(prompt);
}

/// <summary>How a prompt fits the loaded model.</summary>
/// <param name="Characters">Characters, as <see cref="NarrationLimits.CountCharacters"/> counts them.</param>
/// <param name="PromptTokens">Tokens the prompt will take (after cutting to the prompt limit), 0 without a model.</param>
/// <param name="ContextLength">Tokens a narration may use in all, 0 without a model.</param>
/// <param name="MaxNewTokens">The largest max new tokens this prompt leaves room for: the context minus the prompt, and
/// at most the server's limit.</param>
public sealed record PromptFit(int Characters, int PromptTokens, int ContextLength, int MaxNewTokens);

/// <summary>The narration service shared by every user of the app and of the HTTP API.</summary>
public interface INarrator
{
    /// <summary>Current state.</summary>
    NarratorStatus Status { get; }

    /// <summary>Input limits.</summary>
    NarrationLimits Limits { get; }

    /// <summary>Raised (on any thread) when the state or the model changes.</summary>
    event Action? Changed;

    /// <summary>Measures a prompt against the limits and the loaded model: what the sampling panel checks max new
    /// tokens against.</summary>
    PromptFit Fit(string prompt);

    /// <summary>The loaded model's prompt templates (from its GGUF), or the seed's without a model or without stored ones.</summary>
    VisualNarrator.Engine.Generation.PromptFormat Prompts { get; }

    /// <summary>The models the picker may offer (files inside the models folder).</summary>
    IReadOnlyList<ModelInfo> ListModels();

    /// <summary>Loads the named model (relative to the models folder) and makes it serve new narrations; running ones
    /// finish within the grace period or are cancelled.</summary>
    /// <exception cref="ModelPathException">The name is outside the models folder or not a model file.</exception>
    Task SwitchModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Queues a narration for <paramref name="clientId"/> (one browser circuit or API caller) in the loaded
    /// model's scheduler, whose one queue serves clients round-robin so one busy client cannot starve the others; the
    /// request is checked and tokenized there, once. Cancelling the token stops it.</summary>
    /// <exception cref="VisualNarrator.Engine.Serving.NarrationRejectedException">Invalid settings or an input over the limits
    /// (the message says which, <c>Field</c> names the field).</exception>
    /// <exception cref="VisualNarrator.Engine.Inference.ModelOutputException">The model is unhealthy (it computed NaN or
    /// infinity).</exception>
    /// <exception cref="ServerBusyException">Too many narrations are waiting.</exception>
    /// <exception cref="NoModelLoadedException">No model is loaded.</exception>
    NarrationRun Submit(string clientId, NarrationRequest request, CancellationToken cancellationToken);
}

/// <summary>A queued or running narration: the scheduler's pushed updates (queue position, prefilling, decoding, pieces,
/// done), its result and the model narrating.</summary>
public sealed class NarrationRun
{
    private readonly Func<int> _queuePosition;

    /// <summary>Wraps a narration's update stream, its result and the last queue position it pushed.</summary>
    public NarrationRun(IAsyncEnumerable<NarrationUpdate> updates, Task<NarrationResult> completion, Func<int> queuePosition, string model)
    {
        Updates = updates;
        Completion = completion;
        _queuePosition = queuePosition;
        Model = model;
    }

    /// <summary>For a scheduler's narration. The callbacks run before a caller sees the outcome, so what it changes
    /// (the server turning unhealthy, the metrics) is in place by the time the caller answers its client:
    /// <paramref name="onModelFault"/> when the model fails (seen through <see cref="Updates"/>, <see cref="Pieces"/>
    /// or <see cref="Completion"/>), <paramref name="onDone"/> once the narration ends, with its result or null when it
    /// failed or was cancelled (it runs whether or not anyone awaits <see cref="Completion"/>).</summary>
    public NarrationRun(NarrationStream stream, string model, Action<ModelOutputException> onModelFault, Action<NarrationResult?> onDone)
        : this(ReportingFaults(stream.Updates, onModelFault), Reporting(stream.Completion, onModelFault, onDone), () => stream.QueuePosition, model)
    {
    }

    /// <summary>Stage changes and generated pieces as the scheduler pushes them; enumerate this or
    /// <see cref="Pieces"/>, once.</summary>
    public IAsyncEnumerable<NarrationUpdate> Updates { get; }

    /// <summary>Generated pieces only, as they come.</summary>
    public IAsyncEnumerable<NarrationPiece> Pieces => PiecesOf(Updates);

    /// <summary>The result (faults when the engine failed).</summary>
    public Task<NarrationResult> Completion { get; }

    /// <summary>1-based position among waiting narrations as last pushed, 0 once running or finished.</summary>
    public int QueuePosition => _queuePosition();

    /// <summary>Name of the model narrating.</summary>
    public string Model { get; }

    private static async IAsyncEnumerable<NarrationUpdate> ReportingFaults(IAsyncEnumerable<NarrationUpdate> updates,
        Action<ModelOutputException> onModelFault, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var e = updates.WithCancellation(cancellationToken).ConfigureAwait(false).GetAsyncEnumerator();
        while (true)
        {
            bool more;
            try { more = await e.MoveNextAsync(); }
            catch (ModelOutputException ex)
            {
                onModelFault(ex);
                throw;
            }
            if (!more) yield break;
            yield return e.Current;
        }
    }

    private static async Task<NarrationResult> Reporting(Task<NarrationResult> completion, Action<ModelOutputException> onModelFault,
        Action<NarrationResult?> onDone)
    {
        NarrationResult result;
        try { result = await completion.ConfigureAwait(false); }
        catch (Exception ex)
        {
            if (ex is ModelOutputException fault) onModelFault(fault);
            onDone(null);
            throw;
        }
        onDone(result);
        return result;
    }

    private static async IAsyncEnumerable<NarrationPiece> PiecesOf(IAsyncEnumerable<NarrationUpdate> updates,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
            if (update.Piece is { } piece) yield return piece;
    }
}
