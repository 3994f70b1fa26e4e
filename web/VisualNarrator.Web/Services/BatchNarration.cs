using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Services;

/// <summary>Where one scene of a batch stands.</summary>
public enum BatchStatus
{
    /// <summary>Not started yet.</summary>
    Waiting,
    /// <summary>Submitted to the engine (queued or decoding).</summary>
    Running,
    /// <summary>Narrated.</summary>
    Done,
    /// <summary>Refused or failed; <see cref="SceneResult.Error"/> says why.</summary>
    Failed,
    /// <summary>Cancelled before it finished; a resume runs it again.</summary>
    Cancelled,
}

/// <summary>One scene of a batch and its outcome.</summary>
public sealed class BatchItem(SceneItem scene, string prompt)
{
    /// <summary>The scene as read from the file.</summary>
    public SceneItem Scene { get; } = scene;

    /// <summary>The prompt sent to the model.</summary>
    public string Prompt { get; } = prompt;

    /// <summary>Where it stands.</summary>
    public BatchStatus Status { get; set; }

    /// <summary>The outcome once done, failed or cancelled.</summary>
    public SceneResult? Result { get; set; }
}

/// <summary>Narrates many scenes through the shared engine (so the fair queue serves batch, chat and API users in turn),
/// a few at a time.</summary>
public static class BatchNarration
{
    /// <summary>Scenes of one batch narrated at once.</summary>
    public const int Concurrency = 4;

    /// <summary>Items for scenes, each put into <paramref name="template"/> unless it already starts like one of the
    /// model's templates (<paramref name="knownTemplates"/>).</summary>
    public static List<BatchItem> Items(IEnumerable<SceneItem> scenes, string template, IEnumerable<string> knownTemplates) =>
        scenes.Select(s => new BatchItem(s, PromptTemplates.ToPrompt(s.Scene, template, knownTemplates))).ToList();

    /// <summary>Narrates every item not yet done (waiting, failed or cancelled ones: a resume). Each narration draws a
    /// random seed unless <paramref name="fixedSeed"/>. <paramref name="changed"/> is called when an item starts and
    /// ends. Cancelling marks unfinished items cancelled.</summary>
    public static async Task RunAsync(INarrator narrator, string clientId, IReadOnlyList<BatchItem> items, SamplingSettings settings, bool fixedSeed,
        Func<BatchItem, Task> changed, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(Concurrency);
        var todo = items.Where(i => i.Status != BatchStatus.Done).ToList();
        foreach (var item in todo)
        {
            item.Status = BatchStatus.Waiting;
            item.Result = null;
        }
        await Task.WhenAll(todo.Select(async item =>
        {
            try { await gate.WaitAsync(cancellationToken); }
            catch (OperationCanceledException)
            {
                item.Status = BatchStatus.Cancelled;
                item.Result = Outcome(item, "", "cancelled", settings.Seed, 0, null);
                await changed(item);
                return;
            }
            try
            {
                item.Status = BatchStatus.Running;
                await changed(item);
                await NarrateAsync(narrator, clientId, item, fixedSeed ? settings : settings with { Seed = (uint)Random.Shared.NextInt64(0, uint.MaxValue) }, cancellationToken);
                await changed(item);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Narrates one item and records its outcome (never throws for a failed narration).</summary>
    public static async Task NarrateAsync(INarrator narrator, string clientId, BatchItem item, SamplingSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var run = narrator.Submit(clientId, new NarrationRequest(item.Prompt, settings, narrator.Limits.MaxPromptTokens, Alternatives: 0), cancellationToken);
            var result = await run.Completion;
            var cancelled = result.Finish == FinishReason.Cancelled;
            item.Status = cancelled ? BatchStatus.Cancelled : BatchStatus.Done;
            item.Result = Outcome(item, result.Text, cancelled ? "cancelled" : result.Finish == FinishReason.Length ? "length" : "stop", settings.Seed, result.Timings.GeneratedTokens, null);
        }
        catch (OperationCanceledException)
        {
            item.Status = BatchStatus.Cancelled;
            item.Result = Outcome(item, "", "cancelled", settings.Seed, 0, null);
        }
        catch (Exception ex)
        {
            // One scene's failure (refused input, busy server, the model's own fault) is recorded; the batch goes on.
            item.Status = BatchStatus.Failed;
            item.Result = Outcome(item, "", "error", settings.Seed, 0, ex.Message);
        }
    }

    private static SceneResult Outcome(BatchItem item, string text, string finish, uint seed, int tokens, string? error) =>
        new(item.Scene.Id, item.Scene.Scene, item.Prompt, text.Trim(), finish, seed, tokens, error);
}
