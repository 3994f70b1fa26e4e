using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Engine.Serving;

/// <summary>
/// Continuous batching over one model, and its one queue: narrations join and leave between decode steps. Each step
/// decodes one token of every running narration plus chunks of newcomers' prompts, in one graph. Admission is fair
/// per client (<see cref="NarrationRequest.Client"/> lines served round-robin, <see cref="FairQueue{T}"/>), bounded by
/// sequences, by KV-cache cells reserved for prompt + max_new_tokens, and by the queue's capacity. A request is
/// checked, tokenized and fitted once, in <see cref="Submit"/>; its stream then gets every stage pushed (queued at a
/// position, prefilling, decoding, done). Cancelling a narration frees its cells before the next step. One background
/// thread owns the engine.
/// </summary>
public sealed class NarrationScheduler : IDisposable
{
    private readonly Model _model;
    private readonly InferenceContext _context;
    private readonly FairQueue<Job> _queue = new();
    private readonly List<Job> _admitted = [];
    private readonly List<Job> _active = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread _thread;
    private readonly DecodeBatch _batch = new();
    private readonly List<Job> _outputs = [];
    private readonly bool[] _sequenceInUse;
    private volatile bool _disposed;
    private int _reserved;
    private int _running;
    private int _prefillTurn;

    /// <summary>Starts the scheduler's thread over <paramref name="model"/>; the scheduler does not own the model.</summary>
    public NarrationScheduler(Model model, SchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new SchedulerOptions();
        if (Options.MaxSequences < 1 || Options.QueueCapacity < 0 || Options.Inference.MaxBatchTokens < Options.MaxSequences + 1 || Options.PrefillChunkTokens < 1
            || Options.MaxPromptCharacters < 0 || Options.MaxNewTokensLimit < 0)
            throw new ArgumentException($"invalid scheduler options {Options}: need MaxSequences >= 1, QueueCapacity >= 0, MaxBatchTokens > MaxSequences, PrefillChunkTokens >= 1, limits >= 0");
        _model = model;
        _context = new InferenceContext(model, Options.Inference);
        ContextSize = Options.Inference.CellsFor(model.Hyperparameters);
        _sequenceInUse = new bool[Options.MaxSequences];
        _thread = new Thread(Loop) { IsBackground = true, Name = "narration-scheduler" };
        _thread.Start();
    }

    /// <summary>The settings.</summary>
    public SchedulerOptions Options { get; }

    /// <summary>KV-cache cells shared by running narrations (the options' context, resolved for this model).</summary>
    public int ContextSize { get; }

    /// <summary>The model served.</summary>
    public Model Model => _model;

    /// <summary>Narrations admitted and not finished.</summary>
    public int ActiveCount { get { lock (_lock) return _running; } }

    /// <summary>Narrations waiting for admission.</summary>
    public int WaitingCount { get { lock (_lock) return _queue.Count; } }

