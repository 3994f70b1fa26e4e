using VisualNarrator.Engine.Inference;
using Xunit.Abstractions;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Quantization;

/// <summary>Quantized models run in the engine and their logits stay near the F16 model's.</summary>
public sealed class QuantizedLogitsTests(QuantizationFixture fixture, ITestOutputHelper output) : IClassFixture<QuantizationFixture>
{
    private static readonly string[] Prompts =
    [
        "Describe this image: a busy city street",
        "Describe this image: a sunset over mountains",
        "a busy street with people and trees in the light",
    ];

    /// <summary>Max |logit - F16 logit| over every vocabulary entry after each prompt (asserted non-zero: the model
    /// really changed), with the RMS difference and the F16 logits' RMS for the log.</summary>
    private float MaxError(string preset)
    {
        var reference = Logits(fixture.Source());
        var quantized = Logits(fixture.Quantized(preset));
        var worst = 0f;
        double sumSq = 0, diffSq = 0;
        long n = 0;
        for (var p = 0; p < reference.Count; p++)
        for (var i = 0; i < reference[p].Length; i++)
        {
            var d = reference[p][i] - quantized[p][i];
            worst = MathF.Max(worst, MathF.Abs(d));
            diffSq += d * (double)d;
            sumSq += reference[p][i] * (double)reference[p][i];
            n++;
        }
        output.WriteLine($"{preset}: max |logit - F16 logit| = {worst:G4}, RMS difference {Math.Sqrt(diffSq / n):G4}, F16 logits RMS {Math.Sqrt(sumSq / n):G4}");
        Assert.True(worst > 0, $"{preset} logits are identical to F16: nothing was quantized");
        return worst;
    }

    private static List<float[]> Logits(string path)
    {
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F32));
        var result = new List<float[]>();
        var batch = new DecodeBatch();
        foreach (var prompt in Prompts)
        {
            ctx.Cache.RemoveSequence(0);
            batch.Clear();
            batch.AddSequence(model.Tokenizer.Encode(prompt), 0, 0);
            ctx.Decode(batch);
            result.Add(ctx.Logits(0).ToArray());
        }
        return result;
    }

    // Bounds: measured max |logit - F16 logit| on the Mix256 model (F16 logits RMS 1.02, 3 prompts x 330 logits), then
    // about doubled. Measured: q8_0 0.078, q6_k 0.24, q5_k_m 0.30, q4_k_m 0.54, q4_0 0.84.

    [Fact]
    public void Q8_0_MaxLogitError_Below0p15_OfF16() => Assert.InRange(MaxError("q8_0"), 0f, 0.15f);

    [Fact]
    public void Q6_K_MaxLogitError_Below0p5_OfF16() => Assert.InRange(MaxError("q6_k"), 0f, 0.5f);

    [Fact]
    public void Q5_K_M_MaxLogitError_Below0p6_OfF16() => Assert.InRange(MaxError("q5_k_m"), 0f, 0.6f);

    [Fact]
    public void Q4_K_M_MaxLogitError_Below1p0_OfF16() => Assert.InRange(MaxError("q4_k_m"), 0f, 1.0f);

    [Fact]
    public void Q4_0_MaxLogitError_Below1p5_OfF16() => Assert.InRange(MaxError("q4_0"), 0f, 1.5f);

    [Fact]
    public void MoreBits_AreCloserToF16_Q8_0_Q6_K_Q4_0()
    {
        float q8 = MaxError("q8_0"), q6 = MaxError("q6_k"), q4 = MaxError("q4_0");
        Assert.True(q8 < q6 && q6 < q4, $"expected q8_0 < q6_k < q4_0, got {q8}, {q6}, {q4}");
    }
}
