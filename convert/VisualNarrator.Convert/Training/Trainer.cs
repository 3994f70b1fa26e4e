using VisualNarrator.CommandLine;
using VisualNarrator.Gguf;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.IO;
using VisualNarrator.Convert.Modeling;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VisualNarrator.Convert.Training;

/// <summary>Training hyperparameters (shared by train-lora and train).</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 3;
    /// <summary>Examples per forward pass.</summary>
    public int BatchSize { get; init; } = 4;
    /// <summary>Forward passes per optimizer step.</summary>
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>Batch examples of similar length together: the shuffled order is cut into windows of
    /// <see cref="Trainer.LengthWindowBatches"/> batches, each window is sorted by length and cut into batches, and the batches
    /// are shuffled (HuggingFace's <c>group_by_length</c>). Right-padded batches then waste little compute on padding.</summary>
    public bool GroupByLength { get; init; }
    /// <summary>AdamW learning rate (constant).</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Gradient clipping (global L2 norm); 0 turns it off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Longest sequence in tokens (prompt + description + EOS).</summary>
    public int MaxLength { get; init; } = 128;
    /// <summary>Fraction of examples held out for validation.</summary>
    public double ValidationSplit { get; init; } = 0.15;
    /// <summary>Epochs without a better validation loss before stopping.</summary>
    public int Patience { get; init; } = 2;
    /// <summary>Seed of the split, the shuffles, the initialisation and dropout.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Weight of the z-loss <c>(log Z)^2</c> per target token (PaLM's auxiliary loss; 0 turns it off). Cross-entropy
    /// ignores a common offset of the logits, but HuggingFace's repetition penalty does not (it divides positive logits
    /// and multiplies negative ones), so keeping log Z near 0, i.e. logits near log-probabilities, makes sampling with
    /// that penalty behave as intended. Reported losses are cross-entropy only.</summary>
    public double ZLoss { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"--epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size must be at least 1, got {BatchSize}");
        if (!(ZLoss >= 0) || double.IsInfinity(ZLoss)) throw new ArgumentException($"--z-loss must be a finite value >= 0, got {ZLoss}");
        if (GradientAccumulation < 1) throw new ArgumentException($"--grad-accum must be at least 1, got {GradientAccumulation}");
        if (!(LearningRate > 0)) throw new ArgumentException($"--lr must be positive, got {LearningRate}");
        if (WeightDecay < 0) throw new ArgumentException($"--weight-decay must not be negative, got {WeightDecay}");
        if (MaxGradNorm < 0) throw new ArgumentException($"--max-grad-norm must not be negative, got {MaxGradNorm}");
        if (MaxLength < 2) throw new ArgumentException($"--max-length must be at least 2, got {MaxLength}");
        if (ValidationSplit is < 0 or >= 1) throw new ArgumentException($"--val-split must be in [0, 1), got {ValidationSplit}");
        if (Patience < 1) throw new ArgumentException($"--patience must be at least 1, got {Patience}");
    }
}

/// <summary>Where training stands, reported after every optimizer step and every epoch.</summary>
/// <param name="Epoch">Current epoch (1-based).</param>
/// <param name="Epochs">Planned epochs.</param>
/// <param name="Step">Optimizer steps done (over the whole run).</param>
/// <param name="TotalSteps">Optimizer steps the planned epochs take.</param>
/// <param name="TrainLoss">Mean loss per target token over the epoch so far.</param>
/// <param name="ValidationLoss">The last validation loss, if any.</param>
/// <param name="TokensPerSecond">Input tokens processed per second in this run.</param>
/// <param name="Eta">Estimated time to the planned end.</param>
/// <param name="Event">"epoch" when an epoch ended, else null.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, long Step, long TotalSteps, double TrainLoss, double? ValidationLoss,
    double TokensPerSecond, TimeSpan Eta, string? Event);

/// <summary>One finished epoch; without a validation set, <see cref="ValidationLoss"/> is the training loss.</summary>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="TrainLoss">Mean loss per target token over the epoch.</param>
/// <param name="ValidationLoss">Mean loss per target token on the validation set after the epoch.</param>
/// <param name="Improved">Whether it was the best so far.</param>
public sealed record EpochResult(int Epoch, double TrainLoss, double ValidationLoss, bool Improved);

