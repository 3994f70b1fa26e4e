using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace VisualNarrator.Engine.Serving;

/// <summary>A queued or running narration. Enumerate it for the generated pieces, or enumerate <see cref="Updates"/>
/// for everything the scheduler pushes (stages and pieces); one of the two, once. <see cref="Completion"/> gives the
/// result. Cancel with the token passed to <see cref="NarrationScheduler.Submit"/>.</summary>
public sealed class NarrationStream : IAsyncEnumerable<NarrationPiece>
{
    private readonly NarrationScheduler.Job _job;
    private readonly ChannelReader<NarrationUpdate> _reader;

    internal NarrationStream(NarrationScheduler.Job job, ChannelReader<NarrationUpdate> reader, Task<NarrationResult> completion)
    {
        _job = job;
        _reader = reader;
        Completion = completion;
    }

    /// <summary>The final result (text, finish reason, timings).</summary>
    public Task<NarrationResult> Completion { get; }

    /// <summary>1-based position in the admission order, or 0 once running or finished (the last one pushed).</summary>
    public int QueuePosition => _job.QueuePosition;

    /// <summary>Prompt tokens after fitting.</summary>
    public int PromptTokens => _job.Prompt.Length;

    /// <summary>Tokens cut from the left of the prompt.</summary>
    public int PromptTokensDropped => _job.Dropped;

    /// <summary>Every stage change and piece, in order, as the scheduler pushes them; ends after
    /// <see cref="NarrationStage.Done"/>, or throws the narration's failure.</summary>
    public IAsyncEnumerable<NarrationUpdate> Updates => Read();

    /// <inheritdoc />
    public async IAsyncEnumerator<NarrationPiece> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var update in Read(cancellationToken).ConfigureAwait(false))
            if (update.Piece is { } piece) yield return piece;
    }

    private async IAsyncEnumerable<NarrationUpdate> Read([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in _reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (update.Stage != NarrationStage.Queued) yield return update;
            else if (_job.TakeQueued() is { } position) yield return update with { QueuePosition = position };
        }
    }
}
