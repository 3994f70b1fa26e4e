using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.IO;
using VisualNarrator.Convert.Lora;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Convert.Training;
using VisualNarrator.Gguf;

namespace VisualNarrator.Convert.Tests;

/// <summary>train-lora, merge and to-gguf end to end; resume; bad data.</summary>
public sealed class TrainingTests
{
    private static readonly TrainingOptions Quick = new()
    {
        Epochs = 6, BatchSize = 4, LearningRate = 1e-2, MaxLength = 32, ValidationSplit = 0.15, Patience = 3, Seed = 7,
    };

    private static LoraConfig Adapter => new() { R = 8, Alpha = 16, Dropout = 0.05, TargetModules = ["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"] };

    [Fact]
    public void TrainLora_Merge_ToGguf_EngineMatchesTorchSharp()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        var data = TinyData.Write(dir["data.jsonl"]);

        var result = LoraTraining.Run(new TrainLoraOptions(hf, data, dir["adapter"], Adapter, Quick));
        var val = result.Epochs.Select(e => e.ValidationLoss).ToList();
        Assert.True(val[^1] < val[0] * 0.7, $"validation loss did not fall: {string.Join(", ", val.Select(v => v.ToString("F3")))}");
        Assert.Equal(result.Epochs.MinBy(e => e.ValidationLoss)!.Epoch, result.BestEpoch);

        Merging.Run(new MergeOptions(hf, dir["adapter"], dir["merged"]));
        GgufConversion.Convert(new ToGgufOptions(dir["merged"], dir["merged.gguf"], GgmlType.F32));
        GgufConversion.Convert(new ToGgufOptions(hf, dir["onthefly.gguf"], GgmlType.F32, Lora: dir["adapter"]));

