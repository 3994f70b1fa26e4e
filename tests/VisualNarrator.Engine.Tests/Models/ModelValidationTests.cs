using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>Bad models and bad requests raise clear managed exceptions before native code sees them; the process stays
/// alive and the next call works. (A native failure would kill the test host, failing the whole run.)</summary>
public sealed class ModelValidationTests(TestModels models) : IClassFixture<TestModels>
{
    private string Good => models.Get("opt", TestModels.TinyOpt);

    private string Edited(string name, Action<GgufWriter>? metadata = null, Func<GgufTensorInfo, bool>? keep = null,
        Func<GgufTensorInfo, (GgmlType, long[])?>? reshape = null)
    {
        var path = models.PathFor(name);
        GgufEdit.Rewrite(Good, path, metadata, keep, reshape);
        return path;
    }

    private void AssertNextLoadWorks()
    {
        using var model = Model.Load(Good);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 16));
        var batch = new DecodeBatch();
        batch.AddSequence([2, 50, 60], 0, 0);
        ctx.Decode(batch);
        Assert.True(float.IsFinite(ctx.Logits(0)[0]));
    }

    [Fact]
    public void MissingTensor()
    {
        var path = Edited("missing.gguf", keep: t => t.Name != "blk.1.attn_k.weight");
        var ex = Assert.Throws<ModelLoadException>(() => Model.Load(path));
        Assert.Contains("missing tensor 'blk.1.attn_k.weight'", ex.Message);
        Assert.Contains(path, ex.Message);
        AssertNextLoadWorks();
    }

    [Fact]
    public void WrongShape_NamesTensorAndBothShapes()
    {
        var path = Edited("shape.gguf", reshape: t => t.Name == "blk.0.ffn_up.weight" ? (GgmlType.F32, [64L, 128L]) : null);
        var ex = Assert.Throws<ModelLoadException>(() => Model.Load(path));
        Assert.Contains("tensor 'blk.0.ffn_up.weight' has shape {64, 128}, expected {64, 256}", ex.Message);
        AssertNextLoadWorks();
    }

    [Fact]
    public void WrongType_ForAVector()
    {
        var path = Edited("type.gguf", reshape: t => t.Name == "blk.0.attn_norm.bias" ? (GgmlType.F16, [64L]) : null);
        var ex = Assert.Throws<ModelLoadException>(() => Model.Load(path));
        Assert.Contains("tensor 'blk.0.attn_norm.bias' has type F16, expected F32", ex.Message);
        AssertNextLoadWorks();
    }

    [Fact]
    public void UnexpectedTensor()
    {
        var path = models.PathFor("extra.gguf");
        var file = GgufFile.Open(Good);
        var w = GgufWriter.CopyOf(file).AddTensor("blk.9.attn_q.weight", new float[64], 64);
        w.WriteTo(path);
        Assert.Contains("unexpected tensor 'blk.9.attn_q.weight'", Assert.Throws<ModelLoadException>(() => Model.Load(path)).Message);
    }

    [Fact]
    public void UnknownArchitecture()
    {
        var path = Edited("llama.gguf", metadata: w => w.SetString(GgufKeys.Architecture, "llama"));
        var ex = Assert.Throws<ModelLoadException>(() => Model.Load(path));
        Assert.Contains("unsupported architecture 'llama'", ex.Message);
        Assert.Contains("opt, gpt2", ex.Message);
        AssertNextLoadWorks();
    }

    [Fact]
    public void TokenizerError_IsReported_BeforeTheErrorsOfTheStepsBuiltBesideIt()
    {
        // Load builds the tokenizer on a worker while it reads the prompt templates and places the weights; with both
        // broken, the tokenizer's problem is still the one reported, as when the steps ran in order.
        var badMerges = Edited("bad-merges-and-template.gguf", metadata: w =>
        {
            w.SetStringArray(GgufKeys.Merges, ["nope nope"]);
            w.SetString(GgufKeys.PromptTemplate, "no placeholder");
        });
        Assert.Contains(GgufKeys.Merges, Assert.Throws<ModelLoadException>(() => Model.Load(badMerges)).Message);
        var badVocabulary = Edited("long-vocab-and-template.gguf", metadata: w =>
        {
            var spec = OptTokenizer.FromGguf(GgufFile.Open(Good)).Spec;
            spec.PadTo(spec.Count + 1).WriteTo(w);
            w.SetString(GgufKeys.PromptTemplate, "no placeholder");
        });
        Assert.Contains("tokens but token_embd.weight has", Assert.Throws<ModelLoadException>(() => Model.Load(badVocabulary)).Message);
        var onlyTemplate = Edited("bad-template.gguf", metadata: w => w.SetString(GgufKeys.PromptTemplate, "no placeholder"));
        Assert.Contains(GgufKeys.PromptTemplate, Assert.Throws<ModelLoadException>(() => Model.Load(onlyTemplate)).Message);
        AssertNextLoadWorks();
    }

    [Fact]
    public void MissingHyperparameter()
    {
        var path = Edited("nohp.gguf", metadata: w => w.Remove("opt.block_count"));
        Assert.Contains("missing required key 'opt.block_count'", Assert.Throws<ModelLoadException>(() => Model.Load(path)).Message);
    }

    [Fact]
    public void TruncatedFile()
    {
        var path = models.PathFor("truncated.gguf");
        var bytes = File.ReadAllBytes(Good);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 1000)]);
        var ex = Assert.Throws<GgufFormatException>(() => Model.Load(path));
        Assert.Contains("outside", ex.Message);
        AssertNextLoadWorks();
    }

    [Fact]
    public void BadRequests_AreRefusedAndLeaveTheContextUsable()
    {
        using var model = Model.Load(Good);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 16, MaxBatchTokens: 8));
        var batch = new DecodeBatch();
        void Refused(string expected)
        {
            var ex = Assert.Throws<DecodeException>(() => ctx.Decode(batch));
            Assert.Contains(expected, ex.Message);
            Assert.Equal(16, ctx.Cache.FreeCells);
            batch.Clear();
        }
        batch.Add(model.Hyperparameters.VocabSize, 0, 0, true);
        Refused("outside the vocabulary");
        batch.Add(-1, 0, 0, true);
        Refused("outside the vocabulary");
        batch.Add(5, 64, 0, true); // the tiny model has 64 positions
        Refused("outside the model's context [0, 64)");
        batch.AddSequence(Enumerable.Range(3, 9).ToArray(), 0, 0);
        Refused("more than MaxBatchTokens 8");
        batch.Add(5, 0, -3, true);
        Refused("sequence id -3");
        Refused("empty");
        for (var s = 0; s < 3; s++) { batch.AddSequence([2, 10, 11, 12, 13, 14], 0, s); if (s < 2) { ctx.Decode(batch); batch.Clear(); } }
        var full = Assert.Throws<DecodeException>(() => ctx.Decode(batch));
        Assert.Contains("KV cache is full", full.Message);
        Assert.Equal(4, ctx.Cache.FreeCells);

        ctx.Cache.Clear();
        ctx.Decode(batch);
        Assert.True(float.IsFinite(ctx.Logits(0)[0]));
    }

    [Fact]
    public async Task LongPrompt_IsCutFromTheLeft_AndTheCallerIsTold()
    {
        using var model = Model.Load(Good);
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { Inference = new(ContextSize: 64) });
        var prompt = string.Join(' ', Enumerable.Repeat("the city street", 40));
        var stream = scheduler.Submit(new NarrationRequest(prompt, SamplingSettings.Greedy with { MaxNewTokens = 4 }, MaxPromptTokens: 128));
        Assert.Equal(60, stream.PromptTokens); // the model's 64 positions less 4 new tokens
        Assert.True(stream.PromptTokensDropped > 0);
        var result = await stream.Completion;
        Assert.Equal(60, result.Timings.PromptTokens);
        Assert.InRange(result.Timings.GeneratedTokens, 1, 4);
    }

    [Fact]
    public void PromptWindow_KeepsBosAndTheEnd()
    {
        var fitted = PromptWindow.Fit([2, 10, 11, 12, 13, 14], 4, bosId: 2);
        Assert.Equal([2, 12, 13, 14], fitted.Ids);
        Assert.Equal(2, fitted.DroppedTokens);
        Assert.False(PromptWindow.Fit([2, 10], 4, 2).Truncated);
    }

    /// <summary>A header may not drive allocation: the counts the issue reproduced (a million layers, 2^31-1 layers, a
    /// 2^31-1 position context, a huge FFN) fail at once, naming the key, and allocate next to nothing on the way.</summary>
    [Theory]
    [InlineData("opt.block_count", 1_000_000L, "but the file holds only")]
    [InlineData("opt.block_count", 2_147_483_647L, "but the file holds only")]
    [InlineData("opt.context_length", 2_147_483_647L, "more positions than the file's")]
    [InlineData("opt.context_length", 1_000_000L, "more positions than the file's")]
    [InlineData("opt.feed_forward_length", 2_147_483_647L, "larger than the file's")]
    [InlineData("opt.attention.head_count", 2_147_483_647L, "is not divisible by")]
    [InlineData("opt.embedding_length", 1_048_576L, "tensor 'token_embd.weight' has shape")]
    public void HugeCounts_FailBeforeAllocating(string key, long value, string expected)
    {
        var path = Edited($"huge-{key}-{value}.gguf", metadata: w => w.SetUInt32(key, (uint)value));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ModelLoadException>(() => Model.Load(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(expected, ex.Message);
        if (!expected.StartsWith("tensor", StringComparison.Ordinal)) Assert.Contains($"'{key}'", ex.Message);
        Assert.True(allocated < 16 << 20, $"loading allocated {allocated >> 20} MiB before refusing");
        AssertNextLoadWorks();
    }

    /// <summary>A context size larger than the machine's memory is refused before the cache is allocated.</summary>
    [Fact]
    public void HugeContextSize_IsRefusedBeforeAllocating()
    {
        using var model = Model.Load(Good);
        var ex = Assert.Throws<InvalidSettingException>(() => new InferenceContext(model, new InferenceOptions(ContextSize: int.MaxValue)));
        Assert.Contains("KV cache of 2147483647 cells needs", ex.Message);
        Assert.DoesNotContain("Parameter", ex.Message);
    }
}
