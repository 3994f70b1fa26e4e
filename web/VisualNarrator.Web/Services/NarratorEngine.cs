using Microsoft.Extensions.Options;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Services;

/// <summary>
/// One engine for the whole app: the loaded model and its <see cref="NarrationScheduler"/> (continuous batching), behind
/// a fair queue. Each client (browser circuit or API caller) has its own FIFO; free scheduler slots are handed out
/// round-robin over clients, so a client sending many requests waits behind its own requests, not in front of others.
/// </summary>
public sealed class NarratorEngine : INarrator, IHostedService, IDisposable
{
    private readonly NarratorOptions _options;
    private readonly ModelCatalog _catalog;
    private readonly ILogger<NarratorEngine> _log;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _switching = new(1, 1);
    private readonly LinkedList<ClientQueue> _rotation = new();
    private readonly Dictionary<string, ClientQueue> _clients = new(StringComparer.Ordinal);
    private Slot? _current;
    private int _waiting;
    private NarratorState _state = NarratorState.NoModel;
    private string _message = "starting";
    private bool _disposed;

    private readonly ServerMetrics _metrics;

    /// <summary>Creates the service; the default model loads when the host starts.</summary>
    public NarratorEngine(IOptions<NarratorOptions> options, ModelCatalog catalog, ILogger<NarratorEngine> log, ServerMetrics? metrics = null)
    {
        _metrics = metrics ?? new ServerMetrics();
        _options = options.Value;
        _catalog = catalog;
        _log = log;
        Limits = new NarrationLimits(_options.MaxPromptCharacters, _options.MaxPromptTokens, _options.MaxNewTokensLimit);
    }

    /// <inheritdoc />
    public event Action? Changed;

    /// <inheritdoc />
    public NarrationLimits Limits { get; }

