using System.Diagnostics;
using LLama.Native;
using VisualNarrator.Engine.Native;

using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>The same measurements as <see cref="EngineBenchmark"/>, run by llama.cpp itself (through LLamaSharp) on a
/// model it can load (a <c>gpt2</c> file of the same shape and type), with llama.cpp's default settings.</summary>
public static class LlamaCppBenchmark
{
    /// <summary>Runs the plan.</summary>
    public static BenchmarkResult Run(string path, BenchmarkPlan plan, Action<string>? status = null)
    {
        GgmlLibrary.EnsureLoaded();
        var threads = plan.Threads == 0 ? Environment.ProcessorCount : plan.Threads;
        var clock = Stopwatch.StartNew();
        var mp = LLamaModelParams.Default();
        mp.n_gpu_layers = 0;
        using var model = SafeLlamaModelHandle.LoadFromFile(path, mp);
        var maxSeq = plan.Sequences.Max();
        var cp = LLamaContextParams.Default();
        var cells = Math.Max(Math.Max(plan.PromptTokens + plan.DecodeTokens + 1, maxSeq * (16 + plan.AggregateSteps + 1)), 128 + plan.DescriptionTokens);
        cp.n_ctx = (uint)((cells + 255) / 256 * 256);
        cp.n_batch = (uint)Math.Max(plan.PromptTokens, 512);
        cp.n_ubatch = cp.n_batch;
        cp.n_seq_max = (uint)maxSeq;
        cp.n_threads = threads;
        cp.n_threads_batch = threads;
        using var ctx = model.CreateContext(cp);
        var load = clock.Elapsed.TotalSeconds;
        var vocab = model.Vocab.Count;
        var bos = 2;
        var eos = model.Vocab.EOS is { } e ? (int)e : -1;
        var batch = new LLamaBatch();

        void Decode()
        {
            var r = ctx.Decode(batch);
            if (r != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode returned {r}");
        }
        int Next(int i) => Greedy.ArgMaxExcept(ctx.GetLogitsIth(i), eos);

        status?.Invoke("prefill");
        var prompt = BenchmarkPlan.SyntheticPrompt(plan.PromptTokens, bos, 100, Math.Min(vocab, 40000));
        for (var i = 0; i < prompt.Length; i++) batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
        Decode();
        ctx.MemoryClear(true);
        clock.Restart();
        Decode();
        var prefill = plan.PromptTokens / clock.Elapsed.TotalSeconds;

        status?.Invoke("decode");
        var last = Next(prompt.Length - 1);
        clock.Restart();
        var position = plan.PromptTokens;
        for (var i = 0; i < plan.DecodeTokens; i++)
        {
            batch.Clear();
            batch.Add(last, position++, LLamaSeqId.Zero, true);
            Decode();
            last = Next(0);
        }
        var decode = plan.DecodeTokens / clock.Elapsed.TotalSeconds;
        ctx.MemoryClear(true);

        status?.Invoke("description");
        clock.Restart();
        var ids = model.Tokenize(BenchmarkPlan.DescriptionPrompt, true, false, System.Text.Encoding.UTF8);
        batch.Clear();
        for (var i = 0; i < ids.Length; i++) batch.Add(ids[i], i, LLamaSeqId.Zero, i == ids.Length - 1);
        Decode();
        last = Next(ids.Length - 1);
        position = ids.Length;
        for (var i = 0; i < plan.DescriptionTokens - 1; i++)
        {
            batch.Clear();
            batch.Add(last, position++, LLamaSeqId.Zero, true);
            Decode();
            last = Next(0);
        }
        var perDescription = clock.Elapsed.TotalSeconds;
        ctx.MemoryClear(true);

        var aggregate = new Dictionary<int, double>();
        foreach (var n in plan.Sequences)
        {
            status?.Invoke($"{n} sequences");
            batch.Clear();
            for (var s = 0; s < n; s++)
            {
                var p = BenchmarkPlan.SyntheticPrompt(16, bos, 100, Math.Min(vocab, 40000), seed: s);
                for (var i = 0; i < p.Length; i++) batch.Add(p[i], i, (LLamaSeqId)s, i == p.Length - 1);
            }
            Decode();
            var nexts = Enumerable.Range(0, n).Select(s => Next(16 * s + 15)).ToArray();
            clock.Restart();
            for (var step = 0; step < plan.AggregateSteps; step++)
            {
                batch.Clear();
                for (var s = 0; s < n; s++) batch.Add(nexts[s], 16 + step, (LLamaSeqId)s, true);
                Decode();
                for (var s = 0; s < n; s++) nexts[s] = Next(s);
            }
            aggregate[n] = n * plan.AggregateSteps / clock.Elapsed.TotalSeconds;
            ctx.MemoryClear(true);
        }
        return new BenchmarkResult("llama.cpp", path, new FileInfo(path).Length, threads, load, prefill, decode,
            perDescription, aggregate, BenchmarkPlan.PeakRss());
    }
}
