using Microsoft.Extensions.Options;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Services;

/// <summary>
/// The app's model host: loads the default model at start, switches models without a restart, and retires the old one
/// (its narrations get <see cref="NarratorOptions.SwitchGracePeriod"/>, then are cancelled). Narrations go straight to
/// the loaded model's <see cref="NarrationScheduler"/>, whose one queue is fair per client and which checks,
/// tokenizes and reports each request itself.
/// </summary>
public sealed class NarratorEngine : INarrator, IHostedService, IDisposable
{
    private readonly NarratorOptions _options;
    private readonly ModelCatalog _catalog;
    private readonly ILogger<NarratorEngine> _log;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _switching = new(1, 1);
    private Slot? _current;
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
                return new NarratorStatus(_state, _current?.Info, _message, _catalog.DisplayName, _current?.Scheduler.ActiveCount ?? 0,
                    _current?.Scheduler.WaitingCount ?? 0, _current?.Model.RunsOn);
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
                    var model = Model.Load(info.FullPath, _options.LoadOptions());
                    if (model.Offload is { } plan) _log.LogInformation("{Model}: {Reason}", info.Name, plan.Reason);
                    try
                    {
                        return new Slot(info, model, new NarrationScheduler(model, _options.Scheduler()));
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
        while (DateTime.UtcNow < deadline && old.Scheduler.ActiveCount + old.Scheduler.WaitingCount > 0) await Task.Delay(50);
        old.Dispose();
    }

    /// <inheritdoc />
    public NarrationRun Submit(string clientId, NarrationRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(request);
        Slot slot;
        lock (_lock) slot = _current ?? throw new NoModelLoadedException(_message);
        // A model that computed NaN or infinity would only do so again: refuse as the model's fault.
        if (slot.Fault is { } fault) throw new ModelOutputException(fault.ModelFile, fault.Problem);
        // The server's prompt-token limit caps what a caller asks for; everything else is checked by the scheduler.
        var stream = slot.Scheduler.Submit(request with { Client = clientId, MaxPromptTokens = Math.Min(request.MaxPromptTokens, Limits.MaxPromptTokens) },
            cancellationToken);
        return new NarrationRun(stream, slot.Info.Name, error => MarkUnhealthy(slot, error), result =>
        {
            if (result is not null) _metrics.Record(clientId, result);
            else _metrics.RecordFailure(clientId);
        });
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
        // With at most context - prompt new tokens the prompt is never cut and the narration fits the scheduler.
        var context = Math.Min(slot.Scheduler.ContextSize, slot.Model.Hyperparameters.ContextLength);
        return new PromptFit(characters, tokens, context, Math.Clamp(context - Math.Max(tokens, 2), 1, Limits.MaxNewTokens));
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
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            slot = _current;
            _current = null;
        }
        // The scheduler ends running and waiting narrations as cancelled.
        slot?.Dispose();
        _switching.Dispose();
    }

    private sealed class Slot(ModelInfo info, Model model, NarrationScheduler scheduler) : IDisposable
    {
        public ModelInfo Info { get; } = info;
        public Model Model { get; } = model;
        public NarrationScheduler Scheduler { get; } = scheduler;
        public ModelOutputException? Fault { get; set; }

        public void Dispose()
        {
            Scheduler.Dispose();
            Model.Dispose();
        }
    }
}