/// <summary>The outcome of <see cref="Trainer.Run"/>.</summary>
/// <param name="Epochs">Every finished epoch, resumed ones included.</param>
/// <param name="BestEpoch">The epoch whose parameters the model now holds.</param>
/// <param name="BestValidationLoss">Its validation loss (its training loss when there is no validation set).</param>
/// <param name="StoppedEarly">Whether patience ran out.</param>
/// <param name="ResumedFromEpoch">The epoch a resumed run continued after, or 0.</param>
/// <param name="TokensPerSecond">Training throughput of this run.</param>
public sealed record TrainingResult(IReadOnlyList<EpochResult> Epochs, int BestEpoch, double BestValidationLoss, bool StoppedEarly, int ResumedFromEpoch,
    double TokensPerSecond);

/// <summary>
/// Trains a set of parameters of an <see cref="OptForCausalLM"/> on narration examples: AdamW at a constant rate,
/// gradient accumulation with a per-token mean over the accumulated batches, gradient clipping, loss on the
/// description tokens only, right-padded batches. After each epoch it computes the validation loss, keeps the best
/// parameters, and writes a checkpoint (parameters, optimizer state, counters) into <c>checkpointDir/last</c> and the
/// best parameters into <c>checkpointDir/best</c>, each folder replaced atomically. A run can stop at any point and
/// continue with <c>resume</c>: the data order comes from the seed and the epoch, dropout from the seed and the step,
/// so a resumed run takes the same steps as an uninterrupted one. At the end the model holds the best parameters.
/// </summary>
public sealed class Trainer
{
    private const string StateFile = "state.json", ParamsFile = "params.safetensors", OptimizerFile = "optimizer.bin";