    /// <inheritdoc />
    public NarratorStatus Status
    {
        get
        {
            lock (_lock)
                return new NarratorStatus(_state, _current?.Info, _message, _catalog.DisplayName, _current?.Running ?? 0, _waiting, _current?.Model.RunsOn);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ModelInfo> ListModels() => _catalog.List();

    /// <summary>Starts loading the default model in the background, so the app serves pages (and says what it is doing) at once.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var name = _options.DefaultModel;
        try
        {
            _catalog.Resolve(name);
        }
        catch (ModelPathException ex)
        {
            SetState(NarratorState.NoModel, $"No model loaded: {ex.Message}. Put a .gguf model in the models folder ({_catalog.DisplayName}) " +
                                            "and pick it, or start the app with --model PATH.");
            _log.LogWarning("{Message}", _message);
            return Task.CompletedTask;
        }
        _ = Task.Run(async () =>
        {
            try { await SwitchModelAsync(name, CancellationToken.None); }
            catch (Exception ex) { _log.LogError(ex, "loading the default model {Model} failed", name); }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task SwitchModelAsync(string name, CancellationToken cancellationToken = default)
    {
        var info = _catalog.Resolve(name);
        if (info.Problem is not null) throw new ModelPathException($"'{info.Name}' is not a usable GGUF file: {info.Problem}");
        await _switching.WaitAsync(cancellationToken);
        try
        {
            // The same model again is a no-op, unless it failed: then reloading it is how an operator retries.
            if (_current?.Info.FullPath == info.FullPath && _current.Fault is null) return;
            SetState(NarratorState.Loading, $"Loading {info.Name}…");
            Slot next;
            try
            {
                next = await Task.Run(() =>
                {
                    // ContextSize 0 is the model's context length, for the GPU plan as for the scheduler.
                    var settings = new SchedulerOptions(MaxSequences: _options.MaxSequences, QueueCapacity: _options.MaxSequences, ContextSize: _options.ContextSize);
                    var model = Model.Load(info.FullPath, new ModelLoadOptions(_options.Device, _options.Threads,
                        _options.GpuLayers is { } layers ? GpuLayers.Parse(layers) : null, _options.BackendPaths, settings.Inference));
                    if (model.Offload is { } plan) _log.LogInformation("{Model}: {Reason}", info.Name, plan.Reason);
                    try
                    {
                        var context = _options.ContextSize > 0 ? _options.ContextSize : model.Hyperparameters.ContextLength;
                        var scheduler = new NarrationScheduler(model, settings with { ContextSize = context });
                        return new Slot(info, model, scheduler);
                    }
                    catch
                    {
                        model.Dispose();
                        throw;
                    }
                }, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                lock (_lock)
                {
                    _state = _current is null ? NarratorState.NoModel : NarratorState.Ready;
                    _message = $"Could not load {info.Name}: {_catalog.Redact(ex.Message)}" + (_current is null ? "" : $" Still serving {_current.Info.Name}.");
                }
                Changed?.Invoke();
                throw new ModelPathException($"could not load {info.Name}: {_catalog.Redact(ex.Message)}");
            }
            Slot? old;
            lock (_lock)
            {
                old = _current;
                _current = next;
                _state = NarratorState.Ready;
                _message = $"Serving {info.Name} ({info.Architecture}, {info.Quantization}, {info.Size}, context {info.ContextLength}).";
            }
            _log.LogInformation("{Message}", _message);
            Changed?.Invoke();
            Pump();
            if (old is not null) _ = RetireAsync(old);
        }
        finally
        {
            _switching.Release();
        }
    }

    /// <summary>Lets the old model's narrations finish within the grace period, then cancels the rest and frees it.</summary>
    private async Task RetireAsync(Slot old)
    {
        var deadline = DateTime.UtcNow + _options.SwitchGracePeriod;
        while (DateTime.UtcNow < deadline && Volatile.Read(ref old.Running) > 0) await Task.Delay(50);
        old.Dispose();
    }

    /// <inheritdoc />
    public NarrationRun Submit(string clientId, NarrationRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var settings = request.Sampling.Validate(Limits.MaxNewTokens);
        if (string.IsNullOrWhiteSpace(request.Prompt))
            throw new NarrationRejectedException(NarrationRejectedException.PromptField, "the prompt is empty; type a scene or a prompt");
        var characters = NarrationLimits.CountCharacters(request.Prompt);
        if (characters > Limits.MaxPromptCharacters)
            throw new NarrationRejectedException(NarrationRejectedException.PromptField, $"the prompt has {characters} characters; the limit is {Limits.MaxPromptCharacters}");
        request = request with { Sampling = settings, MaxPromptTokens = Math.Clamp(request.MaxPromptTokens, 2, Limits.MaxPromptTokens) };

        Pending pending;
        lock (_lock)
        {
            var slot = _current ?? throw new NoModelLoadedException(_message);
            // A model that computed NaN or infinity would only do so again: refuse as the model's fault.
            if (slot.Fault is { } fault) throw new ModelOutputException(fault.ModelFile, fault.Problem);
            CheckFits(slot, request);
            if (_waiting >= _options.MaxWaiting) throw new ServerBusyException(_options.MaxWaiting);
            if (!_clients.TryGetValue(clientId, out var queue))
            {
                queue = new ClientQueue(clientId);
                _clients[clientId] = queue;
            }
            pending = new Pending(queue, request, cancellationToken);
            pending.Node = queue.Items.AddLast(pending);
            if (queue.RotationNode is null) queue.RotationNode = _rotation.AddLast(queue);
            _waiting++;
        }
        pending.Registration = cancellationToken.Register(() => Withdraw(pending));
        Pump();
        var completion = pending.Completion();
        _ = completion.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) _metrics.Record(clientId, t.Result);
            else _metrics.RecordFailure(clientId);
        }, TaskScheduler.Default);
        return new NarrationRun(pending.Pieces(), completion, () => PositionOf(pending), _current?.Info.Name ?? "");
    }

    /// <inheritdoc />
    public VisualNarrator.Engine.Generation.PromptFormat Prompts
    {
        get
        {
            lock (_lock) return _current?.Model.Prompts ?? VisualNarrator.Engine.Generation.PromptFormat.Seed;
        }
    }

    /// <summary>The loaded model's tokenizer (for <c>/tokenize</c> and <c>/detokenize</c>), or null without a model.</summary>
    public VisualNarrator.Tokenization.OptTokenizer? Tokenizer
    {
        get
        {
            lock (_lock) return _current?.Model.Tokenizer;
        }
    }

    /// <inheritdoc />
    public PromptFit Fit(string prompt)
    {
        var characters = NarrationLimits.CountCharacters(prompt);
        Slot? slot;
        lock (_lock) slot = _current;
        if (slot is null) return new PromptFit(characters, 0, 0, Limits.MaxNewTokens);
        int tokens;
        try { tokens = Math.Min(slot.Model.Tokenizer.Encode(prompt).Length, Limits.MaxPromptTokens); }
        catch (ObjectDisposedException) { return new PromptFit(characters, 0, 0, Limits.MaxNewTokens); }
        // With at most context - prompt new tokens the prompt is never cut and the narration fits (see CheckFits).
        var context = Math.Min(slot.Scheduler.Options.ContextSize, slot.Model.Hyperparameters.ContextLength);
        return new PromptFit(characters, tokens, context, Math.Clamp(context - Math.Max(tokens, 2), 1, Limits.MaxNewTokens));
    }

    /// <summary>The scheduler's own checks, made here so a request that can never run is refused at once, not after queueing.</summary>
    private static void CheckFits(Slot slot, NarrationRequest request)
    {
        var hp = slot.Model.Hyperparameters;
        var maxNew = request.Sampling.MaxNewTokens;
        var limit = Math.Min(request.MaxPromptTokens, hp.ContextLength - maxNew);
        if (limit < 2)
            throw new NarrationRejectedException(nameof(request.Sampling.MaxNewTokens), $"MaxNewTokens = {maxNew} leaves no room for a prompt in the model's {hp.ContextLength}-token context");
        var prompt = PromptWindow.Fit(slot.Model.Tokenizer.Encode(request.Prompt), limit, slot.Model.Tokenizer.BosId).Ids.Length;
        if (prompt + maxNew > slot.Scheduler.Options.ContextSize)
            throw new NarrationRejectedException(nameof(request.Sampling.MaxNewTokens), $"the prompt ({prompt} tokens) plus MaxNewTokens ({maxNew}) exceed the {slot.Scheduler.Options.ContextSize} tokens a narration may use");
    }

    private int PositionOf(Pending pending)
    {
        lock (_lock)
        {
            if (pending.Node?.List is null) return 0;
            // Round-robin order: a request at depth d in its client's queue goes after everyone's first d requests.
            var depth = 0;
            for (var n = pending.Queue.Items.First; n != pending.Node; n = n!.Next) depth++;
            var ahead = 0;
            foreach (var q in _rotation)
            {
                if (q == pending.Queue) { ahead += depth; continue; }
                ahead += Math.Min(q.Items.Count, depth + (IsBefore(q, pending.Queue) ? 1 : 0));
            }
            return ahead + 1;
        }
    }

    private bool IsBefore(ClientQueue a, ClientQueue b)
    {
        for (var n = _rotation.First; n is not null; n = n.Next)
        {
            if (n.Value == a) return true;
            if (n.Value == b) return false;
        }
        return false;
    }

    private void Withdraw(Pending pending)
    {
        lock (_lock)
        {
            if (pending.Node?.List is null) return;
            Unlink(pending);
        }
        pending.Start(null, null);
    }

    private void Unlink(Pending pending)
    {
        var queue = pending.Queue;
        queue.Items.Remove(pending.Node!);
        pending.Node = null;
        _waiting--;
        if (queue.Items.Count == 0)
        {
            if (queue.RotationNode is not null) _rotation.Remove(queue.RotationNode);
            queue.RotationNode = null;
            _clients.Remove(queue.Id);
        }
    }

    /// <summary>Hands free scheduler slots to waiting narrations, one client at a time in turn.</summary>
    private void Pump()
    {
        var started = new List<(Pending Pending, Slot Slot)>();
        lock (_lock)
        {
            var slot = _current;
            if (slot is null) return;
            while (_rotation.First is { } node && slot.Running < _options.MaxSequences)
            {
                var queue = node.Value;
                var pending = queue.Items.First!.Value;
                Unlink(pending);
                if (queue.RotationNode is not null)
                {
                    // Next turn goes to the following client.
                    _rotation.Remove(queue.RotationNode);
                    queue.RotationNode = _rotation.AddLast(queue);
                }
                slot.Running++;
                started.Add((pending, slot));
            }
        }
        foreach (var (pending, slot) in started)
        {
            NarrationStream? stream = null;
            Exception? error = null;
            try { stream = slot.Scheduler.Submit(pending.Request, pending.Cancellation); }
            catch (Exception ex) { error = ex; }
            pending.Start(stream, error);
            if (stream is null) Release(slot);
            else _ = stream.Completion.ContinueWith(t =>
            {
                if (t.Exception?.InnerException is ModelOutputException fault) MarkUnhealthy(slot, fault);
                Release(slot);
            }, TaskScheduler.Default);
        }
    }

    /// <summary>The model computed NaN or infinity: until another model is loaded (or this one reloaded), /health
    /// reports it and narrations are refused as a model error.</summary>
    private void MarkUnhealthy(Slot slot, ModelOutputException fault)
    {
        lock (_lock)
        {
            if (slot.Fault is not null) return;
            slot.Fault = fault;
            if (slot != _current) return;
            _state = NarratorState.Unhealthy;
            _message = $"{slot.Info.Name} is unhealthy: {_catalog.Redact(fault.Problem)}. Load another model (or reload this one after fixing it).";
        }
        _log.LogError("{Model}: {Problem}; narrations are refused until another model is loaded", slot.Info.Name, fault.Problem);
        Changed?.Invoke();
    }

    private void Release(Slot slot)
    {
        lock (_lock) slot.Running--;
        Pump();
    }

    private void SetState(NarratorState state, string message)
    {
        lock (_lock)
        {
            _state = state;
            _message = message;
        }
        Changed?.Invoke();
    }

    /// <summary>Cancels everything and frees the model.</summary>
    public void Dispose()
    {
        Slot? slot;
        List<Pending> waiting;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            slot = _current;
            _current = null;
            waiting = _rotation.SelectMany(q => q.Items).ToList();
            foreach (var pending in waiting) Unlink(pending);
        }
        // Narrations still waiting end as cancelled; running ones are cancelled by the scheduler.
        foreach (var pending in waiting) pending.Start(null, null);
        slot?.Dispose();
        _switching.Dispose();
    }

    private sealed class Slot(ModelInfo info, Model model, NarrationScheduler scheduler) : IDisposable
    {
        public ModelInfo Info { get; } = info;
        public Model Model { get; } = model;
        public NarrationScheduler Scheduler { get; } = scheduler;
        public int Running;
        public ModelOutputException? Fault { get; set; }

        public void Dispose()
        {
            Scheduler.Dispose();
            Model.Dispose();
        }
    }

    private sealed class ClientQueue(string id)
    {
        public string Id { get; } = id;
        public LinkedList<Pending> Items { get; } = new();
        public LinkedListNode<ClientQueue>? RotationNode { get; set; }
    }

    /// <summary>A narration in the fair queue; once dispatched it follows the scheduler's stream.</summary>
    private sealed class Pending(ClientQueue queue, NarrationRequest request, CancellationToken cancellation)
    {
        private readonly TaskCompletionSource<NarrationStream?> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ClientQueue Queue { get; } = queue;
        public NarrationRequest Request { get; } = request;
        public CancellationToken Cancellation { get; } = cancellation;
        public LinkedListNode<Pending>? Node { get; set; }
        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>Dispatched to the scheduler (<paramref name="stream"/>), failed (<paramref name="error"/>), or
        /// withdrawn before starting (both null).</summary>
        public void Start(NarrationStream? stream, Exception? error)
        {
            Registration.Dispose();
            if (error is not null) _started.TrySetException(error);
            else _started.TrySetResult(stream);
        }

        public async IAsyncEnumerable<NarrationPiece> Pieces()
        {
            var stream = await _started.Task.ConfigureAwait(false);
            if (stream is null) yield break;
            await foreach (var piece in stream.ConfigureAwait(false)) yield return piece;
        }

        public async Task<NarrationResult> Completion()
        {
            var stream = await _started.Task.ConfigureAwait(false);
            if (stream is not null) return await stream.Completion.ConfigureAwait(false);
            var zero = TimeSpan.Zero;
            return new NarrationResult("", FinishReason.Cancelled, new NarrationTimings(0, 0, 0, zero, zero, zero, 0));
        }
    }
}
