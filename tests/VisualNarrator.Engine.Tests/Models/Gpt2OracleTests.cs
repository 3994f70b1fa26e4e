using LLama;
using LLama.Common;
using LLama.Native;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>llama.cpp (through LLamaSharp) as the oracle: on the same gpt2 GGUF, our engine's logits after a prompt
/// and after each of 8 greedy steps must match llama.cpp's within 2e-2 with the same argmax. This checks our GGUF
/// writer and loader, LayerNorm, attention, KV cache and LM head against llama.cpp itself.</summary>
public sealed class Gpt2OracleTests(TestModels models) : IClassFixture<TestModels>
{
    private const float Tolerance = 2e-2f;
    private static readonly int[] Prompt = [2, 280, 33, 301, 17, 99, 150, 7, 64];

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "tiny", "F32", false }, { "tiny", "Q8_0", false }, { "wider", "F32", false }, { "wider", "Q8_0", false },
        { "tiny", "F32", true }, { "wider", "Q8_0", true },
    };

    /// <summary>Both engines attend the same way in each case: mul_mat + soft_max (llama.cpp with flash attention
    /// off), or ggml's fused flash-attention kernel in both.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void LogitsMatchLlamaCpp(string shape, string type, bool flash)
    {
        var hp = shape == "tiny" ? TestModels.TinyOpt : TestModels.Wider;
        var path = models.Get("gpt2", hp, tied: false);
        if (type == "Q8_0")
        {
            var q8 = models.PathFor($"gpt2-{shape}-q8_0.gguf");
            if (!File.Exists(q8))
            {
                GgmlLibrary.EnsureLoaded();
                Assert.True(LLamaQuantizer.Quantize(path, q8, LLamaFtype.MOSTLY_Q8_0, nthread: 2), "llama.cpp could not quantize the oracle file");
            }
            path = q8;
            Assert.Contains(GgufFile.Open(path).Tensors, t => t.Type == GgmlType.Q8_0);
        }

        var expected = LlamaCppLogits(path, Prompt, steps: 8, flash);
        var actual = OurLogits(path, Prompt, steps: 8, flash);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Greedy.ArgMax(expected[i]), Greedy.ArgMax(actual[i]));
            LogitsAssert.Close(expected[i], actual[i], Tolerance);
        }
    }

    private static List<float[]> OurLogits(string path, int[] prompt, int steps, bool flash)
    {
        using var model = Model.Load(path);
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, FlashAttention: flash));
        var batch = new DecodeBatch();
        batch.AddSequence(prompt, 0, 0);
        ctx.Decode(batch);
        var all = new List<float[]> { ctx.Logits(0).ToArray() };
        for (var s = 0; s < steps; s++)
        {
            batch.Clear();
            batch.Add(Greedy.ArgMax(all[^1]), prompt.Length + s, 0, true);
            ctx.Decode(batch);
            all.Add(ctx.Logits(0).ToArray());
        }
        return all;
    }

    private static List<float[]> LlamaCppLogits(string path, int[] prompt, int steps, bool flash)
    {
        GgmlLibrary.EnsureLoaded();
        var mp = LLamaModelParams.Default();
        mp.n_gpu_layers = 0;
        using var model = SafeLlamaModelHandle.LoadFromFile(path, mp);
        var cp = LLamaContextParams.Default();
        // The two attention paths round differently (by ~5e-3 on F32 weights), which Q8_0's activation quantization
        // amplifies to ~0.1, so each side is compared with the same path.
        cp.llama_flash_attn_type = flash ? LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_ENABLED : LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_DISABLED;
        cp.n_ctx = 64; cp.n_batch = 64; cp.n_ubatch = 64; cp.n_threads = 2; cp.n_threads_batch = 2;
        using var context = model.CreateContext(cp);
        var batch = new LLamaBatch();
        for (var i = 0; i < prompt.Length; i++) batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
        Assert.Equal(DecodeResult.Ok, context.Decode(batch));
        var all = new List<float[]> { context.GetLogitsIth(prompt.Length - 1).ToArray() };
        for (var s = 0; s < steps; s++)
        {
            batch.Clear();
            batch.Add(Greedy.ArgMax(all[^1]), prompt.Length + s, LLamaSeqId.Zero, true);
            Assert.Equal(DecodeResult.Ok, context.Decode(batch));
            all.Add(context.GetLogitsIth(0).ToArray());
        }
        return all;
    }
}
