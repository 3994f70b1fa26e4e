using System.Runtime.Intrinsics.X86;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Tests.Native;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>Q4_0 / Q4_K matmul weights in the CPU backend's repack buffer type: the logits equal the plain layout's
/// (prompt batch and single-token decode), and nothing else goes there (other types, the token embedding that get_rows
/// reads, 1-D weights).</summary>
public sealed class RepackedWeightsTests(TestModels models) : IClassFixture<TestModels>
{
    /// <summary>
    /// Largest |logit difference| allowed between repacked and plain weights. Both layouts quantize the activations
    /// to the same Q8_K / Q8_0 blocks and compute the same integer block dot products; only the order in which the
    /// float block sums are added differs, so the logits differ by float rounding alone. Measured on these models:
    /// at most 1e-5 (q4_k_m, logits near -15: a few ulps) and 4e-6 (q4_0), in every row of the prompt batch and the
    /// decode steps. 1e-4 leaves room for other CPUs' kernels and still fails on any layout or kernel error, which
    /// moves logits by 1e-2 or more.
    /// <para>Through a whole model this holds for the seed-1 models used here, not for every weight draw. With seeds
    /// 2-8 of the same shape, four of seven Q4_0 and four of seven Q4_K_M models differed by 0.02-0.48 in one to five
    /// of the 13 rows (fused or not, the other rows within 1e-4; 2026-12-05). Each matmul still differs by rounding
    /// alone (<see cref="RepackedMatmul_EqualsThePlainLayout_ToFloatRounding"/>), but the next matmul quantizes its
    /// input to 8 bits: an activation within rounding of a step boundary lands on the other side, one step apart, and
    /// the layers after it carry that on. Keep the seed when changing these models.</para>
    /// </summary>
    private const float Tolerance = 1e-4f;

    /// <summary>256 wide so Q4_K's 256-element blocks fit every row; every matrix has a multiple of 8 rows, as the
    /// repacked kernels need; untied, so token_embd is Q4_K under q4_k_m (and must still stay plain).</summary>
    private static ModelHyperparameters Shape => new("opt", 64, 256, 512, 2, 4, 1e-5f, 0);

    private string ModelFile(string type)
    {
        var source = models.Get("opt", Shape, tied: false);
        var quantized = models.PathFor($"repack-{type}.gguf");
        if (!File.Exists(quantized)) ModelQuantizer.Quantize(source, quantized, QuantizationPreset.Parse(type));
        return quantized;
    }

