using System.Diagnostics;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>How fast this engine's kernels ran decode steps whose weights sit in the last-level cache.</summary>
/// <param name="Type">The preset of the models measured, e.g. q4_k_m.</param>
/// <param name="Threads">Threads the engine used.</param>
/// <param name="Width">Embedding width of the models (their layers are sized to stay in cache).</param>
/// <param name="MarginalBytes">Bytes a decode step reads in the layers the larger model adds.</param>
/// <param name="MarginalSeconds">What those layers added to the fastest window's time per step.</param>
/// <param name="BytesPerSecond">MarginalBytes ÷ MarginalSeconds: the rate the kernels consume weights at when memory
/// is not what limits them.</param>
public sealed record KernelThroughputResult(string Type, int Threads, int Width, long MarginalBytes, double MarginalSeconds,
    double BytesPerSecond);

/// <summary>
/// The compute side of the decode bound. <see cref="MemoryBandwidth"/> bounds decode by how fast memory delivers the
/// weights; this measures how fast ggml's matrix-vector kernels consume them when they come from cache. A step of a
/// quantized model has to unpack every block before its dot product, and where that is slower than memory, the
/// kernels, not memory, set the pace: no engine on these kernels can reach the memory bound then.
/// </summary>
/// <remarks>
/// Two random models of the type, one and three layers deep, with layers sized so that all three fit in three quarters
/// of the last-level cache, and a vocabulary of a few hundred tokens, so the LM head neither costs time nor evicts them.
/// Windows of decode steps run on both in turn; the fastest window of each counts (slower ones lost time to other
/// work, as in the bandwidth probe), and the two extra layers' bytes ÷ the time they add is the rate. Taking the
/// difference removes what a step costs besides its layers (graph building, the embedding, the LM head).
/// </remarks>
public static class KernelThroughput
{
    /// <summary>Depth of the larger model; the smaller has one layer.</summary>
    private const int DeeperLayers = 3;

    /// <summary>Decode steps per timed window.</summary>
    private const int StepsPerWindow = 32;

    private static readonly int[] Prompt = [2, 10, 11, 12, 13, 14, 15, 16];

