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

/// <summary>Scheduler settings.</summary>
/// <param name="MaxSequences">Narrations decoded together (sequences in one decode graph).</param>
/// <param name="QueueCapacity">Requests that may wait beyond those running; more are refused as busy.</param>
/// <param name="MaxBatchTokens">Most tokens in one decode step (running streams first, then prompt chunks).</param>
/// <param name="PrefillChunkTokens">Most prompt tokens one newcomer feeds per step, so running streams keep flowing.</param>
/// <param name="ContextSize">KV-cache cells shared by all running narrations.</param>
/// <param name="CacheType">KV-cache element type.</param>
/// <param name="FlashAttention">Use the fused attention kernel.</param>
public sealed record SchedulerOptions(int MaxSequences = 8, int QueueCapacity = 64, int MaxBatchTokens = 256,
    int PrefillChunkTokens = 64, int ContextSize = 2048, KvCacheType CacheType = KvCacheType.F16, bool FlashAttention = true)
{
    /// <summary>The inference context these settings create (pass it to <see cref="ModelLoadOptions.Inference"/> so a GPU
    /// plan reserves room for it).</summary>
    public InferenceOptions Inference => new(ContextSize, CacheType, MaxBatchTokens, FlashAttention);
}

/// <summary>
/// Continuous batching over one model: narrations join and leave between decode steps. Each step decodes one token of
/// every running narration plus chunks of newcomers' prompts, in one graph. Admission is first come, first served,
/// bounded by sequences, by KV-cache cells reserved for prompt + max_new_tokens, and by the queue's capacity.
/// Cancelling a narration frees its cells before the next step. One background thread owns the engine.
/// </summary>
public sealed class NarrationScheduler : IDisposable
{
    private readonly Model _model;
    private readonly InferenceContext _context;
    private readonly LinkedList<Job> _queue = new();
    private readonly List<Job> _active = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread _thread;
    private readonly DecodeBatch _batch = new();
    private readonly List<Job> _outputs = [];
    private readonly bool[] _sequenceInUse;
    private volatile bool _disposed;
    private int _prefillTurn;

    /// <summary>Starts the scheduler's thread over <paramref name="model"/>; the scheduler does not own the model.</summary>
    public NarrationScheduler(Model model, SchedulerOptions? options = null)
    {
        Options = options ?? new SchedulerOptions();
        if (Options.MaxSequences < 1 || Options.QueueCapacity < 0 || Options.MaxBatchTokens < Options.MaxSequences + 1 || Options.PrefillChunkTokens < 1)
            throw new ArgumentException($"invalid scheduler options {Options}: need MaxSequences >= 1, QueueCapacity >= 0, MaxBatchTokens > MaxSequences, PrefillChunkTokens >= 1");
        _model = model;
        _context = new InferenceContext(model, Options.Inference);
        _sequenceInUse = new bool[Options.MaxSequences];
        _thread = new Thread(Loop) { IsBackground = true, Name = "narration-scheduler" };
        _thread.Start();
    }

    /// <summary>The settings.</summary>
    public SchedulerOptions Options { get; }

    /// <summary>The model served.</summary>
    public Model Model => _model;

    /// <summary>Narrations running.</summary>
    public int ActiveCount { get { lock (_lock) return _active.Count; } }

    /// <summary>Queues a narration. Throws <see cref="ServerBusyException"/> when the queue is full and
    /// <see cref="NarrationRejectedException"/> for invalid settings, an empty prompt or a request that can never fit.
    /// A narration whose model computes NaN or infinite logits ends with a <see cref="ModelOutputException"/> (as do
    /// the others running with it: the model is at fault, not the request).</summary>
    public NarrationStream Submit(NarrationRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(request);
        var settings = (request.Sampling ?? throw new NarrationRejectedException(nameof(NarrationRequest.Sampling), "no sampling settings given")).Validate();
        if (string.IsNullOrWhiteSpace(request.Prompt))
            throw new NarrationRejectedException(NarrationRejectedException.PromptField, "the prompt is empty or only white space; give a scene or a prompt");
        if (request.MaxPromptTokens < 2)
            throw new NarrationRejectedException(nameof(NarrationRequest.MaxPromptTokens), $"MaxPromptTokens = {request.MaxPromptTokens} is out of range; allowed: >= 2.");
        var hp = _model.Hyperparameters;
        var limit = Math.Min(request.MaxPromptTokens, hp.ContextLength - settings.MaxNewTokens);
        if (limit < 2)
            throw new NarrationRejectedException(nameof(SamplingSettings.MaxNewTokens),
                $"MaxNewTokens = {settings.MaxNewTokens} leaves no room for a prompt in the model's {hp.ContextLength}-token context");
        var fitted = PromptWindow.Fit(_model.Tokenizer.Encode(request.Prompt), limit, _model.Tokenizer.BosId);
        var reserve = fitted.Ids.Length + settings.MaxNewTokens;
        if (reserve > Options.ContextSize)
            throw new NarrationRejectedException(nameof(SamplingSettings.MaxNewTokens),
                $"the prompt ({fitted.Ids.Length} tokens) + MaxNewTokens ({settings.MaxNewTokens}) exceed the scheduler's {Options.ContextSize} KV cells");

        var job = new Job(this, request with { Sampling = settings }, fitted, reserve, cancellationToken);
        lock (_lock)
        {
            if (_active.Count + _queue.Count >= Options.MaxSequences + Options.QueueCapacity)
                throw new ServerBusyException(Options.QueueCapacity);
            job.Node = _queue.AddLast(job);
        }
        job.Registration = cancellationToken.Register(() => _wake.Release());
        _wake.Release();
        return job.Stream;
    }

