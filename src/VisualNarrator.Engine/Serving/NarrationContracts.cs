using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Serving;

/// <summary>A narration to run: the full prompt (templates already applied) and how to sample.</summary>
/// <param name="Prompt">Prompt text; it is never part of the output.</param>
/// <param name="Sampling">Sampling settings (validated on submit).</param>
/// <param name="MaxPromptTokens">Prompts longer than this are cut from the left (the seed model cuts at 128).</param>
/// <param name="Alternatives">How many top alternatives to report per generated token (0 = none).</param>
/// <param name="Client">Who asks (a browser tab, an API user): clients take turns for free slots, see
/// <see cref="FairQueue{T}"/>. Requests with the same client are served in order.</param>
public sealed record NarrationRequest(string Prompt, SamplingSettings Sampling, int MaxPromptTokens = 128, int Alternatives = 5, string Client = "");

/// <summary>An alternative the sampler could have picked.</summary>
/// <param name="TokenId">Token id.</param>
/// <param name="Text">Its text.</param>
/// <param name="Probability">Probability in the distribution the token was drawn from.</param>
public sealed record TokenAlternative(int TokenId, string Text, float Probability);

/// <summary>One generated token: the text it completes (may be empty while a UTF-8 character or a possible stop
/// string is pending), its id, its probability and the top alternatives.</summary>
public sealed record NarrationPiece(string Text, int TokenId, float Probability, IReadOnlyList<TokenAlternative> Alternatives);

/// <summary>Why a narration ended.</summary>
public enum FinishReason
{
    /// <summary>End-of-sequence token or a stop string.</summary>
    Stop,
    /// <summary>max_new_tokens reached.</summary>
    Length,
    /// <summary>The caller cancelled.</summary>
    Cancelled,
}

/// <summary>Where a narration is.</summary>
public enum NarrationStage
{
    /// <summary>Waiting for a sequence and KV-cache cells; <see cref="NarrationUpdate.QueuePosition"/> says where.</summary>
    Queued,
    /// <summary>Admitted: its prompt is being run (<see cref="NarrationUpdate.PromptTokensDone"/> of
    /// <see cref="NarrationUpdate.PromptTokens"/>).</summary>
    Prefilling,
    /// <summary>Generating; each token comes as an update carrying its <see cref="NarrationUpdate.Piece"/>.</summary>
    Decoding,
    /// <summary>Finished (<see cref="NarrationUpdate.Result"/>); the last update of a stream that did not fail.</summary>
    Done,
}

/// <summary>One event of a narration's stream, pushed by the scheduler as it happens: a stage change (queued at a
/// position, prefilling, decoding, done) or a generated piece.</summary>
/// <param name="Stage">Where the narration is.</param>
/// <param name="QueuePosition">1-based place in the admission order while <see cref="NarrationStage.Queued"/>, else 0.</param>
/// <param name="PromptTokensDone">Prompt tokens run so far.</param>
/// <param name="PromptTokens">Prompt tokens after fitting.</param>
/// <param name="Piece">The generated piece, for a token update.</param>
/// <param name="Result">The outcome, for <see cref="NarrationStage.Done"/>.</param>
public sealed record NarrationUpdate(NarrationStage Stage, int QueuePosition, int PromptTokensDone, int PromptTokens,
    NarrationPiece? Piece = null, NarrationResult? Result = null);

/// <summary>Timings and counts of a finished narration.</summary>
/// <param name="PromptTokens">Prompt tokens run (after fitting).</param>
/// <param name="PromptTokensDropped">Tokens cut from the left of the prompt to fit.</param>
/// <param name="GeneratedTokens">Tokens generated into the narration, one per streamed piece (the end-of-text token
/// that ends a narration adds no text and is not counted).</param>
/// <param name="QueueWait">Time from submission to admission.</param>
/// <param name="TimeToFirstToken">Time from submission to the first generated token.</param>
/// <param name="Total">Time from submission to the end.</param>
/// <param name="DecodeTokensPerSecond">Generated tokens after the first, per second of generation.</param>
public sealed record NarrationTimings(int PromptTokens, int PromptTokensDropped, int GeneratedTokens, TimeSpan QueueWait,
    TimeSpan TimeToFirstToken, TimeSpan Total, double DecodeTokensPerSecond);

/// <summary>The outcome of a narration.</summary>
/// <param name="Text">The whole generated text (prompt excluded).</param>
/// <param name="Finish">Why it ended.</param>
/// <param name="Timings">Timings and counts.</param>
public sealed record NarrationResult(string Text, FinishReason Finish, NarrationTimings Timings);

/// <summary>The scheduler's queue is full; try again later.</summary>
public sealed class ServerBusyException(int queueCapacity)
    : Exception($"the narrator is busy: {queueCapacity} requests are already waiting; try again shortly")
{
    /// <summary>The queue's capacity.</summary>
    public int QueueCapacity { get; } = queueCapacity;
}
