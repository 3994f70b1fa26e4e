using VisualNarrator.Engine.Inference;

namespace VisualNarrator.Convert.Tests.Support;

/// <summary>Runs the engine (ggml through LLamaSharp's native libraries) on a GGUF file.</summary>
internal static class EngineOracle
{
    /// <summary>Last-position logits of each prompt, each decoded in a fresh context with an F32 KV cache.</summary>
    public static float[][] LastLogits(string gguf, IEnumerable<int[]> prompts)
    {
        using var model = Model.Load(gguf);
        var result = new List<float[]>();
        foreach (var ids in prompts)
        {
            using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F32));
            var batch = new DecodeBatch();
            batch.AddSequence(ids, 0, 0);
            ctx.Decode(batch);
            result.Add(ctx.Logits(0).ToArray());
        }
        return [.. result];
    }
}