    internal int PositionOf(Job job)
    {
        lock (_lock)
        {
            if (job.Node?.List is null) return 0;
            var position = 1;
            for (var n = _queue.First; n is not null && n != job.Node; n = n.Next) position++;
            return position;
        }
    }

    private void Loop()
    {
        while (!_disposed)
        {
            Admit();
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
        lock (_lock)
        {
            foreach (var job in _queue) job.Abandon();
            _queue.Clear();
        }
    }

    private void Admit()
    {
        lock (_lock)
        {
            var reserved = _active.Sum(j => j.Reserve);
            while (_queue.First is { } node && _active.Count < Options.MaxSequences)
            {
                var job = node.Value;
                if (job.Cancellation.IsCancellationRequested)
                {
                    _queue.RemoveFirst();
                    job.Abandon();
                    continue;
                }
                if (reserved + job.Reserve > Options.ContextSize) break;
                _queue.RemoveFirst();
                job.Sequence = Array.IndexOf(_sequenceInUse, false);
                _sequenceInUse[job.Sequence] = true;
                job.Start(_model.Tokenizer);
                reserved += job.Reserve;
                _active.Add(job);
            }
        }
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
        var budget = Options.MaxBatchTokens;
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
        var row = 0;
        foreach (var job in _outputs)
        {
            var logits = _context.Logits(row++);
            CheckFinite(logits);
            if (!job.Prefilled) { job.Prefilled = true; job.Position = job.Prompt.Length; }
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
        job.Generated++;
        job.FirstToken ??= job.Clock.Elapsed;
        if (token == _model.Tokenizer.EosId)
        {
            Finish(job, FinishReason.Stop);
            return;
        }
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
        private readonly NarrationScheduler _owner;
        private readonly Channel<NarrationPiece> _pieces = Channel.CreateUnbounded<NarrationPiece>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        private readonly TaskCompletionSource<NarrationResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly StringBuilder _text = new();
        private TimeSpan _admitted;

        public Job(NarrationScheduler owner, NarrationRequest request, FittedPrompt fitted, int reserve, CancellationToken cancellation)
        {
            _owner = owner;
            Request = request;
            Prompt = fitted.Ids;
            Dropped = fitted.DroppedTokens;
            Reserve = reserve;
            Cancellation = cancellation;
            Stream = new NarrationStream(this, _pieces.Reader, _done.Task);
        }

        public NarrationRequest Request { get; }
        public int[] Prompt { get; }
        public int Dropped { get; }
        public int Reserve { get; }
        public CancellationToken Cancellation { get; }
        public CancellationTokenRegistration Registration { get; set; }
        public NarrationStream Stream { get; }
        public LinkedListNode<Job>? Node { get; set; }
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

        public int QueuePosition => _owner.PositionOf(this);

        public void Start(OptTokenizer tokenizer)
        {
            _admitted = Clock.Elapsed;
            Sampler = new TokenSampler(Request.Sampling, Prompt);
            Decoder = tokenizer.CreateStreamDecoder();
            Stop = new StopStringMatcher(Request.Sampling.StopStrings);
        }

        public void Emit(NarrationPiece piece)
        {
            _text.Append(piece.Text);
            _pieces.Writer.TryWrite(piece);
        }

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
                _pieces.Writer.TryComplete(error);
                _done.TrySetException(error);
            }
            else
            {
                _pieces.Writer.TryComplete();
                _done.TrySetResult(new NarrationResult(_text.ToString(), reason, timings));
            }
        }

        /// <summary>Ends a narration that never started (cancelled in the queue, or the scheduler stopped).</summary>
        public void Abandon()
        {
            Registration.Dispose();
            _pieces.Writer.TryComplete();
            var t = Clock.Elapsed;
            _done.TrySetResult(new NarrationResult("", FinishReason.Cancelled, new NarrationTimings(Prompt.Length, Dropped, 0, t, t, t, 0)));
        }
    }
}

/// <summary>A running or queued narration: enumerate it for pieces as they are generated; <see cref="Completion"/>
/// gives the result. Cancel with the token passed to <see cref="NarrationScheduler.Submit"/>.</summary>
public sealed class NarrationStream : IAsyncEnumerable<NarrationPiece>
{
    private readonly NarrationScheduler.Job _job;
    private readonly ChannelReader<NarrationPiece> _reader;

    internal NarrationStream(NarrationScheduler.Job job, ChannelReader<NarrationPiece> reader, Task<NarrationResult> completion)
    {
        _job = job;
        _reader = reader;
        Completion = completion;
    }

    /// <summary>The final result (text, finish reason, timings).</summary>
    public Task<NarrationResult> Completion { get; }

    /// <summary>1-based position in the queue, or 0 once running or finished.</summary>
    public int QueuePosition => _job.QueuePosition;

    /// <summary>Prompt tokens after fitting.</summary>
    public int PromptTokens => _job.Prompt.Length;

    /// <summary>Tokens cut from the left of the prompt.</summary>
    public int PromptTokensDropped => _job.Dropped;

    /// <inheritdoc />
    public IAsyncEnumerator<NarrationPiece> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
}