    /// <summary>Measures the kernels for <paramref name="preset"/> on <paramref name="threads"/> threads, for at least
    /// <paramref name="minSeconds"/> per model. The two models are made once and kept in <paramref name="cacheDir"/>.</summary>
    public static KernelThroughputResult Measure(string cacheDir, QuantizationPreset preset, int threads, double minSeconds = 1.0)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var width = WidthFor(preset.DefaultType, LastLevelCacheBytes());
        var shallow = Prepare(cacheDir, preset, width, 1);
        var deep = Prepare(cacheDir, preset, width, DeeperLayers);
        using var a = new Runner(shallow, 1, width, threads);
        using var b = new Runner(deep, DeeperLayers, width, threads);
        var elapsed = 0.0;
        for (var window = 0; window < 1000 && (window < 4 || elapsed < 2 * minSeconds); window++)
        {
            // Turns alternate so both models meet the same drift in machine speed.
            elapsed += window % 2 == 0 ? a.Window() + b.Window() : b.Window() + a.Window();
        }
        var seconds = b.Fastest - a.Fastest;
        var bytes = b.BytesPerStep - a.BytesPerStep;
        if (seconds <= 0)
            throw new InvalidOperationException($"the {DeeperLayers}-layer model decoded no slower than the 1-layer one ({b.Fastest * 1e3:F3} vs {a.Fastest * 1e3:F3} ms per step); the machine was too busy to measure the kernels");
        return new KernelThroughputResult(preset.Name, threads, width, bytes, seconds, bytes / seconds);
    }

    /// <summary>The widest multiple of 256 (what every block type divides) from 256 up, whose OPT layer (12 width²
    /// weights) of <paramref name="type"/> takes at most a quarter of <paramref name="cacheBytes"/>, so the larger
    /// model's three layers fit in the cache with room to spare (about 1024 wide for Q4_K, 512 for F16 in 32 MiB).</summary>
    public static int WidthFor(GgmlType type, long cacheBytes)
    {
        var width = 256;
        while (LayerBytes(type, width + 256) <= cacheBytes / 4) width += 256;
        return width;
    }

    /// <summary>Bytes of one OPT layer's matrices at <paramref name="width"/> (q, k, v, out: width²; up, down:
    /// 4 width² each).</summary>
    public static long LayerBytes(GgmlType type, int width) => 12L * width * GgmlTypeInfo.RowBytes(type, width);

    /// <summary>This CPU's last-level cache from sysfs (index3, else the highest level listed), or 32 MiB when the
    /// system does not say.</summary>
    public static long LastLevelCacheBytes()
    {
        const long fallback = 32L << 20;
        try
        {
            var caches = new DirectoryInfo("/sys/devices/system/cpu/cpu0/cache");
            if (!caches.Exists) return fallback;
            var sizes = caches.GetDirectories("index*")
                .Select(d => (Level: ReadInt(Path.Combine(d.FullName, "level")), Size: ReadSize(Path.Combine(d.FullName, "size"))))
                .Where(c => c.Level > 0 && c.Size > 0)
                .ToList();
            return sizes.Count == 0 ? fallback : sizes.MaxBy(c => c.Level).Size;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return fallback;
        }
    }

    private static int ReadInt(string path) => File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var v) ? v : 0;

    /// <summary>sysfs writes cache sizes as e.g. "32768K".</summary>
    private static long ReadSize(string path)
    {
        if (!File.Exists(path)) return 0;
        var text = File.ReadAllText(path).Trim();
        var unit = text.Length > 0 ? char.ToUpperInvariant(text[^1]) : ' ';
        var scale = unit switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L };
        return long.TryParse(scale == 1 ? text : text[..^1], out var n) ? n * scale : 0;
    }

    /// <summary>The random model of <paramref name="layers"/> layers, written (atomically) unless the cache holds it.</summary>
    private static string Prepare(string cacheDir, QuantizationPreset preset, int width, int layers)
    {
        Directory.CreateDirectory(cacheDir);
        var name = $"kernels-{width}x{layers}-ctx64";
        var f16 = Path.Combine(cacheDir, $"{name}-f16.gguf");
        var target = Path.Combine(cacheDir, $"{name}-{preset.Name}.gguf");
        if (BenchmarkCache.TryReuse(target, out _)) return target;
        // 64 positions: the plan needs 41, and a full 2048-row table would only take disk.
        var hp = ModelShapes.Get("opt-125m") with { ContextLength = 64, EmbeddingLength = width, FeedForwardLength = 4 * width, BlockCount = layers, HeadCount = width / 64 };
        if (!BenchmarkCache.TryReuse(f16, out _)) RandomModelWriter.Write(f16, "opt", hp, RandomModelWriter.TinyTokenizer());
        if (preset.IsQuantized) ModelQuantizer.Quantize(f16, target, preset);
        return target;
    }

    /// <summary>One model loaded, timing windows of single-sequence decode steps.</summary>
    private sealed class Runner : IDisposable
    {
        private readonly Model _model;
        private readonly InferenceContext _ctx;
        private readonly DecodeBatch _batch = new();

        public Runner(string path, int layers, int width, int threads)
        {
            var inference = new InferenceOptions(Prompt.Length + StepsPerWindow + 1, KvCacheType.F16, Prompt.Length);
            _model = Model.Load(path, new ModelLoadOptions(Threads: threads, Inference: inference));
            _ctx = new InferenceContext(_model, inference);
            BytesPerStep = MemoryBandwidth.DecodeBytesPerToken(GgufFile.Open(path), layers, width, Prompt.Length + StepsPerWindow / 2);
            Window(); // warm-up: first graphs, first touches of the weights
            Fastest = double.MaxValue;
        }

        public long BytesPerStep { get; }

        /// <summary>Fastest window's seconds per step so far.</summary>
        public double Fastest { get; private set; } = double.MaxValue;

        /// <summary>Prefills the prompt (untimed), then times the steps; returns the window's timed seconds.</summary>
        public double Window()
        {
            _ctx.Cache.Clear();
            _batch.Clear();
            _batch.AddSequence(Prompt, 0, 0);
            _ctx.Decode(_batch);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < StepsPerWindow; i++)
            {
                _batch.Clear();
                _batch.Add(20 + i, Prompt.Length + i, 0, true);
                _ctx.Decode(_batch);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            Fastest = Math.Min(Fastest, seconds / StepsPerWindow);
            return seconds;
        }

        public void Dispose()
        {
            _ctx.Dispose();
            _model.Dispose();
        }
    }
}
