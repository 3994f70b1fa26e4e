using System.Diagnostics;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>Measures this engine on a model file (run it in a fresh process so peak RSS means something).</summary>
public static class EngineBenchmark
{
    /// <summary>Runs the plan on the CPU, or where <paramref name="placement"/> says (device, layer split, backend
    /// libraries; its threads and inference settings are taken from the plan).</summary>
    public static BenchmarkResult Run(string path, BenchmarkPlan plan, Action<string>? status = null, ModelLoadOptions? placement = null)
    {
        using var loaded = Load(path, plan, status, placement);
        var result = BenchmarkProcedure.Run([loaded.Entrant], plan, status)[0];
        status?.Invoke("measured");
        return result;
    }

    /// <summary>Loads the model and a context sized for the plan, timing it.</summary>
    internal static LoadedEngine Load(string path, BenchmarkPlan plan, Action<string>? status = null, ModelLoadOptions? placement = null)
    {
        status?.Invoke("load");
        // Load time is file to ready context for both engines: the native libraries (LLamaSharp's libllama and ggml,
        // shared by both) are loaded before the clock starts, as LlamaCppBenchmark does.
        GgmlLibrary.EnsureLoaded();
        var clock = Stopwatch.StartNew();
        var inference = new InferenceOptions(BenchmarkProcedure.Cells(plan), KvCacheType.F16, Math.Max(plan.PromptTokens, 512));
        var load = (placement ?? new ModelLoadOptions()) with { Threads = plan.Threads, Inference = inference };
        var model = Model.Load(path, load);
        try
        {
            var ctx = new InferenceContext(model, inference);
            var seconds = clock.Elapsed.TotalSeconds;
            return new LoadedEngine(new BenchmarkEntrant(new Target(ctx), "narrator", path, model.Backend.Threads, seconds, model.RunsOn), ctx, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>This engine as the procedure sees it (internal: tests count its calls).</summary>
    internal sealed class Target(InferenceContext ctx) : IBenchmarkTarget
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
