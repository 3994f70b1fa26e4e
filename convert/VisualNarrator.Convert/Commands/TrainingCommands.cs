using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VisualNarrator.Convert.IO;
using VisualNarrator.Convert.Lora;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Training;

namespace VisualNarrator.Convert.Commands;

/// <summary><c>convert train-lora</c> and <c>convert train</c>: options, progress display and summary.</summary>
public static class TrainingCommands
{
    private sealed class Common
    {
        public readonly Option<string> Data = new("--data") { Description = "JSONL file, one {\"prompt\": ..., \"description\": ...} per line", Required = true };
        public readonly Option<string> Output = new("--out", "-o") { Description = "Output folder", Required = true };
        public readonly Option<int> Epochs = new("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 3 };
        public readonly Option<int> BatchSize = new("--batch-size") { Description = "Examples per forward pass", DefaultValueFactory = _ => 4 };
        public readonly Option<bool> GroupByLength = new("--group-by-length") { Description = "Batch examples of similar length together (HF's group_by_length), so a few long examples do not pad every batch" };
        public readonly Option<int> GradAccum = new("--grad-accum") { Description = "Forward passes per optimizer step", DefaultValueFactory = _ => 1 };
        public readonly Option<double> Lr;
        public readonly Option<double> WeightDecay = new("--weight-decay") { Description = "AdamW weight decay", DefaultValueFactory = _ => 0.0 };
        public readonly Option<double> MaxGradNorm = new("--max-grad-norm") { Description = "Gradient clipping norm (0: off)", DefaultValueFactory = _ => 1.0 };
        public readonly Option<int> MaxLength = new("--max-length") { Description = "Longest sequence in tokens (prompt + description + EOS)", DefaultValueFactory = _ => 128 };
        public readonly Option<double> ValSplit = new("--val-split") { Description = "Fraction held out for validation", DefaultValueFactory = _ => 0.15 };
        public readonly Option<int> Patience = new("--patience") { Description = "Epochs without a better validation loss before stopping", DefaultValueFactory = _ => 2 };
        public readonly Option<double> ZLoss = new("--z-loss") { Description = "Weight of the z-loss (log Z)^2 that keeps logits near log-probabilities, so HF's repetition penalty acts as intended (0: off)", DefaultValueFactory = _ => 0.0 };
        public readonly Option<int> Seed = new("--seed") { Description = "Seed of the split, shuffles, initialisation and dropout", DefaultValueFactory = _ => 42 };
        public readonly Option<bool> Resume = new("--resume") { Description = "Continue the run whose checkpoints are in the checkpoint folder" };
        public readonly Option<string?> CheckpointDir = new("--checkpoint-dir") { Description = "Checkpoint folder (default: OUT.checkpoints)" };
        public readonly Option<bool> Force = new("--force") { Description = "Replace an existing output folder" };

        public Common(double defaultLr) =>
            Lr = new Option<double>("--lr") { Description = "AdamW learning rate (constant)", DefaultValueFactory = _ => defaultLr };

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Data, Output, Epochs, BatchSize, GroupByLength, GradAccum, Lr, WeightDecay, MaxGradNorm, MaxLength, ValSplit, Patience, ZLoss, Seed, Resume, CheckpointDir, Force })
                c.Options.Add(o);
        }

        public TrainingOptions Read(ParseResult p) => new()
        {
            Epochs = p.GetValue(Epochs), BatchSize = p.GetValue(BatchSize), GradientAccumulation = p.GetValue(GradAccum), GroupByLength = p.GetValue(GroupByLength),
            LearningRate = p.GetValue(Lr), WeightDecay = p.GetValue(WeightDecay), MaxGradNorm = p.GetValue(MaxGradNorm),
            MaxLength = p.GetValue(MaxLength), ValidationSplit = p.GetValue(ValSplit), Patience = p.GetValue(Patience), ZLoss = p.GetValue(ZLoss), Seed = p.GetValue(Seed),
        };
    }

    /// <summary>Builds <c>train-lora --model HF_DIR --data FILE.jsonl --out ADAPTER_DIR</c>.</summary>
    public static Command CreateTrainLora()
    {
        var common = new Common(1e-4);
        var model = new Option<string>("--model") { Description = "Base HuggingFace OPT checkpoint folder", Required = true };
        var r = new Option<int>("--r") { Description = "LoRA rank", DefaultValueFactory = _ => 16 };
        var alpha = new Option<double>("--alpha") { Description = "lora_alpha", DefaultValueFactory = _ => 32 };
        var dropout = new Option<double>("--lora-dropout") { Description = "Dropout on the LoRA input", DefaultValueFactory = _ => 0.1 };
        var targets = new Option<string>("--targets") { Description = $"Comma-separated target modules among {string.Join(", ", OptForCausalLM.LoraTargets)}", DefaultValueFactory = _ => "q_proj,k_proj,v_proj" };
        var rslora = new Option<bool>("--rslora") { Description = "rsLoRA scaling (alpha / sqrt(r))" };
        var command = new Command("train-lora", "Train a PEFT LoRA adapter on narration data; the adapter with the best validation loss is saved") { model, r, alpha, dropout, targets, rslora };
        common.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(ct =>
        {
            var adapter = new LoraConfig
            {
                R = parse.GetValue(r), Alpha = parse.GetValue(alpha), Dropout = parse.GetValue(dropout), UseRsLora = parse.GetValue(rslora),
                TargetModules = [.. parse.GetValue(targets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            };
            if (adapter.R < 1) throw new ArgumentException($"--r must be at least 1, got {adapter.R}");
            if (adapter.Dropout is < 0 or >= 1) throw new ArgumentException($"--lora-dropout must be in [0, 1), got {adapter.Dropout}");
            var options = new TrainLoraOptions(parse.GetValue(model)!, parse.GetValue(common.Data)!, parse.GetValue(common.Output)!, adapter, common.Read(parse),
                parse.GetValue(common.Resume), parse.GetValue(common.CheckpointDir), parse.GetValue(common.Force));
            var result = Display("train-lora", (p, c) => LoraTraining.Run(options, p, c), ct);
            Summarize(result, options.Output, options.Checkpoints);
            return 0;
        }));
        return command;
    }

    /// <summary>Builds <c>train --shape NAME --data FILE.jsonl --out HF_DIR</c>.</summary>
    public static Command CreateTrain()
    {
        var common = new Common(1e-3);
        var shape = new Option<string>("--shape") { Description = $"Model shape: {string.Join(", ", OptConfig.Shapes.Keys)}", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "HuggingFace tokenizer folder (default: GPT-2's vocabulary)" };
        var dtype = new Option<string>("--dtype") { Description = "Stored weight dtype: f32, f16 or bf16", DefaultValueFactory = _ => "f32" };
        var init = new Option<string?>("--init") { Description = "Start from this OPT model instead of random weights: an 'opt' GGUF file (F32/F16/BF16) or a HuggingFace folder, of exactly --shape's shape" };
        var command = new Command("train", "Train every parameter of a small OPT from random initialisation (or --init); the best-validation weights are saved") { shape, tokenizer, dtype, init };
        common.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(ct =>
        {
            var options = new TrainOptions(parse.GetValue(shape)!, parse.GetValue(common.Data)!, parse.GetValue(common.Output)!, common.Read(parse),
                parse.GetValue(tokenizer), Options.ParseDType(parse.GetValue(dtype)!), parse.GetValue(common.Resume), parse.GetValue(common.CheckpointDir),
                parse.GetValue(common.Force), parse.GetValue(init));
            var result = Display("train", (p, c) => FullTraining.Run(options, p, c), ct);
            Summarize(result, options.Output, options.Checkpoints);
            return 0;
        }));
        return command;
    }

    private static TrainingResult Display(string name, Func<IProgress<TrainingProgress>, CancellationToken, TrainingResult> run, CancellationToken ct) =>
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(name, maxValue: 1);
                var progress = new SyncProgress<TrainingProgress>(p =>
                {
                    task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"{name} epoch {p.Epoch}/{p.Epochs} · loss {p.TrainLoss:F4} · val {(p.ValidationLoss is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-")} · {p.TokensPerSecond:F0} tok/s · ETA {p.Eta:hh\\:mm\\:ss}"));
                    task.Value = p.TotalSteps == 0 ? 0 : (double)p.Step / p.TotalSteps;
                    if (p.Event == "epoch")
                        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                            $"epoch {p.Epoch}: train loss {p.TrainLoss:F4}, validation loss {(p.ValidationLoss is double v2 ? v2.ToString("F4", CultureInfo.InvariantCulture) : "- (no validation set)")}, {p.TokensPerSecond:F0} tokens/s")));
                });
                var result = run(progress, ct);
                task.Value = 1;
                return result;
            });

    private static void Summarize(TrainingResult result, string output, string checkpoints)
    {
        var best = result.Epochs.First(e => e.Epoch == result.BestEpoch);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"best epoch {best.Epoch}: loss {best.ValidationLoss:F4}{(result.StoppedEarly ? " (stopped early)" : "")}{(result.ResumedFromEpoch > 0 ? $"; resumed after epoch {result.ResumedFromEpoch}" : "")}")));
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(output))}[/] (checkpoints in {Markup.Escape(checkpoints)})");
    }
}
