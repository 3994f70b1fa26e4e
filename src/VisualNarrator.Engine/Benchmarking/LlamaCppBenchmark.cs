using System.Diagnostics;
using LLama.Native;
using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>The same measurements as <see cref="EngineBenchmark"/>, run by llama.cpp itself (through LLamaSharp) on a
/// model it can load (a <c>gpt2</c> file of the same shape and type), with llama.cpp's default settings.</summary>
public static class LlamaCppBenchmark
{
    /// <summary>Runs the plan.</summary>
    public static BenchmarkResult Run(string path, BenchmarkPlan plan, Action<string>? status = null)
    {
        using var loaded = Load(path, plan);
        return BenchmarkProcedure.Run([loaded.Entrant], plan, status)[0];
    }

    /// <summary>Loads the model and a context sized for the plan, timing it.</summary>
    internal static LoadedEngine Load(string path, BenchmarkPlan plan)
    {
        GgmlLibrary.EnsureLoaded();
        var threads = plan.Threads == 0 ? Environment.ProcessorCount : plan.Threads;
        var clock = Stopwatch.StartNew();
        var mp = LLamaModelParams.Default();
        mp.n_gpu_layers = 0;
        var model = SafeLlamaModelHandle.LoadFromFile(path, mp);
        try
        {
            var cp = LLamaContextParams.Default();
            cp.n_ctx = (uint)((BenchmarkProcedure.Cells(plan) + 255) / 256 * 256);
            cp.n_batch = (uint)Math.Max(plan.PromptTokens, 512);
            cp.n_ubatch = cp.n_batch;
            cp.n_seq_max = (uint)plan.Sequences.Max();
            cp.n_threads = threads;
            cp.n_threads_batch = threads;
            var ctx = model.CreateContext(cp);
            var load = clock.Elapsed.TotalSeconds;
            return new LoadedEngine(new BenchmarkEntrant(new Target(model, ctx), "llama.cpp", path, threads, load), ctx, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>llama.cpp reads logits by batch index; the procedure asks by output order, so the adapter remembers
    /// which batch indices asked for logits.</summary>
    private sealed class Target(SafeLlamaModelHandle model, SafeLLamaContextHandle ctx) : IBenchmarkTarget
    {
        private readonly LLamaBatch _batch = new();
        private readonly List<int> _outputs = [];
        private int[] _lastOutputs = [];

        public int Bos => 2;
        public int Eos => model.Vocab.EOS is { } e ? (int)e : -1;
        public int VocabSize => model.Vocab.Count;
        public int[] Tokenize(string text) => [.. model.Tokenize(text, true, false, System.Text.Encoding.UTF8).Select(t => (int)t)];

        public void Clear()
        {
            _batch.Clear();
            _outputs.Clear();
        }

        public void Add(int token, int position, int sequence, bool logits)
        {
            if (logits) _outputs.Add(_batch.TokenCount);
            _batch.Add(token, position, (LLamaSeqId)sequence, logits);
        }

        public void Decode()
        {
            var r = ctx.Decode(_batch);
            if (r != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode returned {r}");
            _lastOutputs = [.. _outputs];
        }

        public ReadOnlySpan<float> Logits(int output) => ctx.GetLogitsIth(_lastOutputs[output]);

        public void ClearCache() => ctx.MemoryClear(true);
    }
}
