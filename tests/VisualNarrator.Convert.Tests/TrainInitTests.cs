using VisualNarrator.Convert.Gguf;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Convert.Training;
using VisualNarrator.Gguf;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Tests;

/// <summary>train --init: the run starts from an existing model's parameters, refuses one of another shape or a
/// quantized file, and a resume must use the same init.</summary>
public sealed class TrainInitTests
{
    private static readonly TrainingOptions Quick = new()
    {
        Epochs = 1, BatchSize = 4, LearningRate = 3e-3, MaxLength = 32, ValidationSplit = 0.15, Patience = 3, Seed = 7,
    };

    private static TrainOptions Options(TempDir dir, string? init, string output = "model") =>
        new("tiny", dir["data.jsonl"], dir[output], Quick, dir["tokenizer"], Init: init);

    /// <summary>A tiny synthetic HF model (seed 1, not the training seed) and its F32 GGUF.</summary>
    private static (string Hf, string Gguf) Source(TempDir dir)
    {
        var hf = Tiny.Synth(dir);
        TinyData.Write(dir["data.jsonl"]);
        GgufConversion.Convert(new ToGgufOptions(hf, dir["base.gguf"], GgmlType.F32));
        return (hf, dir["base.gguf"]);
    }

    private static Dictionary<string, Tensor> ParametersOf(OptForCausalLM model) =>
        model.BaseParameters().ToDictionary(p => p.Key, p => (Tensor)p.Value.detach().clone());

    private static bool Identical(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void InitFromF32Gguf_OrHfFolder_StartsFromTheSourceParameters()
    {
        using var dir = new TempDir();
        var (hf, gguf) = Source(dir);
        using var source = HfCheckpoint.Load(hf);
        var expected = ParametersOf(source.Model);
        var config = FullTraining.ConfigFor(Options(dir, gguf), Tiny.Tokenizer);
        const string positions = "model.decoder.embed_positions.weight";

        using (var fromGguf = FullTraining.CreateModel(Options(dir, gguf), config))
            foreach (var (key, value) in ParametersOf(fromGguf))
            {
                // The GGUF position table has no offset rows; they start at zero.
                var want = key == positions ? cat([zeros(OptDecoder.PositionOffset, value.shape[1]), expected[key].narrow(0, OptDecoder.PositionOffset, value.shape[0] - OptDecoder.PositionOffset)]) : expected[key];
                Assert.True(Identical(value, want), $"{key} differs from the GGUF's (max |diff| {Close.MaxAbsDiff(value, want)})");
            }
        using (var fromHf = FullTraining.CreateModel(Options(dir, hf), config))
            foreach (var (key, value) in ParametersOf(fromHf))
                Assert.True(Identical(value, expected[key]), $"{key} differs from the HF checkpoint's");
        // Without --init the same seed gives other weights, so the comparisons above can fail.
        using var random = FullTraining.CreateModel(Options(dir, null), config);
        Assert.False(Identical(ParametersOf(random)["model.decoder.layers.0.fc1.weight"], expected["model.decoder.layers.0.fc1.weight"]));
    }

    [Fact]
    public void InitOfAnotherShape_IsRefusedBeforeTraining_NamingTheKey()
    {
        using var dir = new TempDir();
        var (hf, _) = Source(dir);
        using (var source = HfCheckpoint.Load(hf))
            OptGgufExporter.Build(source.Model, Tiny.Tokenizer, GgmlType.F32, new GgufProvenance("test", "F32"))
                .SetUInt32("opt.block_count", 1)
                .WriteTo(dir["one-layer.gguf"]);
        var before = dir.Entries();
        var ex = Assert.Throws<CheckpointException>(() => FullTraining.Run(Options(dir, dir["one-layer.gguf"])));
        Assert.Contains(dir["one-layer.gguf"], ex.Message);
        Assert.Contains("'opt.block_count' is 1, expected 2", ex.Message);
        Assert.Equal(before, dir.Entries());

        var untied = Tiny.Synth(dir, "untied", untied: true);
        var hfError = Assert.Throws<CheckpointException>(() => FullTraining.Run(Options(dir, untied)));
        Assert.Contains("'tie_word_embeddings' is false, expected true", hfError.Message);
        Assert.Contains(untied, hfError.Message);
    }

    [Fact]
    public void QuantizedInit_IsRefused()
    {
        using var dir = new TempDir();
        var (hf, _) = Source(dir);
        var (type, preset) = GgufConversion.ParseTarget("q8_0");
        GgufConversion.Convert(new ToGgufOptions(hf, dir["q8.gguf"], type, Quantize: preset));
        var ex = Assert.Throws<CheckpointException>(() => FullTraining.CreateModel(Options(dir, dir["q8.gguf"]), FullTraining.ConfigFor(Options(dir, null), Tiny.Tokenizer)));
        Assert.Contains("Q8_0", ex.Message);
        Assert.Contains("--type f16", ex.Message);
    }

    [Fact]
    public void Resume_NeedsTheSameInit()
    {
        using var dir = new TempDir();
        var (hf, gguf) = Source(dir);
        GgufConversion.Convert(new ToGgufOptions(hf, dir["other.gguf"], GgmlType.F16));
        var first = Options(dir, gguf);
        FullTraining.Run(first);
        var again = first with { Output = dir["again"], CheckpointDir = first.Checkpoints, Resume = true };

        var noInit = Assert.Throws<CheckpointException>(() => FullTraining.Run(again with { Init = null }));
        Assert.Contains("init", noInit.Message);
        var otherInit = Assert.Throws<CheckpointException>(() => FullTraining.Run(again with { Init = dir["other.gguf"] }));
        Assert.Contains("init", otherInit.Message);
        var resumed = FullTraining.Run(again with { Training = Quick with { Epochs = 2 } });
        Assert.Equal(1, resumed.ResumedFromEpoch);
    }
}
