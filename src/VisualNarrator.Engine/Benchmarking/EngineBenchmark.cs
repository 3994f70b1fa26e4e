using System.Diagnostics;
using VisualNarrator.Engine.Inference;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>Measures this engine on a model file (run it in a fresh process so peak RSS means something).</summary>
public static class EngineBenchmark
{
    /// <summary>Runs the plan.</summary>
    public static BenchmarkResult Run(string path, BenchmarkPlan plan, Action<string>? status = null)
    {
        var clock = Stopwatch.StartNew();
        using var model = Model.Load(path, new ModelLoadOptions(Threads: plan.Threads));
        using var ctx = new InferenceContext(model, new InferenceOptions(BenchmarkProcedure.Cells(plan), KvCacheType.F16, Math.Max(plan.PromptTokens, 512)));
        var load = clock.Elapsed.TotalSeconds;
        return BenchmarkProcedure.Run(new Target(ctx), "narrator", path, model.Backend.Threads, load, plan, status);
    }

    private sealed class Target(InferenceContext ctx) : IBenchmarkTarget
    {
        private readonly DecodeBatch _batch = new();
        public int Bos => ctx.Model.Tokenizer.BosId ?? 0;
        public int Eos => ctx.Model.Tokenizer.EosId ?? -1;
        public int VocabSize => ctx.VocabSize;
        public int[] Tokenize(string text) => ctx.Model.Tokenizer.Encode(text);
        public void Clear() => _batch.Clear();
        public void Add(int token, int position, int sequence, bool logits) => _batch.Add(token, position, sequence, logits);
        public void Decode() => ctx.Decode(_batch);
        public ReadOnlySpan<float> Logits(int output) => ctx.Logits(output);
        public void ClearCache() => ctx.Cache.Clear();
    }
}
