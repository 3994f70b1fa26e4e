using System.Threading.Channels;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Tests.Support;

/// <summary>An <see cref="INarrator"/> whose narrations the test drives piece by piece.</summary>
public sealed class FakeNarrator : INarrator
{
    private readonly List<Submission> _submissions = [];

    public static readonly ModelInfo Model = new("fake.gguf", "/models/fake.gguf", "opt", "Q8_0", 3 << 20, 2048);

    public NarratorStatus Status { get; set; } = new(NarratorState.Ready, Model, "Serving fake.gguf.", "/models", 0, 0);
    public NarrationLimits Limits { get; set; } = new(2000, 128, 512);
    public int QueuePosition { get; set; }

    public event Action? Changed;

    public IReadOnlyList<Submission> Submissions { get { lock (_submissions) return _submissions.ToList(); } }

    /// <summary>Tokens per prompt: one per 4 characters, as a stand-in tokenizer; the context is the model's.</summary>
    public VisualNarrator.Engine.Generation.PromptFormat Prompts { get; set; } = VisualNarrator.Engine.Generation.PromptFormat.Seed;

    public PromptFit Fit(string prompt)
    {
        var tokens = Math.Min(1 + prompt.Length / 4, Limits.MaxPromptTokens);
        var context = Status.Model?.ContextLength ?? 0;
        return Status.Model is null ? new PromptFit(prompt.Length, 0, 0, Limits.MaxNewTokens)
            : new PromptFit(prompt.Length, tokens, context, Math.Clamp(context - tokens, 1, Limits.MaxNewTokens));
    }

    public IReadOnlyList<ModelInfo> ListModels() => [Model];

    public Task SwitchModelAsync(string name, CancellationToken cancellationToken = default)
    {
        Changed?.Invoke();
        return Task.CompletedTask;
    }

    public NarrationRun Submit(string clientId, NarrationRequest request, CancellationToken cancellationToken)
    {
        request.Sampling.Validate();
        var submission = new Submission(clientId, request, cancellationToken);
        // Like the scheduler: a narration that has to wait is told its place when it is queued.
        if (QueuePosition > 0) submission.Queued(QueuePosition);
        lock (_submissions) _submissions.Add(submission);
        return new NarrationRun(submission.Channel.Reader.ReadAllAsync(), submission.Result.Task, () => QueuePosition, Model.Name);
    }

    /// <summary>Waits until <paramref name="count"/> narrations were submitted.</summary>
    public async Task<IReadOnlyList<Submission>> WaitForSubmissions(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Submissions.Count < count && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(Submissions.Count >= count, $"expected {count} submissions, got {Submissions.Count}");
        return Submissions;
    }

    public sealed class Submission
    {
        private readonly List<string> _texts = [];

        public Submission(string clientId, NarrationRequest request, CancellationToken token)
        {
            ClientId = clientId;
            Request = request;
            Token = token;
            // Like the engine: cancelling ends the stream with a Cancelled result.
            token.Register(() => Finish(FinishReason.Cancelled));
        }

        public string ClientId { get; }
        public NarrationRequest Request { get; }
        public CancellationToken Token { get; }
        public Channel<NarrationUpdate> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<NarrationUpdate>();

        /// <summary>Pushes a new queue position, as the scheduler does when the order changes.</summary>
        public void Queued(int position) => Channel.Writer.TryWrite(new NarrationUpdate(NarrationStage.Queued, position, 0, 9));
        public TaskCompletionSource<NarrationResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Emit(string text, float probability = 0.5f, params TokenAlternative[] alternatives)
        {
            lock (_texts) _texts.Add(text);
            Channel.Writer.TryWrite(new NarrationUpdate(NarrationStage.Decoding, 0, 9, 9, new NarrationPiece(text, 100 + _texts.Count, probability, alternatives)));
        }

        public void Finish(FinishReason reason = FinishReason.Stop)
        {
            string text;
            int count;
            lock (_texts) { text = string.Concat(_texts); count = _texts.Count; }
            var result = new NarrationResult(text, reason, new NarrationTimings(9, 0, count, TimeSpan.Zero,
                TimeSpan.FromMilliseconds(42), TimeSpan.FromMilliseconds(500), 25.5));
            Channel.Writer.TryWrite(new NarrationUpdate(NarrationStage.Done, 0, 9, 9, Result: result));
            Channel.Writer.TryComplete();
            Result.TrySetResult(result);
        }
    }
}
