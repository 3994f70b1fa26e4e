using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Components.Shared;

/// <summary>Runs a <see cref="NarrationTurn"/> through the shared engine, filling it in as pieces stream.</summary>
public static class TurnRunner
{
    /// <summary>Submits the turn's prompt and settings, streams the pieces into it, and records stats or the error.
    /// Each piece raises <see cref="NarrationTurn.Updated"/> (the narration's view re-renders) and calls
    /// <paramref name="changed"/>; the queue position and the end call it too (the page decides what to re-render).</summary>
    public static async Task RunAsync(INarrator narrator, string clientId, NarrationTurn turn, Func<NarrationTurn, Task> changed, CancellationToken cancellationToken)
    {
        turn.Text = "";
        turn.Tokens = [];
        turn.Stats = null;
        turn.Error = null;
        turn.Interrupted = false;
        turn.Running = true;
        turn.QueuePosition = 0;
        try
        {
            var run = narrator.Submit(clientId, new NarrationRequest(turn.Prompt, turn.Settings, narrator.Limits.MaxPromptTokens), cancellationToken);
            turn.Model = run.Model;
            await changed(turn);
            var started = false;
            var poll = PollQueueAsync(run, turn, changed, () => started, cancellationToken);
            await foreach (var piece in run.Pieces)
            {
                started = true;
                turn.QueuePosition = 0;
                turn.Text += piece.Text;
                turn.Tokens.Add(new TokenView(piece.Text, piece.TokenId, piece.Probability, piece.Alternatives));
                turn.NotifyUpdated();
                await changed(turn);
            }
            started = true;
            var result = await run.Completion;
            await poll;
            turn.Stats = NarrationStats.From(result);
        }
        catch (NarrationRejectedException ex)
        {
            turn.Error = ex.Message;
        }
        catch (ServerBusyException ex)
        {
            turn.Error = ex.Message;
        }
        catch (NoModelLoadedException ex)
        {
            turn.Error = ex.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            turn.Error = $"The narration failed: {ex.Message}";
        }
        finally
        {
            turn.Running = false;
            turn.QueuePosition = 0;
        }
        turn.NotifyUpdated();
        await changed(turn);
    }

    private static async Task PollQueueAsync(NarrationRun run, NarrationTurn turn, Func<NarrationTurn, Task> changed, Func<bool> started, CancellationToken cancellationToken)
    {
        try
        {
            while (!started() && !cancellationToken.IsCancellationRequested)
            {
                var position = run.QueuePosition;
                if (position != turn.QueuePosition)
                {
                    turn.QueuePosition = position;
                    turn.NotifyUpdated();
                    await changed(turn);
                }
                await Task.Delay(250, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