        var prompts = Tiny.PromptIds();
        using var merged = HfCheckpoint.Load(dir["merged"]);
        using var adapted = HfCheckpoint.Load(hf);
        LoraAdapter.Load(adapted.Model, dir["adapter"]);
        adapted.Model.eval();
        var fromMerged = EngineOracle.LastLogits(dir["merged.gguf"], prompts);
        var fromOnTheFly = EngineOracle.LastLogits(dir["onthefly.gguf"], prompts);
        using var plain = HfCheckpoint.Load(hf);
        for (var i = 0; i < prompts.Length; i++)
        {
            var expected = adapted.Model.LastLogits(prompts[i]);
            Close.Within(merged.Model.LastLogits(prompts[i]), fromMerged[i], 1e-3, $"merged, prompt {i}: ");
            Close.Within(expected, fromOnTheFly[i], 1e-3, $"on the fly, prompt {i}: ");
            Close.Within(expected, merged.Model.LastLogits(prompts[i]), 1e-4, $"merged checkpoint vs adapter, prompt {i}: ");
        }
        // The adapter really changed the model.
        Assert.True(Close.MaxAbsDiff(TorchSharp.torch.tensor(plain.Model.LastLogits(prompts[0])), TorchSharp.torch.tensor(fromMerged[0])) > 0.05);
        var gguf = GgufFile.Open(dir["onthefly.gguf"]);
        Assert.Equal(8u, gguf.GetInteger("visual_narrator.convert.lora.r"));
        Assert.Equal(Adapter.TargetModules, gguf.GetStringArray("visual_narrator.convert.lora.target_modules"));
    }

    [Fact]
    public void Resume_AfterInterruptionMidEpoch_GivesTheUninterruptedAdapter()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        var data = TinyData.Write(dir["data.jsonl"]);
        var options = Quick with { Epochs = 3, Patience = 5 };

        var straightResult = LoraTraining.Run(new TrainLoraOptions(hf, data, dir["straight"], Adapter, options));

        using var cts = new CancellationTokenSource();
        var interrupted = new TrainLoraOptions(hf, data, dir["resumed"], Adapter, options);
        var stepsPerEpoch = 5; // 17 training examples in batches of 4
        Assert.Throws<OperationCanceledException>(() => LoraTraining.Run(interrupted,
            new SyncProgress<TrainingProgress>(p => { if (p.Step == stepsPerEpoch + 2) cts.Cancel(); }), cts.Token));
        Assert.False(Directory.Exists(dir["resumed"]));
        Assert.True(Trainer.HasCheckpoint(interrupted.Checkpoints));

        var result = LoraTraining.Run(interrupted with { Resume = true });
        Assert.Equal(straightResult.Epochs.Select(e => e.ValidationLoss), result.Epochs.Select(e => e.ValidationLoss));
        Assert.Equal(1, result.ResumedFromEpoch);
        Assert.Equal(3, result.Epochs.Count);

        var straight = HfCheckpoint.ReadTensors([Path.Combine(dir["straight"], LoraAdapter.SafetensorsName)]).ToDictionary(t => t.Key, t => t.Value);
        var resumed = HfCheckpoint.ReadTensors([Path.Combine(dir["resumed"], LoraAdapter.SafetensorsName)]).ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(straight.Keys.Order(), resumed.Keys.Order());
        foreach (var (key, value) in straight)
            Assert.True(Close.MaxAbsDiff(value, resumed[key]) <= 1e-6, $"{key} differs by {Close.MaxAbsDiff(value, resumed[key])}");
    }

    [Fact]
    public void Resume_WithOtherSettings_IsRefused()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        var data = TinyData.Write(dir["data.jsonl"]);
        var options = new TrainLoraOptions(hf, data, dir["adapter"], Adapter, Quick with { Epochs = 1 });
        LoraTraining.Run(options);
        var ex = Assert.Throws<CheckpointException>(() => LoraTraining.Run(options with { Output = dir["again"], CheckpointDir = options.Checkpoints, Resume = true,
            Training = options.Training with { LearningRate = 0.5 } }));
        Assert.Contains("lr", ex.Message);
    }

    [Fact]
    public void GroupByLength_Trains_AndAResumeWithoutItIsRefused()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        var data = TinyData.Write(dir["data.jsonl"]);
        var options = new TrainLoraOptions(hf, data, dir["adapter"], Adapter, Quick with { Epochs = 2, GroupByLength = true });
        var result = LoraTraining.Run(options);
        Assert.True(result.Epochs[^1].ValidationLoss < result.Epochs[0].ValidationLoss * 1.05, "training with length-grouped batches did not learn");
        // Batches grouped by length are other batches: a resume must not silently switch the batching.
        var ex = Assert.Throws<CheckpointException>(() => LoraTraining.Run(options with { Output = dir["again"], CheckpointDir = options.Checkpoints, Resume = true,
            Training = options.Training with { Epochs = 3, GroupByLength = false } }));
        Assert.Contains("group_by_length", ex.Message);
    }

    [Theory]
    [InlineData("{\"prompt\": \"a\", \"description\": \"b\"}\n{\"prompt\": \"a\" \"description\": \"b\"}\n", "line 2: not valid JSON")]
    [InlineData("{\"prompt\": \"a\", \"description\": \"b\"}\n\n{\"prompt\": \"a\"}\n", "line 3: \"description\" is missing")]
    [InlineData("[1, 2]\n", "line 1: expected an object")]
    [InlineData("{\"prompt\": \"a\", \"description\": 5}\n", "line 1: \"description\" is Number")]
    public void MalformedJsonl_NamesTheLine_AndLeavesNoOutput(string content, string message)
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        File.WriteAllText(dir["bad.jsonl"], content);
        var before = dir.Entries();
        var ex = Assert.Throws<CheckpointException>(() => LoraTraining.Run(new TrainLoraOptions(hf, dir["bad.jsonl"], dir["adapter"], Adapter, Quick)));
        Assert.Contains(message, ex.Message);
        Assert.Equal(before, dir.Entries());
    }

    [Fact]
    public void Tokenize_MasksThePromptAndEndsWithEos()
    {
        var tokenizer = new VisualNarrator.Tokenization.OptTokenizer(Tiny.Tokenizer);
        var rows = new List<NarrationRow> { new(1, "Describe this image: a city ", "the light  ") };
        var example = NarrationData.Tokenize(rows, tokenizer, 64, "data").Single();
        Assert.Equal(tokenizer.Encode("Describe this image: a city"), example.Ids[..example.PromptLength]);
        Assert.Equal(tokenizer.Encode(" the light", addSpecialTokens: false).Append(2), example.Ids[example.PromptLength..]);
        var cut = NarrationData.Tokenize(rows, tokenizer, example.PromptLength + 1, "data").Single();
        Assert.Equal(example.PromptLength + 1, cut.Ids.Length);
        Assert.Throws<CheckpointException>(() => NarrationData.Tokenize(rows, tokenizer, example.PromptLength, "data"));
    }

    [Fact]
    public void FullTraining_FromRandomInit_LowersValidationLoss_AndLoadsBack()
    {
        using var dir = new TempDir();
        var tok = Tiny.WriteTokenizer(dir["tok"]);
        Tiny.Torch();
        var data = TinyData.Write(dir["data.jsonl"]);
        var result = FullTraining.Run(new TrainOptions("tiny", data, dir["model"], Quick with { Epochs = 4, LearningRate = 3e-3 }, tok));
        var val = result.Epochs.Select(e => e.ValidationLoss).ToList();
        Assert.True(val.Min() < val[0] * 0.8, $"validation loss did not fall: {string.Join(", ", val.Select(v => v.ToString("F3")))}");
        using var trained = HfCheckpoint.Load(dir["model"]);
        Assert.Equal(64, trained.Config.HiddenSize);
        Assert.True(File.Exists(Path.Combine(dir["model"], "vocab.json")));
        var trainer = new Trainer(trained.Model, [.. trained.Model.BaseParameters()], Quick, dir["eval-checkpoints"], new Dictionary<string, string>());
        var examples = NarrationData.Tokenize(NarrationData.Read(data), new VisualNarrator.Tokenization.OptTokenizer(Tiny.Tokenizer), Quick.MaxLength, data);
        var (_, validation) = NarrationData.Split(examples, Quick.ValidationSplit, Quick.Seed);
        Assert.Equal(result.BestValidationLoss, trainer.Evaluate(validation), 4);
    }

    [Fact]
    public void ZLoss_KeepsLogitsNearLogProbabilities_WithoutHurtingTheLoss()
    {
        using var dir = new TempDir();
        var tok = Tiny.WriteTokenizer(dir["tok"]);
        Tiny.Torch();
        var data = TinyData.Write(dir["data.jsonl"], count: 200);
        var options = Quick with { Epochs = 6, LearningRate = 1e-2 };
        var plain = FullTraining.Run(new TrainOptions("tiny", data, dir["plain"], options, tok));
        var calibrated = FullTraining.Run(new TrainOptions("tiny", data, dir["z"], options with { ZLoss = 0.03 }, tok));

        double MeanLogZ(string folder)
        {
            using var model = HfCheckpoint.Load(folder);
            model.Model.eval();
            return Tiny.PromptIds().Average(ids =>
            {
                var logits = model.Model.LastLogits(ids);
                var max = logits.Max();
                return max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            });
        }
        var logZPlain = MeanLogZ(dir["plain"]);
        var logZCalibrated = MeanLogZ(dir["z"]);
        Assert.True(Math.Abs(logZCalibrated) < 1.0 && Math.Abs(logZCalibrated) < Math.Abs(logZPlain) / 2,
            $"log Z with z-loss {logZCalibrated:F3}, without {logZPlain:F3}");
        // Reported losses are cross-entropy alone, and the offset costs the model (almost) nothing.
        Assert.True(calibrated.BestValidationLoss < plain.BestValidationLoss * 1.1,
            $"validation loss with z-loss {calibrated.BestValidationLoss:F3}, without {plain.BestValidationLoss:F3}");
    }

    [Fact]
    public void ZLoss_Negative_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => (Quick with { ZLoss = -1 }).Validate());
        Assert.Contains("--z-loss", error.Message);
    }
}
