using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Quantization;

/// <summary>Bad input is refused before anything is written, with an error naming the file and the tensor.</summary>
public sealed class QuantizeInputErrorTests(QuantizationFixture fixture) : IClassFixture<QuantizationFixture>
{
    [Fact]
    public void PresetNames_AreLlamaQuantizesAndCaseInsensitive()
    {
        Assert.Same(QuantizationPreset.Q4_K_M, QuantizationPreset.Parse("Q4_K_M"));
        Assert.Same(QuantizationPreset.Q5_K_M, QuantizationPreset.Parse("q5_k_m"));
        Assert.Same(QuantizationPreset.Q8_0, QuantizationPreset.Parse("q8_0"));
        Assert.Same(QuantizationPreset.Q6_K, QuantizationPreset.Parse("Q6_k"));
        Assert.Same(QuantizationPreset.Q4_0, QuantizationPreset.Parse("q4_0"));
        Assert.Same(QuantizationPreset.F16, QuantizationPreset.Parse("F16"));
        var ex = Assert.Throws<InvalidSettingException>(() => QuantizationPreset.Parse("q4_k"));
        Assert.Contains("unknown quantization type 'q4_k'", ex.Message);
        Assert.Contains("q4_k_m", ex.Message);
    }

    [Fact]
    public void NotGguf_IsAFormatError_NoOutput()
    {
        var input = fixture.PathFor("not-a-model.gguf");
        File.WriteAllText(input, "this is a text file, not a model");
        var output = fixture.PathFor("not-a-model-q8.gguf");
        var ex = Assert.Throws<GgufFormatException>(() => ModelQuantizer.Quantize(input, output, QuantizationPreset.Q8_0));
        Assert.Contains(input, ex.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MissingTensor_NamesFileAndTensor_NoOutput()
    {
        var input = fixture.PathFor("missing-attn-v.gguf");
        GgufEdit.Rewrite(fixture.Source(), input, keep: t => t.Name != "blk.3.attn_v.weight");
        var output = fixture.PathFor("missing-attn-v-q4.gguf");
        var ex = Assert.Throws<ModelLoadException>(() => ModelQuantizer.Quantize(input, output, QuantizationPreset.Q4_K_M));
        Assert.Equal(input, ex.File);
        Assert.Contains("missing tensor 'blk.3.attn_v.weight'", ex.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void WrongShape_IsRefusedBeforeWriting()
    {
        var input = fixture.PathFor("wrong-shape.gguf");
        GgufEdit.Rewrite(fixture.Source(), input, reshape: t => t.Name == "blk.5.ffn_down.weight" ? (GgmlType.F16, [256, 256]) : null);
        var output = fixture.PathFor("wrong-shape-q8.gguf");
        var ex = Assert.Throws<ModelLoadException>(() => ModelQuantizer.Quantize(input, output, QuantizationPreset.Q8_0));
        Assert.Contains("blk.5.ffn_down.weight", ex.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Requantizing_IsRefusedNamingTheTensor()
    {
        var output = fixture.PathFor("requantized.gguf");
        var ex = Assert.Throws<ModelLoadException>(() => ModelQuantizer.Quantize(fixture.Quantized("q4_k_m"), output, QuantizationPreset.Q8_0));
        Assert.Contains("tensor 'token_embd.weight' is Q6_K and would have to become Q8_0", ex.Message);
        Assert.Contains("requantizing", ex.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void RowsNotAMultipleOf32_Q8_0HasNoFallback_Error()
    {
        // 48 wide: Q8_0 needs rows of 32k elements and llama.cpp defines no fallback for it.
        var hp = new ModelHyperparameters("opt", 32, 48, 64, 2, 4, 1e-5f, 0);
        var output = fixture.PathFor("rows48-q8.gguf");
        var ex = Assert.Throws<ModelLoadException>(() => ModelQuantizer.Quantize(fixture.Source(hp), output, QuantizationPreset.Q8_0));
        Assert.Contains("tensor 'token_embd.weight' has rows of 48 elements", ex.Message);
        Assert.Contains("no fallback", ex.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MissingOutputFolder_IsRefusedBeforeWork()
    {
        var output = Path.Combine(fixture.Folder, "no-such-folder", "out.gguf");
        var ex = Assert.Throws<DirectoryNotFoundException>(() => ModelQuantizer.Quantize(fixture.Source(), output, QuantizationPreset.Q8_0));
        Assert.Contains("no-such-folder", ex.Message);
    }
}
