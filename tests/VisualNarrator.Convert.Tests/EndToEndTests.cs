using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Convert.Tests;

/// <summary>synth → to-gguf → the engine's logits equal the TorchSharp model's.</summary>
public sealed class EndToEndTests
{
    private const double Tolerance = 1e-3;

    [Theory]
    [InlineData(false, "f32")]
    [InlineData(true, "f32")]
    [InlineData(false, "f16")]
    public void SynthToGguf_EngineMatchesTorchSharp(bool untied, string dtype)
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir, untied: untied, dtype: dtype == "f16" ? TorchSharp.torch.ScalarType.Float16 : null);
        GgufConversion.Convert(new ToGgufOptions(hf, dir["model.gguf"], GgmlType.F32));

        using var checkpoint = HfCheckpoint.Load(hf);
        var prompts = Tiny.PromptIds();
        var engine = EngineOracle.LastLogits(dir["model.gguf"], prompts);
        for (var i = 0; i < prompts.Length; i++)
            Close.Within(checkpoint.Model.LastLogits(prompts[i]), engine[i], Tolerance, $"prompt {i}: ");
    }

    /// <summary>Half-precision GGUFs: weights are rounded once (F16: 11-bit, BF16: 8-bit mantissa) and ggml's
    /// half-precision matmul also rounds the activations, so the logits move by a bounded amount. The bounds are about
    /// 4x the largest difference measured on these tiny models (F16 2.2e-3, BF16 1.9e-2, on logits of magnitude ~1).</summary>
    [Theory]
    [InlineData("f16", 1e-2)]
    [InlineData("bf16", 8e-2)]
    public void HalfPrecisionGguf_StaysWithinItsRoundingBound(string type, double bound)
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir, untied: true);
        GgufConversion.Convert(new ToGgufOptions(hf, dir["model.gguf"], GgufConversion.ParseType(type)));
        var worst = EngineWithinBoundOfTorchSharp(hf, dir["model.gguf"], bound, type);
        Assert.True(worst > 0, "a half-precision file should not reproduce fp32 logits exactly");
    }

    /// <summary>Q8_0 through the engine's quantizer: 8-bit blocks of 32 with one scale each, and ggml quantizes the
    /// activations to 8 bits for the matmul too, so logits move more than with F16. Measured max |difference| on these
    /// tiny models is 0.054 (logits of magnitude ~1); the bound is 0.15, under 3x that.</summary>
    [Fact]
    public void Q8_0Gguf_StaysWithinItsBound_AndUsesQ8_0Blocks()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir, untied: true);
        var (type, preset) = GgufConversion.ParseTarget("q8_0");
        GgufConversion.Convert(new ToGgufOptions(hf, dir["model.gguf"], type, Quantize: preset));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(dir["model.gguf"])!, "*.gguf"));
        var gguf = GgufFile.Open(dir["model.gguf"]);
        Assert.Equal(GgmlType.Q8_0, gguf.FindTensor("blk.0.attn_q.weight")!.Type);
        Assert.Equal(GgmlType.F32, gguf.FindTensor("blk.0.attn_q.bias")!.Type);
        var worst = EngineWithinBoundOfTorchSharp(hf, dir["model.gguf"], 0.15, "q8_0");
        Assert.True(worst > 0);
    }

    /// <summary>The engine's last-position logits on <paramref name="gguf"/> against the fp32 TorchSharp model of
    /// <paramref name="hf"/>, on the tiny prompts: every logit within <paramref name="bound"/>; returns the largest
    /// difference (printed, for the documented measurements).</summary>
    private static double EngineWithinBoundOfTorchSharp(string hf, string gguf, double bound, string label)
    {
        using var checkpoint = HfCheckpoint.Load(hf);
        var prompts = Tiny.PromptIds();
        var engine = EngineOracle.LastLogits(gguf, prompts);
        var worst = 0.0;
        for (var i = 0; i < prompts.Length; i++)
        {
            var expected = checkpoint.Model.LastLogits(prompts[i]);
            worst = Math.Max(worst, expected.Zip(engine[i], (a, b) => Math.Abs((double)a - b)).Max());
            Close.Within(expected, engine[i], bound, $"{label}, prompt {i}: ");
        }
        Console.WriteLine($"{label}: max |logit difference| {worst:G3}");
        return worst;
    }

    [Fact]
    public void Gguf_CarriesContractTokenizerAndProvenance()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        GgufConversion.Convert(new ToGgufOptions(hf, dir["model.gguf"], GgmlType.F16));
        var gguf = GgufFile.Open(dir["model.gguf"]);
        Assert.Equal("opt", gguf.GetString(GgufKeys.Architecture));
        var config = Modeling.OptConfig.Read(hf);
        var tokens = gguf.GetStringArray(GgufKeys.Tokens);
        Assert.Equal(config.VocabSize, tokens.Length);
        Assert.True(config.VocabSize > Tiny.Tokenizer.Count, "the tiny vocabulary is padded, so the test covers padding");
        Assert.Equal(string.Format(TokenizerSpec.PaddingTokenFormat, config.VocabSize - 1), tokens[^1]);
        Assert.Equal(Tiny.Tokenizer.PadTo(config.VocabSize), TokenizerSpec.FromGguf(gguf));
        Assert.Equal("synthetic-tiny-seed1", gguf.GetString("visual_narrator.convert.source.model"));
        Assert.Equal("F32", gguf.GetString("visual_narrator.convert.source.dtype"));
        var embd = gguf.FindTensor("token_embd.weight")!;
        Assert.Equal(GgmlType.F16, embd.Type);
        Assert.Equal(new long[] { 64, config.VocabSize }, embd.Shape);
        Assert.Equal(new long[] { 64, 64 }, gguf.FindTensor("position_embd.weight")!.Shape);
        Assert.Equal(GgmlType.F32, gguf.FindTensor("blk.0.attn_norm.bias")!.Type);
        Assert.Null(gguf.FindTensor("output.weight"));
    }

    [Fact]
    public void NoBiasNoAffine_ConvertsToAnEquivalentGguf()
    {
        using var dir = new TempDir();
        Tiny.Torch();
        var tok = Tiny.WriteTokenizer(dir["tok"]);
        var config = Synthesizer.ConfigFor(new SynthOptions("tiny", TokenizerFolder: tok), Tiny.Tokenizer) with
        {
            EnableBias = false, LayerNormElementwiseAffine = false, InitStd = 0.1,
        };
        using (var model = new Modeling.OptForCausalLM(config))
        {
            model.InitializeRandom(5);
            HfCheckpoint.Save(model, dir["hf"], sideFilesFrom: tok);
        }
        GgufConversion.Convert(new ToGgufOptions(dir["hf"], dir["model.gguf"], GgmlType.F32));
        using var checkpoint = HfCheckpoint.Load(dir["hf"]);
        Assert.DoesNotContain(checkpoint.Model.BaseParameters(), p => p.Key.EndsWith(".bias", StringComparison.Ordinal) || p.Key.Contains("layer_norm"));
        var prompts = Tiny.PromptIds();
        var engine = EngineOracle.LastLogits(dir["model.gguf"], prompts);
        for (var i = 0; i < prompts.Length; i++)
            Close.Within(checkpoint.Model.LastLogits(prompts[i]), engine[i], Tolerance, $"prompt {i}: ");
    }
}
