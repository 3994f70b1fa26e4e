using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>The tensor-name table, every published OPT shape, and the OPT variants' GGUF contract (post-LN, proj_in /
/// proj_out): checked on the specs alone (no allocation) and on tiny files.</summary>
public sealed class OptFamilyTests(TestModels models) : IClassFixture<TestModels>
{
    [Fact]
    public void Tn_FormatsLikeLlamaCpp_AndRefusesAMissingOrExtraLayer()
    {
        Assert.Equal("blk.3.attn_q.weight", TensorNames.Tn(ModelTensor.AttnQ, "weight", 3));
        Assert.Equal("blk.0.ffn_down.bias", TensorNames.Tn(ModelTensor.FfnDown, "bias", 0));
        Assert.Equal("token_embd.weight", TensorNames.TokenEmbd);
        Assert.Equal("output.weight", TensorNames.Output);
        Assert.Equal("proj_in.weight", TensorNames.Tn(ModelTensor.ProjIn));
        Assert.Equal("model.decoder.layers.5.self_attn.out_proj.bias", TensorNames.HuggingFace(ModelTensor.AttnOutput, "bias", 5));
        Assert.Equal("model.decoder.project_out.weight", TensorNames.HuggingFace(ModelTensor.ProjOut));
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorNames.Tn(ModelTensor.AttnQ));
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorNames.Tn(ModelTensor.TokenEmbd, layer: 1));
        Assert.Throws<ArgumentException>(() => TensorNames.HuggingFace(ModelTensor.AttnQkv, layer: 0));
        Assert.Equal(Enum.GetValues<ModelTensor>().Length, TensorNames.Table.Select(t => t.Tensor).Distinct().Count());
    }

    // Published parameter counts (HF model cards / the OPT paper), in millions; our position table has 2048 rows
    // rather than HF's 2050, which changes nothing at this precision.
    [Theory]
    [InlineData("opt-125m", 125)]
    [InlineData("opt-350m", 331)]
    [InlineData("opt-1.3b", 1316)]
    [InlineData("opt-2.7b", 2651)]
    [InlineData("opt-6.7b", 6658)]
    [InlineData("opt-13b", 12853)]
    [InlineData("opt-30b", 29975)]
    [InlineData("opt-66b", 65736)]
    public void PublishedShapes_HaveTheirParameterCount(string shape, int millions)
    {
        var hp = ModelShapes.Get(shape);
        var parameters = new Opt().Tensors(hp).Where(s => s.Required).Sum(s => s.Shape.Aggregate(1L, (a, b) => a * b));
        Assert.InRange(parameters / 1e6, millions * 0.99, millions * 1.01);
    }

    [Fact]
    public void Opt350m_IsPostLnWithA512WideEmbeddingAndProjections()
    {
        var specs = new Opt().Tensors(ModelShapes.Get("opt-350m")).ToDictionary(s => s.Name);
        Assert.Equal([512L, ModelShapes.OptVocab], specs["token_embd.weight"].Shape);
        Assert.Equal([512L, 1024L], specs["proj_in.weight"].Shape);
        Assert.Equal([1024L, 512L], specs["proj_out.weight"].Shape);
        Assert.Equal([512L, ModelShapes.OptVocab], specs["output.weight"].Shape);
        Assert.False(specs.ContainsKey("output_norm.weight"));
        Assert.False(specs.ContainsKey("proj_in.bias"));
        var preLn = new Opt().Tensors(ModelShapes.Get("opt-1.3b")).Select(s => s.Name).ToHashSet();
        Assert.Contains("output_norm.weight", preLn);
        Assert.DoesNotContain("proj_in.weight", preLn);
    }

    [Fact]
    public void PostLnProjectedModel_QuantizesWithProjectionsAsMatrices()
    {
        var hp = TestModels.TinyOpt with { LayerNormBefore = false, TokenEmbeddingLength = 32, EmbeddingLength = 256, HeadCount = 4 };
        var source = models.Get("opt", hp, GgmlType.F16);
        var plan = ModelQuantizer.Plan(GgufFile.Open(source), QuantizationPreset.Q8_0);
        Assert.Equal(GgmlType.Q8_0, plan.Tensors.Single(t => t.Source.Name == "proj_out.weight").Choice.Type);
        var output = models.PathFor("postln-q8_0.gguf");
        ModelQuantizer.Quantize(source, output, QuantizationPreset.Q8_0);
        using var model = Model.Load(output);
        Assert.False(model.Hyperparameters.LayerNormBefore);
        Assert.Equal(32, model.Hyperparameters.TokenEmbeddingWidth);
    }

    [Fact]
    public void Gpt2FileWithAnOptKey_IsRefusedNamingTheKey()
    {
        var path = models.PathFor("gpt2-postln.gguf");
        GgufEdit.Rewrite(models.Get("gpt2", TestModels.TinyOpt), path, metadata: w => w.SetBool("gpt2.layer_norm_before", false));
        var ex = Assert.Throws<ModelLoadException>(() => Model.Load(path));
        Assert.Contains("'gpt2.layer_norm_before' is an OPT key", ex.Message);
    }

    [Fact]
    public void ProjectedModel_WithAWrongProjection_NamesTheTensor()
    {
        var path = models.PathFor("bad-proj.gguf");
        GgufEdit.Rewrite(models.Get("opt", TestModels.TinyPostLnProjected), path,
            reshape: t => t.Name == "proj_in.weight" ? (GgmlType.F32, [64L, 32L]) : null);
        var ex = Assert.Throws<ModelLoadException>(() => Model.Load(path));
        Assert.Contains("tensor 'proj_in.weight' has shape {64, 32}, expected {32, 64}", ex.Message);
    }
}