    private readonly OptForCausalLM _model;
    private readonly IReadOnlyList<(string Key, Parameter Value)> _trainable;
    private readonly TrainingOptions _options;
    private readonly string _checkpointDir;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly int _padId;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model; parameters not in <paramref name="trainable"/> are frozen.</param>
    /// <param name="trainable">The parameters to train, by a stable key.</param>
    /// <param name="options">Hyperparameters.</param>
    /// <param name="checkpointDir">Where checkpoints go.</param>
    /// <param name="settings">What defines the run (data hash, model, adapter settings...): a resumed run must match.</param>
    public Trainer(OptForCausalLM model, IReadOnlyList<(string Key, Parameter Value)> trainable, TrainingOptions options, string checkpointDir,
        IReadOnlyDictionary<string, string> settings)
    {
        options.Validate();
        if (trainable.Count == 0) throw new ArgumentException("nothing to train");
        _model = model;
        _trainable = trainable;
        _options = options;
        _checkpointDir = Path.GetFullPath(checkpointDir);
        var all = new Dictionary<string, string>(settings, StringComparer.Ordinal)
        {
            ["batch_size"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["grad_accum"] = options.GradientAccumulation.ToString(CultureInfo.InvariantCulture),
            ["lr"] = options.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["weight_decay"] = options.WeightDecay.ToString("R", CultureInfo.InvariantCulture),
            ["max_grad_norm"] = options.MaxGradNorm.ToString("R", CultureInfo.InvariantCulture),
            ["max_length"] = options.MaxLength.ToString(CultureInfo.InvariantCulture),
            ["val_split"] = options.ValidationSplit.ToString("R", CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["parameters"] = string.Join(";", trainable.Select(p => $"{p.Key}[{string.Join(",", p.Value.shape)}]")),
        };
        // Only when used, so runs checkpointed before the option existed still resume.
        if (options.ZLoss > 0) all["z_loss"] = options.ZLoss.ToString("R", CultureInfo.InvariantCulture);
        if (options.GroupByLength) all["group_by_length"] = "true";
        _settings = all;
        _padId = model.Config.PadTokenId ?? model.Config.EosTokenId ?? 0;
    }

    /// <summary>The checkpoint folder.</summary>
    public string CheckpointDir => _checkpointDir;

    /// <summary>Whether a resumable checkpoint exists in <paramref name="checkpointDir"/>.</summary>
    public static bool HasCheckpoint(string checkpointDir) => File.Exists(Path.Combine(checkpointDir, "last", StateFile));

    /// <summary>Trains.</summary>
    /// <param name="train">Training examples.</param>
    /// <param name="validation">Validation examples (may be empty: then the last epoch is kept).</param>
    /// <param name="resume">Continue from the checkpoint folder's last epoch.</param>
    /// <param name="progress">Called synchronously after every step and epoch.</param>
    /// <param name="cancellation">Stops between steps with <see cref="OperationCanceledException"/>; finished
    /// epochs stay in the checkpoint folder.</param>
    public TrainingResult Run(IReadOnlyList<NarrationExample> train, IReadOnlyList<NarrationExample> validation, bool resume,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (train.Count == 0) throw new ArgumentException("no training examples");
        var trainableSet = _trainable.Select(p => p.Value.Handle).ToHashSet();
        foreach (var (_, p) in _model.named_parameters()) p.requires_grad_(trainableSet.Contains(p.Handle));
        foreach (var (_, p) in _trainable) p.requires_grad_(true);

        using var optimizer = optim.AdamW(_trainable.Select(p => p.Value), lr: _options.LearningRate, weight_decay: _options.WeightDecay);
        var history = new List<EpochResult>();
        var startEpoch = 1;
        long step = 0;
        var best = (Epoch: 0, Loss: double.PositiveInfinity);
        var badEpochs = 0;
        Dictionary<string, Tensor>? bestParams = null;

        if (resume)
        {
            (startEpoch, step, best, badEpochs, history) = Restore(optimizer);
            bestParams = ReadParams(Path.Combine(_checkpointDir, "best"));
            startEpoch++;
        }
        else if (Directory.Exists(_checkpointDir) && Directory.EnumerateFileSystemEntries(_checkpointDir).Any())
        {
            throw new IOException($"the checkpoint folder '{_checkpointDir}' is not empty; pass --resume to continue that run, or remove it");
        }
        var resumedFrom = resume ? startEpoch - 1 : 0;

        var batchesPerEpoch = (train.Count + _options.BatchSize - 1) / _options.BatchSize;
        var stepsPerEpoch = (batchesPerEpoch + _options.GradientAccumulation - 1) / _options.GradientAccumulation;
        var totalSteps = (long)stepsPerEpoch * _options.Epochs;
        var clock = Stopwatch.StartNew();
        long tokensThisRun = 0, stepsThisRun = 0;
        var stoppedEarly = badEpochs >= _options.Patience && history.Count > 0;

        try
        {
            for (var epoch = startEpoch; epoch <= _options.Epochs && !stoppedEarly; epoch++)
            {
                _model.train();
                var order = Enumerable.Range(0, train.Count).ToArray();
                new Random(unchecked(_options.Seed * 7919 + epoch)).Shuffle(order);
                var batches = Batches(order, train, new Random(unchecked(_options.Seed * 7919 + epoch + 1)));
                double lossSum = 0;
                long lossTokens = 0;
                foreach (var group in batches.Chunk(_options.GradientAccumulation))
                {
                    cancellation.ThrowIfCancellationRequested();
                    manual_seed(unchecked(_options.Seed * 1_000_003L + step));
                    optimizer.zero_grad();
                    var groupTokens = group.Sum(b => b.Sum(i => (long)train[i].TargetCount));
                    foreach (var batch in group)
                    {
                        using var scope = NewDisposeScope();
                        var (sum, targets, inputs) = BatchLoss(batch.Select(i => train[i]).ToList(), out var zSum);
                        (zSum is null ? sum : sum.add(zSum.mul(_options.ZLoss))).div(groupTokens).backward();
                        lossSum += sum.to(ScalarType.Float64).item<double>();
                        lossTokens += targets;
                        tokensThisRun += inputs;
                    }
                    if (_options.MaxGradNorm > 0) nn.utils.clip_grad_norm_(_trainable.Select(p => p.Value), _options.MaxGradNorm);
                    optimizer.step();
                    step++;
                    stepsThisRun++;
                    progress?.Report(Progress(epoch, step, totalSteps, lossSum / Math.Max(1, lossTokens), history.LastOrDefault()?.ValidationLoss,
                        tokensThisRun, stepsThisRun, clock, null));
                }

                var trainLoss = lossSum / Math.Max(1, lossTokens);
                var valLoss = validation.Count > 0 ? Evaluate(validation) : trainLoss;
                if (!double.IsFinite(trainLoss) || !double.IsFinite(valLoss))
                    throw new InvalidOperationException($"the loss diverged in epoch {epoch} (train {trainLoss}, validation {valLoss}); lower --lr");
                var improved = valLoss < best.Loss;
                history.Add(new EpochResult(epoch, trainLoss, valLoss, improved));
                if (improved)
                {
                    best = (epoch, valLoss);
                    badEpochs = 0;
                    DisposeAll(bestParams);
                    bestParams = _trainable.ToDictionary(p => p.Key, p => p.Value.detach().clone(), StringComparer.Ordinal);
                    WriteParams("best", bestParams, null);
                }
                else
                {
                    badEpochs++;
                }
                stoppedEarly = validation.Count > 0 && badEpochs >= _options.Patience && epoch < _options.Epochs;
                WriteLast(optimizer, epoch, step, best, badEpochs, history);
                progress?.Report(Progress(epoch, step, totalSteps, trainLoss, validation.Count > 0 ? valLoss : null, tokensThisRun, stepsThisRun, clock, "epoch"));
            }

            if (bestParams is null) throw new InvalidOperationException("training finished without an epoch");
            using (no_grad())
                foreach (var (key, p) in _trainable) p.copy_(bestParams[key]);
            _model.eval();
            return new TrainingResult(history, best.Epoch, best.Loss, stoppedEarly, resumedFrom,
                tokensThisRun / Math.Max(1e-9, clock.Elapsed.TotalSeconds));
        }
        finally
        {
            DisposeAll(bestParams);
        }
    }

    /// <summary>Mean loss per target token over examples, in evaluation mode, without gradients.</summary>
    public double Evaluate(IReadOnlyList<NarrationExample> examples)
    {
        var wasTraining = _model.training;
        _model.eval();
        try
        {
            using var _ = no_grad();
            double sum = 0;
            long tokens = 0;
            foreach (var batch in examples.Chunk(_options.BatchSize))
            {
                using var scope = NewDisposeScope();
                var (loss, targets, _) = BatchLoss(batch, out var _);
                sum += loss.to(ScalarType.Float64).item<double>();
                tokens += targets;
            }
            return sum / Math.Max(1, tokens);
        }
        finally
        {
            if (wasTraining) _model.train();
        }
    }

    /// <summary>How many batches one length-sorted window spans with <see cref="TrainingOptions.GroupByLength"/>.</summary>
    public const int LengthWindowBatches = 50;

    private List<int[]> Batches(int[] order, IReadOnlyList<NarrationExample> examples, Random random)
    {
        if (!_options.GroupByLength) return order.Chunk(_options.BatchSize).ToList();
        var batches = order.Chunk(_options.BatchSize * LengthWindowBatches)
            .SelectMany(window => window.OrderBy(i => examples[i].Ids.Length).ThenBy(i => i).Chunk(_options.BatchSize))
            .ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    /// <summary>Summed cross-entropy over the description tokens of a right-padded batch; in training mode with a
    /// z-loss, also the summed <c>(log Z)^2</c> over the same positions.</summary>
    private (Tensor Sum, long Targets, long Inputs) BatchLoss(IReadOnlyList<NarrationExample> batch, out Tensor? zSum)
    {
        var length = batch.Max(e => e.Ids.Length);
        var inputs = new long[batch.Count * length];
        var labels = new long[batch.Count * length];
        long targets = 0, real = 0;
        for (var b = 0; b < batch.Count; b++)
        {
            var e = batch[b];
            for (var t = 0; t < length; t++)
            {
                inputs[b * length + t] = t < e.Ids.Length ? e.Ids[t] : _padId;
                // Position t predicts token t + 1; only description tokens (and EOS) are targets.
                var target = t + 1 < e.Ids.Length && t + 1 >= e.PromptLength ? e.Ids[t + 1] : -100;
                labels[b * length + t] = target;
                if (target >= 0) targets++;
            }
            real += e.Ids.Length;
        }
        var input = tensor(inputs, [batch.Count, length]);
        var label = tensor(labels, [batch.Count * length]);
        var logits = _model.call(input).reshape(batch.Count * length, -1);
        var loss = F.cross_entropy(logits, label, ignore_index: -100, reduction: nn.Reduction.Sum);
        zSum = _options.ZLoss > 0 && _model.training
            ? logits.logsumexp(1).square().masked_select(label.ne(-100)).sum()
            : null;
        return (loss, targets, real);
    }

    private TrainingProgress Progress(int epoch, long step, long totalSteps, double trainLoss, double? valLoss, long tokens, long steps, Stopwatch clock, string? ev)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        var perStep = steps > 0 ? seconds / steps : 0;
        return new TrainingProgress(epoch, _options.Epochs, step, totalSteps, trainLoss, valLoss, tokens / Math.Max(1e-9, seconds),
            TimeSpan.FromSeconds(Math.Max(0, totalSteps - step) * perStep), ev);
    }

    private void WriteLast(AdamW optimizer, int epoch, long step, (int Epoch, double Loss) best, int badEpochs, List<EpochResult> history)
    {
        var state = new JsonObject
        {
            ["epoch"] = epoch,
            ["step"] = step,
            ["best_epoch"] = best.Epoch,
            ["best_loss"] = best.Loss,
            ["bad_epochs"] = badEpochs,
            ["history"] = new JsonArray([.. history.Select(h => (JsonNode)new JsonObject
            {
                ["epoch"] = h.Epoch, ["train_loss"] = h.TrainLoss, ["val_loss"] = h.ValidationLoss, ["improved"] = h.Improved,
            })]),
            ["settings"] = new JsonObject([.. _settings.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
        };
        WriteParams("last", _trainable.ToDictionary(p => p.Key, p => (Tensor)p.Value, StringComparer.Ordinal), folder =>
        {
            optimizer.save_state_dict(Path.Combine(folder, OptimizerFile));
            AtomicFile.WriteAllText(Path.Combine(folder, StateFile), state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        });
    }

    private void WriteParams(string name, IReadOnlyDictionary<string, Tensor> parameters, Action<string>? extra)
    {
        Directory.CreateDirectory(_checkpointDir);
        using var output = AtomicOutput.Folder(Path.Combine(_checkpointDir, name), overwrite: true);
        SafetensorsFile.Write(Path.Combine(output.TempPath, ParamsFile),
            [.. parameters.Select(p => (p.Key, p.Value.shape, ScalarType.Float32, (Func<Tensor>)(() => p.Value)))]);
        extra?.Invoke(output.TempPath);
        output.Commit();
    }

    private Dictionary<string, Tensor> ReadParams(string folder)
    {
        var path = Path.Combine(folder, ParamsFile);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, t, _) in HfCheckpoint.ReadTensors([path])) result[key] = t;
        var expected = _trainable.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        if (!expected.SetEquals(result.Keys))
        {
            DisposeAll(result);
            throw new CheckpointException(path, "holds other parameters than this run trains");
        }
        return result;
    }

    private (int Epoch, long Step, (int, double) Best, int BadEpochs, List<EpochResult> History) Restore(AdamW optimizer)
    {
        var last = Path.Combine(_checkpointDir, "last");
        var statePath = Path.Combine(last, StateFile);
        if (!File.Exists(statePath)) throw new CheckpointException(_checkpointDir, "there is no checkpoint to resume (no finished epoch)");
        JsonObject state;
        try
        {
            state = JsonNode.Parse(File.ReadAllText(statePath)) as JsonObject ?? throw new CheckpointException(statePath, "is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(statePath, $"not valid JSON: {ex.Message}", ex);
        }
        var saved = state["settings"] as JsonObject ?? throw new CheckpointException(statePath, "has no settings");
        var differences = _settings.Where(kv => saved[kv.Key]?.GetValue<string>() != kv.Value)
            .Select(kv => $"{kv.Key}: checkpoint '{Shorten(saved[kv.Key]?.GetValue<string>())}', now '{Shorten(kv.Value)}'").ToList();
        // Settings written only when used (z_loss, init): one the checkpoint has and this run lacks is a difference too.
        differences.AddRange(saved.Where(kv => !_settings.ContainsKey(kv.Key))
            .Select(kv => $"{kv.Key}: checkpoint '{Shorten(kv.Value?.GetValue<string>())}', now none"));
        if (differences.Count > 0)
            throw new CheckpointException(_checkpointDir, $"the checkpoint belongs to a different run; cannot resume: {string.Join("; ", differences)}");
        var parameters = ReadParams(last);
        try
        {
            using (no_grad())
                foreach (var (key, p) in _trainable) p.copy_(parameters[key]);
        }
        finally
        {
            DisposeAll(parameters);
        }
        optimizer.load_state_dict(Path.Combine(last, OptimizerFile));
        var history = (state["history"] as JsonArray ?? []).Select(h => new EpochResult(h!["epoch"]!.GetValue<int>(), h["train_loss"]!.GetValue<double>(),
            h["val_loss"]!.GetValue<double>(), h["improved"]!.GetValue<bool>())).ToList();
        return (state["epoch"]!.GetValue<int>(), state["step"]!.GetValue<long>(), (state["best_epoch"]!.GetValue<int>(), state["best_loss"]!.GetValue<double>()),
            state["bad_epochs"]!.GetValue<int>(), history);
    }

    private static string Shorten(string? s) => s is null ? "(none)" : s.Length > 80 ? s[..77] + "..." : s;

    private static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        if (tensors is null) return;
        foreach (var t in tensors.Values) t.Dispose();
    }
}
