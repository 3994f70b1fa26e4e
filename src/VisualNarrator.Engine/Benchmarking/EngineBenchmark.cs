using System.Diagnostics;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>Measures this engine on a model file (run it in a fresh process so peak RSS means something).</summary>
public static class EngineBenchmark
{
    /// <summary>Runs the plan.</summary>
    public static BenchmarkResult Run(string path, BenchmarkPlan plan, Action<string>? status = null)
    {
        var clock = Stopwatch.StartNew();
        using var model = Model.Load(path, new ModelLoadOptions(Threads: plan.Threads));
        var maxSeq = plan.Sequences.Max();
        var cells = Math.Max(plan.PromptTokens + plan.DecodeTokens + 1, maxSeq * (16 + plan.AggregateSteps + 1));
        cells = Math.Max(cells, 128 + plan.DescriptionTokens);
        using var ctx = new InferenceContext(model, new InferenceOptions(cells, KvCacheType.F16, Math.Max(plan.PromptTokens, 512)));
        var load = clock.Elapsed.TotalSeconds;
        var vocab = model.Hyperparameters.VocabSize;
        var bos = model.Tokenizer.BosId ?? 0;
        var eos = model.Tokenizer.EosId ?? -1;
        var batch = new DecodeBatch();

        status?.Invoke("prefill");
        var prompt = BenchmarkPlan.SyntheticPrompt(plan.PromptTokens, bos, 100, Math.Min(vocab, 40000));
        batch.AddSequence(prompt, 0, 0);
        ctx.Decode(batch); // warm-up: first graph allocation
        ctx.Cache.Clear();
        clock.Restart();
        ctx.Decode(batch);
        var prefill = plan.PromptTokens / clock.Elapsed.TotalSeconds;

        status?.Invoke("decode");
        clock.Restart();
        var position = plan.PromptTokens;
        for (var i = 0; i < plan.DecodeTokens; i++)
        {
            var next = Greedy.ArgMaxExcept(ctx.Logits(0), eos);
            batch.Clear();
            batch.Add(next, position++, 0, true);
            ctx.Decode(batch);
        }
        var decode = plan.DecodeTokens / clock.Elapsed.TotalSeconds;
        ctx.Cache.Clear();

        status?.Invoke("description");
        clock.Restart();
        var ids = model.Tokenizer.Encode(BenchmarkPlan.DescriptionPrompt);
        batch.Clear();
        batch.AddSequence(ids, 0, 0);
        ctx.Decode(batch);
        position = ids.Length;
        for (var i = 0; i < plan.DescriptionTokens - 1; i++)
        {
            var next = Greedy.ArgMaxExcept(ctx.Logits(0), eos);
            batch.Clear();
            batch.Add(next, position++, 0, true);
            ctx.Decode(batch);
        }
        var perDescription = clock.Elapsed.TotalSeconds;
        ctx.Cache.Clear();

        var aggregate = new Dictionary<int, double>();
        foreach (var n in plan.Sequences)
        {
            status?.Invoke($"{n} sequences");
            batch.Clear();
            for (var s = 0; s < n; s++) batch.AddSequence(BenchmarkPlan.SyntheticPrompt(16, bos, 100, Math.Min(vocab, 40000), seed: s), 0, s);
            ctx.Decode(batch);
            var last = Enumerable.Range(0, n).Select(s => Greedy.ArgMaxExcept(ctx.Logits(s), eos)).ToArray();
            clock.Restart();
            for (var step = 0; step < plan.AggregateSteps; step++)
            {
                batch.Clear();
                for (var s = 0; s < n; s++) batch.Add(last[s], 16 + step, s, true);
                ctx.Decode(batch);
                for (var s = 0; s < n; s++) last[s] = Greedy.ArgMaxExcept(ctx.Logits(s), eos);
            }
            aggregate[n] = n * plan.AggregateSteps / clock.Elapsed.TotalSeconds;
            ctx.Cache.Clear();
        }
        return new BenchmarkResult("narrator", path, new FileInfo(path).Length, model.Backend.Threads, load, prefill, decode,
            perDescription, aggregate, BenchmarkPlan.PeakRss());
    }
}