    /// <summary>Queues a narration. Throws <see cref="ServerBusyException"/> when the queue is full and
    /// <see cref="NarrationRejectedException"/> for invalid settings, an empty prompt, an input over the limits or a
    /// request that can never fit. A narration whose model computes NaN or infinite logits ends with a
    /// <see cref="ModelOutputException"/> (as do the others running with it: the model is at fault, not the request).</summary>
    public NarrationStream Submit(NarrationRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(request);
        var sampling = request.Sampling ?? throw new NarrationRejectedException(nameof(NarrationRequest.Sampling), "no sampling settings given");
        var settings = Options.MaxNewTokensLimit > 0 ? sampling.Validate(Options.MaxNewTokensLimit) : sampling.Validate();
        if (string.IsNullOrWhiteSpace(request.Prompt))
            throw new NarrationRejectedException(NarrationRejectedException.PromptField, "the prompt is empty or only white space; give a scene or a prompt");
        var characters = SchedulerOptions.CountCharacters(request.Prompt);
        if (Options.MaxPromptCharacters > 0 && characters > Options.MaxPromptCharacters)
            throw new NarrationRejectedException(NarrationRejectedException.PromptField, $"the prompt has {characters} characters; the limit is {Options.MaxPromptCharacters}");
        if (request.MaxPromptTokens < 2)
            throw new NarrationRejectedException(nameof(NarrationRequest.MaxPromptTokens), $"MaxPromptTokens = {request.MaxPromptTokens} is out of range; allowed: >= 2.");
        var hp = _model.Hyperparameters;
        var limit = Math.Min(request.MaxPromptTokens, hp.ContextLength - settings.MaxNewTokens);
        if (limit < 2)
            throw new NarrationRejectedException(nameof(SamplingSettings.MaxNewTokens),
                $"MaxNewTokens = {settings.MaxNewTokens} leaves no room for a prompt in the model's {hp.ContextLength}-token context");
        var fitted = PromptWindow.Fit(_model.Tokenizer.Encode(request.Prompt), limit, _model.Tokenizer.BosId);
        var reserve = fitted.Ids.Length + settings.MaxNewTokens;
        if (reserve > ContextSize)
            throw new NarrationRejectedException(nameof(SamplingSettings.MaxNewTokens),
                $"the prompt ({fitted.Ids.Length} tokens) + MaxNewTokens ({settings.MaxNewTokens}) exceed the scheduler's {ContextSize} KV cells");

        var job = new Job(request with { Sampling = settings }, fitted, reserve, cancellationToken);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_running + _queue.Count >= Options.MaxSequences + Options.QueueCapacity)
                throw new ServerBusyException(Options.QueueCapacity);
            _queue.Enqueue(request.Client, job);
            // Admitted at once when there is room, so a narration never shows a queue position it does not have.
            Admit();
            PublishPositions();
        }
        job.Registration = cancellationToken.Register(() => Withdraw(job));
        _wake.Release();
        return job.Stream;
    }

    /// <summary>Takes queued narrations in the fair queue's order while a sequence and their cells are free; the
    /// scheduler thread starts them. Stops at the first that does not fit, so none is overtaken. Under the lock.</summary>
    private void Admit()
    {
        while (!_disposed && _running < Options.MaxSequences && _queue.TryPeek(out var job))
        {
            if (_reserved + job.Reserve > ContextSize) break;
            _queue.Dequeue();
            job.Sequence = Array.IndexOf(_sequenceInUse, false);
            _sequenceInUse[job.Sequence] = true;
            _reserved += job.Reserve;
            _running++;
            job.Admit();
            _admitted.Add(job);
        }
    }

    /// <summary>Pushes each waiting narration's place in the admission order to its stream when it changed. Under the lock.</summary>
    private void PublishPositions()
    {
        var position = 0;
        foreach (var job in _queue.InTurnOrder()) job.Queued(++position);
    }

    /// <summary>A narration cancelled while waiting leaves the queue at once (running ones are reaped by the thread).</summary>
    private void Withdraw(Job job)
    {
        bool removed;
        lock (_lock)
        {
            removed = _queue.Remove(job);
            if (removed) PublishPositions();
        }
        if (removed) job.Abandon();
        // A running narration is reaped by the thread, at once.
        else if (!_disposed) _wake.Release();
    }

    private void Loop()
    {
        while (!_disposed)
        {
            lock (_lock)
            {
                foreach (var job in _admitted) job.Start(_model.Tokenizer);
                _active.AddRange(_admitted);
                _admitted.Clear();
            }
            ReapCancelled();
            if (_active.Count == 0)
            {
                _wake.Wait(TimeSpan.FromMilliseconds(250));
                continue;
            }
            try
            {
                Step();
            }
            catch (Exception ex)
            {
                // Requests were validated before reaching native code, so this is an engine fault: fail what is
                // running, reset the cache, and keep serving.
                foreach (var job in _active.ToArray()) Finish(job, FinishReason.Stop, ex);
                _context.Cache.Clear();
            }
        }
        foreach (var job in _active.ToArray()) Finish(job, FinishReason.Cancelled);
        List<Job> abandoned;
        lock (_lock)
        {
            abandoned = [.. _admitted, .. _queue.InTurnOrder()];
            _admitted.Clear();
            foreach (var job in abandoned) _queue.Remove(job);
        }
        foreach (var job in abandoned) job.Abandon();
    }

    private void ReapCancelled()
    {
        foreach (var job in _active.ToArray())
            if (job.Cancellation.IsCancellationRequested) Finish(job, FinishReason.Cancelled);
    }

    private void Step()
    {
        _batch.Clear();
        _outputs.Clear();
        var budget = Options.Inference.MaxBatchTokens;
        foreach (var job in _active)
        {
            if (!job.Prefilled) continue;
            _batch.Add(job.Pending, job.Position, job.Sequence, true);
            _outputs.Add(job);
            budget--;
        }
        var prefilling = _active.Where(j => !j.Prefilled).ToList();
        for (var k = 0; k < prefilling.Count && budget > 0; k++)
        {
            var job = prefilling[(k + _prefillTurn) % prefilling.Count];
            var take = Math.Min(Math.Min(Options.PrefillChunkTokens, budget), job.Prompt.Length - job.Cursor);
            var completes = job.Cursor + take == job.Prompt.Length;
            for (var i = 0; i < take; i++)
                _batch.Add(job.Prompt[job.Cursor + i], job.Cursor + i, job.Sequence, completes && i == take - 1);
            job.Cursor += take;
            budget -= take;
            if (completes) _outputs.Add(job);
        }
        _prefillTurn++;
        if (_batch.Count == 0) return;
        // A step of prompt chunks only still needs one output row for the graph; it is computed and ignored.
        if (_outputs.Count == 0) _batch.RequestLogitsForLast();
        _context.Decode(_batch);
        foreach (var job in prefilling)
            if (job.Cursor < job.Prompt.Length) job.Prefilling();
        var row = 0;
        foreach (var job in _outputs)
        {
            var logits = _context.Logits(row++);
            CheckFinite(logits);
            if (!job.Prefilled) { job.Prefilled = true; job.Position = job.Prompt.Length; job.Decoding(); }
            else job.Position++;
            Generate(job, logits);
        }
    }

    /// <summary>NaN or infinite logits come from the model (corrupt or overflowing weights), never from a request:
    /// report them as a model fault instead of letting the sampler draw garbage or blame the settings.</summary>
    private void CheckFinite(ReadOnlySpan<float> logits)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // x - x is 0 for every finite x and NaN for NaN and the infinities.
            foreach (var v in MemoryMarshal.Cast<float, Vector<float>>(logits))
            {
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break;
                i += Vector<float>.Count;
            }
        }
        for (; i < logits.Length; i++)
            if (!float.IsFinite(logits[i]))
                throw new ModelOutputException(_model.File.Path,
                    $"the model computed {(float.IsNaN(logits[i]) ? "NaN" : "an infinite value")} for token id {i} of its logits (corrupt or overflowing weights)");
    }

    private void Generate(Job job, ReadOnlySpan<float> logits)
    {
        var token = job.Sampler!.Sample(logits);
        var sampled = job.Request.Alternatives > 0 ? job.Sampler.DescribeLastSample(job.Request.Alternatives) : null;
        job.Sampler.Accept(token);
        job.FirstToken ??= job.Clock.Elapsed;
        if (token == _model.Tokenizer.EosId)
        {
            Finish(job, FinishReason.Stop);
            return;
        }
        // The end of text adds no text and no streamed piece, so it is not counted: usage and logprobs agree.
        job.Generated++;
        var step = job.Stop!.Push(job.Decoder!.Push(token));
        var alternatives = sampled is null ? [] : sampled.Alternatives
            .Select(a => new TokenAlternative(a.TokenId, _model.Tokenizer.Decode([a.TokenId], skipSpecial: false), a.Probability)).ToArray();
        job.Emit(new NarrationPiece(step.Emit, token, sampled?.Probability ?? float.NaN, alternatives));
        if (step.Stopped) Finish(job, FinishReason.Stop);
        else if (job.Generated >= job.Request.Sampling.MaxNewTokens) Finish(job, FinishReason.Length);
        else job.Pending = token;
    }

    private void Finish(Job job, FinishReason reason, Exception? error = null)
    {
        _context.Cache.RemoveSequence(job.Sequence);
        lock (_lock)
        {
            _active.Remove(job);
            _sequenceInUse[job.Sequence] = false;
            _reserved -= job.Reserve;
            _running--;
            Admit();
            PublishPositions();
        }
        job.Complete(reason, error);
    }

    /// <summary>Stops the thread, cancels everything pending and frees the engine context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _wake.Release();
        _thread.Join();
        _context.Dispose();
        _wake.Dispose();
    }

    /// <summary>One narration's state, owned by the scheduler thread once admitted.</summary>
    internal sealed class Job
    {
        // Several writers (the submitting thread, a cancelling one, the scheduler thread), one reader.
        private readonly Channel<NarrationUpdate> _updates = Channel.CreateUnbounded<NarrationUpdate>(new UnboundedChannelOptions { SingleReader = true });
        private readonly TaskCompletionSource<NarrationResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly StringBuilder _text = new();
        private TimeSpan _admitted;
        private volatile int _queuePosition;
        // 1 while a Queued update is in the channel unread: later moves only change _queuePosition, and the reader
        // reports the position current when it reads, so a queue of thousands unread never piles up updates.
        private int _queuedUnread;

        public Job(NarrationRequest request, FittedPrompt fitted, int reserve, CancellationToken cancellation)
        {
            Request = request;
            Prompt = fitted.Ids;
            Dropped = fitted.DroppedTokens;
            Reserve = reserve;
            Cancellation = cancellation;
            Stream = new NarrationStream(this, _updates.Reader, _done.Task);
        }

        public NarrationRequest Request { get; }
        public int[] Prompt { get; }
        public int Dropped { get; }
        public int Reserve { get; }
        public CancellationToken Cancellation { get; }
        public CancellationTokenRegistration Registration { get; set; }
        public NarrationStream Stream { get; }
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public int Sequence { get; set; } = -1;
        public int Cursor { get; set; }
        public bool Prefilled { get; set; }
        public int Position { get; set; }
        public int Pending { get; set; }
        public int Generated { get; set; }
        public TimeSpan? FirstToken { get; set; }
        public TokenSampler? Sampler { get; private set; }
        public TokenStreamDecoder? Decoder { get; private set; }
        public StopStringMatcher? Stop { get; private set; }

        public int QueuePosition => _queuePosition;

        /// <summary>Its place in the admission order (under the scheduler's lock); pushed only when it changed.</summary>
        public void Queued(int position)
        {
            if (position == _queuePosition) return;
            _queuePosition = position;
            if (Interlocked.Exchange(ref _queuedUnread, 1) == 0) Push(NarrationStage.Queued);
        }

        /// <summary>The reader took a Queued update: the place now, or null when it has left the queue since (the
        /// update that says so follows).</summary>
        public int? TakeQueued()
        {
            Interlocked.Exchange(ref _queuedUnread, 0);
            var position = _queuePosition;
            return position > 0 ? position : null;
        }

        /// <summary>Given a sequence and cells (under the scheduler's lock).</summary>
        public void Admit()
        {
            _admitted = Clock.Elapsed;
            _queuePosition = 0;
            Push(NarrationStage.Prefilling);
        }

        public void Prefilling() => Push(NarrationStage.Prefilling);

        public void Decoding() => Push(NarrationStage.Decoding);

        public void Start(OptTokenizer tokenizer)
        {
            // The sampler's rules read token texts; the model's loader checked that the tokenizer covers every logit.
            Func<int, string> text = tokenizer.DecodeToken;
            var sceneWords = Request.Sampling.SceneWordBias > 0 ? SceneWords.TokenSequences(Request.Prompt, tokenizer) : null;
            var wordGuard = Request.Sampling.WordGuard ? new WordGuard(WordList.Default, Request.Prompt, text) : null;
            Sampler = new TokenSampler(Request.Sampling, Prompt, sceneWords, id => SceneWords.TokenEnd(text(id)), wordGuard, tokenizer.EosId,
                tokenizer.TryGetId(".", out var fullStop) ? fullStop : null, id => SceneWords.OpensSentence(text(id)));
            Decoder = tokenizer.CreateStreamDecoder();
            Stop = new StopStringMatcher(Request.Sampling.StopStrings);
        }

        public void Emit(NarrationPiece piece)
        {
            _text.Append(piece.Text);
            Push(NarrationStage.Decoding, piece);
        }

        private void Push(NarrationStage stage, NarrationPiece? piece = null, NarrationResult? result = null) =>
            _updates.Writer.TryWrite(new NarrationUpdate(stage, _queuePosition, Cursor, Prompt.Length, piece, result));

        public void Complete(FinishReason reason, Exception? error)
        {
            if (Decoder is not null && Stop is not null && error is null && reason != FinishReason.Cancelled)
            {
                var tail = Stop.Stopped ? "" : Stop.Push(Decoder.Flush()).Emit + (Stop.Stopped ? "" : Stop.Flush());
                if (tail.Length > 0) Emit(new NarrationPiece(tail, -1, float.NaN, []));
            }
            Sampler?.Dispose();
            Registration.Dispose();
            var total = Clock.Elapsed;
            var first = FirstToken ?? total;
            var tps = Generated > 1 && total > first ? (Generated - 1) / (total - first).TotalSeconds : 0;
            var timings = new NarrationTimings(Prompt.Length, Dropped, Generated, _admitted, first, total, tps);
            if (error is not null)
            {
                _updates.Writer.TryComplete(error);
                _done.TrySetException(error);
            }
            else
            {
                var result = new NarrationResult(_text.ToString(), reason, timings);
                Push(NarrationStage.Done, result: result);
                _updates.Writer.TryComplete();
                _done.TrySetResult(result);
            }
        }

        /// <summary>Ends a narration that never started (cancelled in the queue, or the scheduler stopped).</summary>
        public void Abandon()
        {
            Registration.Dispose();
            _queuePosition = 0;
            var t = Clock.Elapsed;
            var result = new NarrationResult("", FinishReason.Cancelled, new NarrationTimings(Prompt.Length, Dropped, 0, t, t, t, 0));
            Push(NarrationStage.Done, result: result);
            _updates.Writer.TryComplete();
            _done.TrySetResult(result);
        }
    }
}
