using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;

namespace VisualNarrator.Testing;

/// <summary>Tiny random models written once per test class into a temp folder (xunit class fixture).</summary>
public sealed class TestModels : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vn-models");
    private readonly Dictionary<string, string> _files = [];
    private readonly Lock _lock = new();

    /// <summary>The tiny OPT shape used throughout: 64 wide, 4 heads, 2 layers, FFN 256, 64 positions.</summary>
    public static ModelHyperparameters TinyOpt => ModelShapes.Get("tiny");

    /// <summary>A second, differently proportioned shape: 96 wide, 6 heads, 3 layers, FFN 384, 128 positions.</summary>
    public static ModelHyperparameters Wider => new("opt", 128, 96, 384, 3, 6, 1e-5f, 0);

    /// <summary>Wider with 2048 positions. With <see cref="HoldingSeed"/> its greedy narration of any short prompt never
    /// emits EOS within 2000 tokens (several seconds even on a fast machine), so scheduler tests can hold a slot until
    /// they cancel it instead of racing a narration that ends in milliseconds.</summary>
    public static ModelHyperparameters Holding => Wider with { ContextLength = 2048 };

    /// <summary>The weight seed for <see cref="Holding"/> (seed 1's greedy run stops after ~150 tokens).</summary>
    public const int HoldingSeed = 2;

    /// <summary>OPT-350m's layout at tiny size: post-LN, a 32-wide token embedding with proj_in / proj_out.</summary>
    public static ModelHyperparameters TinyPostLnProjected => TinyOpt with { LayerNormBefore = false, TokenEmbeddingLength = 32 };

    public string Folder => _dir.FullName;

    /// <summary>A random model, written on first use and shared by the tests of the class.</summary>
    public string Get(string architecture, ModelHyperparameters hp, GgmlType type = GgmlType.F32, bool tied = true, int seed = 1)
    {
        var key = $"{architecture}-{hp.EmbeddingLength}x{hp.BlockCount}-ctx{hp.ContextLength}{(hp.LayerNormBefore ? "" : "-postln")}" +
                  $"{(hp.HasProjection ? $"-proj{hp.TokenEmbeddingWidth}" : "")}-{type}-{(tied ? "tied" : "untied")}-{seed}";
        lock (_lock)
        {
            if (!_files.TryGetValue(key, out var path))
            {
                path = Path.Combine(Folder, key + ".gguf");
                RandomModelWriter.Write(path, architecture, hp, RandomModelWriter.TinyTokenizer(), type, seed, std: 0.3f, tiedOutput: tied);
                _files[key] = path;
            }
            return path;
        }
    }

    /// <summary>A path in the fixture's folder for a derived file.</summary>
    public string PathFor(string name) => Path.Combine(Folder, name);

    public void Dispose() => _dir.Delete(recursive: true);
}

/// <summary>Rewrites a GGUF file with edits, to make malformed models for bad-input tests.</summary>
public static class GgufEdit
{
    public static void Rewrite(string source, string destination, Action<GgufWriter>? metadata = null,
        Func<GgufTensorInfo, bool>? keep = null, Func<GgufTensorInfo, (GgmlType Type, long[] Shape)?>? reshape = null)
    {
        var file = GgufFile.Open(source);
        var w = new GgufWriter();
        foreach (var (k, v) in file.Metadata) w.Set(k, v);
        metadata?.Invoke(w);
        foreach (var t in file.Tensors)
        {
            if (keep is not null && !keep(t)) continue;
            if (reshape?.Invoke(t) is { } changed)
            {
                var rows = changed.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                var bytes = new byte[GgmlTypeInfo.RowBytes(changed.Type, changed.Shape[0]) * rows];
                w.AddTensor(t.Name, changed.Type, bytes, changed.Shape);
            }
            else
            {
                var info = t;
                w.AddTensor(t.Name, t.Type, t.Shape, s => file.CopyTensorData(info, s));
            }
        }
        w.WriteTo(destination);
    }
}
