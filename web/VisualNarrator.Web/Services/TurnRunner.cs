using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Components.Shared;

namespace VisualNarrator.Web.Services;

/// <summary>Runs a <see cref="NarrationTurn"/> through the shared engine, filling it in from the updates the scheduler
/// pushes: queue position while waiting, then the pieces as they stream.</summary>
public static class TurnRunner
{
    /// <summary>Submits the turn's prompt and settings, follows its updates, and records stats or the error. Each piece
    /// and each change of queue position raises <see cref="NarrationTurn.Updated"/> (the narration's view re-renders) and
    /// calls <paramref name="changed"/>; the end calls it too (the page decides what to re-render).</summary>
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
            // Cancelling ends the stream itself (a "stopped" result), so the loop needs no token.
            await foreach (var update in run.Updates)
            {
                var position = update.Stage == NarrationStage.Queued ? update.QueuePosition : 0;
                if (update.Piece is { } piece)
                {
                    turn.QueuePosition = 0;
                    turn.Text += piece.Text;
                    turn.Tokens.Add(new TokenView(piece.Text, piece.TokenId, piece.Probability, piece.Alternatives));
                }
                else if (position != turn.QueuePosition) turn.QueuePosition = position;
                else continue;
                turn.NotifyUpdated();
                await changed(turn);
            }
            turn.Stats = NarrationStats.From(await run.Completion);
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
}
