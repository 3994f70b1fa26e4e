using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>OPT's q, k and v stacked into one matrix at load time: the logits equal those of the file's three separate
/// matrices, and only layers whose three matrices share a type are fused.</summary>
public sealed class FusedQkvTests(TestModels models) : IClassFixture<TestModels>
{
    private static readonly int[] Prompt = [2, 300, 17, 99, 45, 280, 7, 150, 64];

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "pre-ln", "f32", false }, { "pre-ln", "f32", true }, { "post-ln-projected", "f32", false },
        { "post-ln-projected", "f32", true }, { "pre-ln", "q8_0", false }, { "pre-ln", "q4_k_m", true },
    };

    [Fact]
    public void WrittenFiles_HoldEachStackBackToBack_AndAMappedLoadUsesItInPlace()
    {
        var path = ModelFile("pre-ln", "f32");
        var file = GgufFile.Open(path);
        var arch = DecoderArchitecture.For("opt", path);
        Assert.Equal(arch.Tensors(TestModels.Wider).Select(t => t.Name).Order(), arch.TensorsInFileOrder(TestModels.Wider).Select(t => t.Name).Order());
        var fusions = arch.Fusions(TestModels.Wider).SelectMany(g => g).ToList();
        Assert.All(fusions, f => Assert.NotNull(ModelWeights.Contiguous(file, f)));
        Assert.Equal(fusions.Count, Model.FusionsWorthACopy(file, [.. fusions.Select(f => (IReadOnlyList<TensorFusion>)[f])], limit: 0).Count);

        using var mapped = Model.Load(path);
        Assert.True(mapped.Weights.Mapped);
        Assert.NotNull(mapped.Weights.TryGet("blk.0.attn_qkv.weight"));
        // One buffer, over the file's data section: no memory of its own for the fused tensors.
        Assert.Equal((ulong)(file.FileLength - file.DataOffset), mapped.Weights.BufferBytes);
    }

    [Fact]
    public void InterleavedFile_IsFusedByACopy_OnlyWhileTheCopyIsSmall()
    {
        // A file whose q, k and v matrices are apart (each followed by its bias), as the architecture lists them.
        var source = GgufFile.Open(ModelFile("pre-ln", "f32"));
        var path = models.PathFor("fused-interleaved.gguf");
        if (!File.Exists(path))
        {
            var writer = new GgufWriter();
            foreach (var (key, value) in source.Metadata) writer.Set(key, value);
            foreach (var spec in new Opt().Tensors(TestModels.Wider))
                if (source.FindTensor(spec.Name) is { } t) writer.AddTensor(t.Name, t.Type, t.Shape, s => source.CopyTensorData(t, s));
            writer.WriteTo(path);
        }
        var file = GgufFile.Open(path);
        var hp = TestModels.Wider; // the pre-ln layout's shape
        var fusions = DecoderArchitecture.For("opt", path).Fusions(hp).ToList();
        Assert.All(fusions.SelectMany(g => g), f => Assert.Null(ModelWeights.Contiguous(file, f)));
        var qkvBytes = Enumerable.Range(0, hp.BlockCount)
            .SelectMany(l => new[] { "q", "k", "v" }.SelectMany(p => new[] { $"blk.{l}.attn_{p}.weight", $"blk.{l}.attn_{p}.bias" }))
            .Sum(name => file.FindTensor(name)!.ByteSize);

        Assert.Same(fusions, Model.FusionsWorthACopy(file, fusions, limit: qkvBytes));
        Assert.Empty(Model.FusionsWorthACopy(file, fusions, limit: qkvBytes - 1));
        Assert.True(qkvBytes <= Model.MappedFusionLimitBytes); // so the test models above are fused by default

        // Fused by a copy: the mapped data section plus memory of its own for the q/k/v stacks (aligned), with the
        // logits of the same weights used in place.
        using var model = Model.Load(path);
        using var inPlace = Model.Load(ModelFile("pre-ln", "f32"));
        Assert.NotNull(model.Weights.TryGet("blk.0.attn_qkv.weight"));
        var copied = (ulong)(file.FileLength - file.DataOffset + qkvBytes);
        Assert.InRange(model.Weights.BufferBytes, copied, copied + 4096);
        Assert.Equal(Run(inPlace, flash: false), Run(model, flash: false));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedLogits_EqualSeparateProjections(string layout, string type, bool flash)
    {
        var path = ModelFile(layout, type);
        using var fused = Model.Load(path);
        using var separate = Model.Load(path, new ModelLoadOptions(FuseWeights: false));
        Assert.NotNull(fused.Weights.TryGet("blk.0.attn_qkv.weight"));
        Assert.Null(separate.Weights.TryGet("blk.0.attn_qkv.weight"));

        var expected = Run(separate, flash);
        var actual = Run(fused, flash);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Greedy.ArgMax(expected[i]), Greedy.ArgMax(actual[i]));
            LogitsAssert.Close(expected[i], actual[i], 1e-5f);
        }
    }

    [Fact]
    public void Fusion_TakesLayersWhoseThreeMatricesShareAType_AndKeepsTheRestApart()
    {
        // q4_k_m on 96-wide rows: q and k fall back to Q5_0, while layer 2's attn_v (use_more_bits) becomes Q8_0.
        var path = ModelFile("pre-ln", "q4_k_m");
        var file = GgufFile.Open(path);
        Assert.Equal(file.FindTensor("blk.0.attn_q.weight")!.Type, file.FindTensor("blk.0.attn_v.weight")!.Type);
        Assert.NotEqual(file.FindTensor("blk.2.attn_q.weight")!.Type, file.FindTensor("blk.2.attn_v.weight")!.Type);
        using var model = Model.Load(path);
        var embd = model.Hyperparameters.EmbeddingLength;
        foreach (var layer in new[] { 0, 1 })
        {
            var qkv = model.Weights[$"blk.{layer}.attn_qkv.weight"];
            Assert.Equal(new long[] { embd, 3 * embd, 1, 1 }, qkv.Shape);
            Assert.Equal(file.FindTensor($"blk.{layer}.attn_q.weight")!.Type, qkv.Type);
            Assert.Equal(3 * embd, model.Weights[$"blk.{layer}.attn_qkv.bias"].Ne(0));
            Assert.Null(model.Weights.TryGet($"blk.{layer}.attn_q.weight"));
            Assert.Null(model.Weights.TryGet($"blk.{layer}.attn_v.bias"));
        }
        Assert.Null(model.Weights.TryGet("blk.2.attn_qkv.weight"));
        Assert.Null(model.Weights.TryGet("blk.2.attn_qkv.bias"));
        Assert.NotNull(model.Weights.TryGet("blk.2.attn_v.weight"));
        Assert.NotNull(model.Weights.TryGet("blk.2.attn_q.bias"));
    }

    internal static string ModelFile(TestModels models, string layout, string type)
    {
        var hp = layout == "pre-ln" ? TestModels.Wider : TestModels.TinyPostLnProjected;
        var source = models.Get("opt", hp, tied: false);
        if (type == "f32") return source;
        var quantized = models.PathFor($"fused-{layout}-{type}.gguf");
        if (!File.Exists(quantized)) ModelQuantizer.Quantize(source, quantized, QuantizationPreset.Parse(type));
        return quantized;
    }

    private string ModelFile(string layout, string type) => ModelFile(models, layout, type);

    /// <summary>A prompt batch with every row's logits, then four greedy steps of the last row.</summary>
    internal static List<float[]> Run(Model model, bool flash)
    {
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F32, FlashAttention: flash));
        var batch = new DecodeBatch();
        for (var t = 0; t < Prompt.Length; t++) batch.Add(Prompt[t], t, 0, true);
        ctx.Decode(batch);
        var all = Enumerable.Range(0, Prompt.Length).Select(i => ctx.Logits(i).ToArray()).ToList();
        for (var step = 0; step < 4; step++)
        {
            batch.Clear();
            batch.Add(Greedy.ArgMax(all[^1]), Prompt.Length + step, 0, true);
            ctx.Decode(batch);
            all.Add(ctx.Logits(0).ToArray());
        }
        return all;
    }
}