    [SkippableTheory]
    [InlineData("q4_k_m", false, 0)]
    [InlineData("q4_k_m", true, 0)]
    [InlineData("q4_0", false, 0)]
    [InlineData("q4_k_m", false, 3)] // three threads rearrange the eight repacked tensors at load, concurrently
    public void RepackedLogits_EqualThePlainLayouts_ForAPromptBatchAndDecodeSteps(string type, bool flash, int threads)
    {
        Skip.IfNot(Avx2.IsSupported, "ggml-cpu repacks Q4_0 / Q4_K only on CPUs with AVX2");
        var path = ModelFile(type);
        using var plain = Model.Load(path, new ModelLoadOptions(RepackWeights: false));
        using var repacked = Model.Load(path, new ModelLoadOptions(Threads: threads));
        Assert.Empty(plain.Weights.Repacked);
        Assert.NotEmpty(repacked.Weights.Repacked);

        var expected = FusedQkvTests.Run(plain, flash);
        var actual = FusedQkvTests.Run(repacked, flash);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Greedy.ArgMax(expected[i]), Greedy.ArgMax(actual[i]));
            LogitsAssert.Close(expected[i], actual[i], Tolerance);
        }
    }

    /// <summary>One weight, in the plain layout and in the repack buffer, times the same inputs: one column (the
    /// matrix-vector kernel) and nine (the 4-column kernel and the rest), twenty inputs each. Outputs reach about 60;
    /// the layouts differed by at most 2e-5 (2026-12-05), while a wrong layout moves every output by units.</summary>
    [SkippableTheory]
    [InlineData(GgmlType.Q4_0, 1)]
    [InlineData(GgmlType.Q4_0, 9)]
    [InlineData(GgmlType.Q4_K, 1)]
    [InlineData(GgmlType.Q4_K, 9)]
    public void RepackedMatmul_EqualsThePlainLayout_ToFloatRounding(GgmlType type, int columns)
    {
        Skip.IfNot(Avx2.IsSupported, "ggml-cpu repacks Q4_0 / Q4_K only on CPUs with AVX2");
        const int rowLength = 256, rows = 64;
        var weight = Ggml.Quantize(type, GgmlRig.Random(rowLength * rows, seed: 1), rowLength);
        for (var seed = 0; seed < 20; seed++)
        {
            var input = GgmlRig.Random(rowLength * columns, seed: 100 + seed, scale: 3f);
            var plain = Product(repack: false);
            var repacked = Product(repack: true);
            LogitsAssert.Close(plain, repacked, 1e-4f);

            float[] Product(bool repack)
            {
                using var rig = new GgmlRig();
                var w = rig.Weights.NewTensor(type, rowLength, rows);
                using var repackBuffer = repack ? CpuRepackBufferType.Find(rig.Backend)!.Allocate(rig.Weights) : null;
                if (!repack) rig.AllocateWeights();
                Assert.Equal(repack, w.InRepackBuffer);
                w.SetData<byte>(weight);
                var x = rig.Input(GgmlType.F32, rowLength, columns);
                return rig.Run(rig.Ctx.MulMat(w, x), () => x.SetData<float>(input));
            }
        }
    }

    [SkippableFact]
    public void OnlyMatmulWeightsOfCheckedTypes_AreRepacked_AndTheRestStayPlainAndReadable()
    {
        Skip.IfNot(Avx2.IsSupported, "ggml-cpu repacks Q4_0 / Q4_K only on CPUs with AVX2");
        var path = ModelFile("q4_k_m");
        var file = GgufFile.Open(path);
        using var model = Model.Load(path);
        var multiplied = DecoderArchitecture.MultipliedWeights(model.Hyperparameters);

        // Every Q4_K matrix that only mul_mat reads is repacked (fused q/k/v included), and nothing else is.
        var expected = new[] { "blk.0.attn_qkv.weight", "blk.1.attn_qkv.weight" }
            .Concat(file.Tensors.Where(t => t.Type == GgmlType.Q4_K && multiplied.Contains(t.Name)).Select(t => t.Name))
            .Where(name => model.Weights.TryGet(name) is not null).ToHashSet();
        Assert.Equal(GgmlType.Q4_K, model.Weights["blk.0.attn_qkv.weight"].Type);
        Assert.Equal(expected.Order(), model.Weights.Repacked.Order());
        foreach (var name in model.Weights.Repacked)
        {
            Assert.True(model.Weights[name].InRepackBuffer, name);
            // Reading rearranged bytes back would make ggml call a null function; it is refused instead.
            Assert.Throws<InvalidOperationException>(() => model.Weights[name].ToArray<byte>());
        }

        // The token embedding is Q4_K too, but get_rows reads it: it stays in the plain layout, byte for byte.
        var embedding = file.FindTensor(TensorNames.TokenEmbd)!;
        Assert.Equal(GgmlType.Q4_K, embedding.Type);
        var bytes = new byte[embedding.ByteSize];
        file.ReadTensorData(embedding, bytes);
        Assert.False(model.Weights[TensorNames.TokenEmbd].InRepackBuffer);
        Assert.Equal(bytes, model.Weights[TensorNames.TokenEmbd].ToArray<byte>());

        // Matrices of other types (Q6_K: the LM head, some attn_v / ffn_down) stay plain.
        var others = file.Tensors.Where(t => t.Type == GgmlType.Q6_K && multiplied.Contains(t.Name)).Select(t => t.Name).ToList();
        Assert.Contains(TensorNames.Output, others);
        foreach (var name in others) Assert.False(model.Weights[name].InRepackBuffer, name);
    }

    [SkippableFact]
    public void TheDeviceDecides_WhichShapesItRepacks()
    {
        Skip.IfNot(Avx2.IsSupported, "ggml-cpu repacks Q4_0 / Q4_K only on CPUs with AVX2");
        using var cpu = VisualNarrator.Engine.Native.GgmlBackend.Create("cpu", 1);
        var repack = CpuRepackBufferType.Find(cpu);
        Assert.NotNull(repack);
        Assert.True(repack.Takes(GgmlType.Q4_K, [256, 16]));
        Assert.True(repack.Takes(GgmlType.Q4_0, [64, 8]));
        // The x86 kernels interleave 8 rows: ggml-cpu declines other row counts, and this asks it rather than assuming.
        Assert.False(repack.Takes(GgmlType.Q4_K, [256, 12]));
        Assert.False(repack.Takes(GgmlType.Q4_K, [256]));
        Assert.False(repack.Takes(GgmlType.Q4_K, [256, 16, 2]));
        Assert.False(repack.Takes(GgmlType.Q8_0, [256, 16]));
        Assert.False(repack.Takes(GgmlType.Q6_K, [256, 16]));
        Assert.False(repack.Takes(GgmlType.F32, [256, 16]));
    }

    [Fact]
    public void Q8_0Weights_StayPlain()
    {
        // Q8_0 is not a checked type (its repack crashed in this ggml build), whatever the CPU.
        var path = ModelFile("q8_0");
        using var model = Model.Load(path);
        Assert.Empty(model.Weights.Repacked);
        Assert.DoesNotContain(GgmlType.Q8_0, CpuRepackBufferType.CheckedTypes);
    }
}
