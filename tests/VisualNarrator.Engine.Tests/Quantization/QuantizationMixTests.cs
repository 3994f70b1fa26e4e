using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Quantization;

/// <summary>The per-tensor types of each preset against llama.cpp's rule, written out by hand here (not computed by
/// the code under test), on a model whose dimensions are all multiples of 256.</summary>
public sealed class QuantizationMixTests(QuantizationFixture fixture) : IClassFixture<QuantizationFixture>
{
    private static readonly Dictionary<string, uint> FileTypes = new()
    {
        ["f16"] = 1, ["q8_0"] = 7, ["q6_k"] = 18, ["q5_k_m"] = 17, ["q4_k_m"] = 15, ["q4_0"] = 2,
    };

    [Theory]
    [InlineData("q4_k_m", true)]
    [InlineData("q4_k_m", false)]
    [InlineData("q5_k_m", true)]
    [InlineData("q5_k_m", false)]
    [InlineData("q6_k", true)]
    [InlineData("q8_0", false)]
    [InlineData("q4_0", true)]
    [InlineData("q4_0", false)]
    [InlineData("f16", true)]
    public void EveryTensor_HasTheTypeOfLlamaCppsRule(string preset, bool tied)
    {
        var source = GgufFile.Open(fixture.Source(tied));
        var output = GgufFile.Open(fixture.Quantized(preset, tied));

        Assert.Equal(source.Tensors.Select(t => t.Name), output.Tensors.Select(t => t.Name));
        Assert.Equal(!tied, output.FindTensor("output.weight") is not null);
        var mismatches = output.Tensors
            .Where(t => GgmlTypeInfo.Name(t.Type) != QuantizationFixture.ExpectedType(preset, t.Name, tied))
            .Select(t => $"{t.Name}: {GgmlTypeInfo.Name(t.Type)}, expected {QuantizationFixture.ExpectedType(preset, t.Name, tied)}").ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        foreach (var t in output.Tensors) Assert.Equal(source.FindTensor(t.Name)!.Shape, t.Shape);

        Assert.Equal(FileTypes[preset], output.GetUInt32(GgufKeys.FileType));
        Assert.Equal(2u, output.GetUInt32(GgufKeys.QuantizationVersion));
        foreach (var (key, value) in source.Metadata.Where(kv => kv.Key != GgufKeys.FileType))
            Assert.Equal(value, output.Metadata[key]);
        Assert.Equal(source.Metadata.Count + 1, output.Metadata.Count); // + general.quantization_version
    }

    [Fact]
    public void Q4KM_TheMixIsBigEnoughToMatter()
    {
        // Guard against an expectation that could pass vacuously: the rule bumps exactly 4 attn_v and 4 ffn_down.
        var output = GgufFile.Open(fixture.Quantized("q4_k_m"));
        Assert.Equal(4, output.Tensors.Count(t => t.Name.EndsWith("attn_v.weight", StringComparison.Ordinal) && t.Type == GgmlType.Q6_K));
        Assert.Equal(4, output.Tensors.Count(t => t.Name.EndsWith("ffn_down.weight", StringComparison.Ordinal) && t.Type == GgmlType.Q6_K));
        Assert.Equal(GgmlType.Q6_K, output.FindTensor("token_embd.weight")!.Type);
        Assert.Equal(40, output.Tensors.Count(t => t.Type == GgmlType.Q4_K)); // 8 layers x 6 matrices - 8 bumped
    }

    [Fact]
    public void RowsNotAMultipleOf256_FallBackAsLlamaCppDoes()
    {
        // 64 wide (k-quant rows of 64 fall back), FFN 80 (ffn_down rows of 80: not even a multiple of 32, so F16).
        var hp = new VisualNarrator.Engine.Models.ModelHyperparameters("opt", 32, 64, 80, 2, 4, 1e-5f, 0);
        var output = fixture.PathFor("fallback-q4_k_m.gguf");
        var result = ModelQuantizer.Quantize(fixture.Source(hp), output, QuantizationPreset.Q4_K_M);
        var file = GgufFile.Open(output);
        GgmlType TypeOf(string name) => file.FindTensor(name)!.Type;

        Assert.Equal(GgmlType.Q8_0, TypeOf("token_embd.weight"));     // LM head: 64 % 256 != 0 -> Q8_0
        Assert.Equal(GgmlType.Q5_0, TypeOf("blk.0.attn_q.weight"));   // Q4_K -> Q5_0
        Assert.Equal(GgmlType.Q5_0, TypeOf("blk.0.attn_v.weight"));   // n = 2: layer 0 not bumped
        Assert.Equal(GgmlType.Q8_0, TypeOf("blk.1.attn_v.weight"));   // layer 1 >= 7*2/8: Q6_K -> Q8_0
        Assert.Equal(GgmlType.Q5_0, TypeOf("blk.0.ffn_up.weight"));   // rows of 64
        Assert.Equal(GgmlType.F16, TypeOf("blk.0.ffn_down.weight"));  // rows of 80: Q4_K -> Q5_0 impossible -> F16
        Assert.Equal(GgmlType.F16, TypeOf("blk.1.ffn_down.weight"));  // Q6_K -> Q8_0 impossible -> F16
        Assert.Equal(GgmlType.Q6_K, result.Plan.Tensors.Single(t => t.Source.Name == "blk.1.attn_v.weight").Choice.Intended);
        Assert.True(result.Plan.Tensors.Single(t => t.Source.Name == "blk.1.attn_v.weight").Choice.FellBack);

        using var model = VisualNarrator.Engine.Inference.Model.Load(output); // and the engine accepts every fallback type
        Assert.Equal(64, model.Hyperparameters.EmbeddingLength);
    }

    [Fact]
    public void UseMoreBits_MatchesTheHandWrittenLayersForSeveralDepths()
    {
        Assert.Equal(QuantizationFixture.MoreBitsLayersOf8, Enumerable.Range(0, 8).Where(i => QuantizationMix.UseMoreBits(i, 8)));
        // OPT-2.7B, 32 layers: n/8 = 4, 7n/8 = 28; between, (i - 4) % 3 == 2 -> 6, 9, ..., 27.
        int[] expected32 = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31];
        Assert.Equal(expected32, Enumerable.Range(0, 32).Where(i => QuantizationMix.UseMoreBits(i, 32)));
        // OPT-125m, 12 layers: n/8 = 1, 7n/8 = 10; (i - 1) % 3 == 2 -> 3, 6, 9.
        Assert.Equal([0, 3, 6, 9, 10, 11], Enumerable.Range(0, 12).Where(i => QuantizationMix.UseMoreBits(i, 12)));
    }
}
