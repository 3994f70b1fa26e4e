using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Web.Tests.Support;

/// <summary>A temp models folder with two tiny random OPT models (narrator.gguf, other.gguf) and, beside the folder,
/// a model outside it that the app must refuse.</summary>
public sealed class ModelFolder : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("vn-web");

    /// <summary>64 wide, 2 layers, 256 positions: big enough for 128 prompt + 80 new tokens, fast on any CPU.</summary>
    public static ModelHyperparameters Shape => new("opt", 256, 64, 256, 2, 4, 1e-5f, 0);

    /// <summary>A bigger shape whose narrations take seconds, so a test can act while one runs: 256 wide, 8 layers,
    /// 2048 positions.</summary>
    public static ModelHyperparameters Slow => new("opt", 2048, 256, 1024, 8, 4, 1e-5f, 0);

    /// <summary>The engine tests' holding shape (<see cref="TestModels.Holding"/>): other.gguf, written with seed
    /// <see cref="TestModels.HoldingSeed"/>, never emits EOS in a greedy narration of a short prompt in it, so a test
    /// can hold the one slot until it cancels.</summary>
    public static ModelHyperparameters Holding => TestModels.Holding;

    /// <summary>The file that holds in <see cref="Holding"/> shape.</summary>
    public const string HoldingModel = "other.gguf";

    private readonly ModelHyperparameters _shape;

    public ModelFolder(bool withModels = true, ModelHyperparameters? shape = null)
    {
        _shape = shape ?? Shape;
        Folder = Path.Combine(_root.FullName, "models");
        Directory.CreateDirectory(Folder);
        Outside = Path.Combine(_root.FullName, "outside.gguf");
        if (!withModels) return;
        Write(Path.Combine(Folder, "narrator.gguf"), 1);
        Write(Path.Combine(Folder, HoldingModel), TestModels.HoldingSeed);
        Write(Outside, 3);
    }

    public string Folder { get; }

    public string Outside { get; }

    private void Write(string path, int seed) =>
        RandomModelWriter.Write(path, "opt", _shape, RandomModelWriter.TinyTokenizer(), GgmlType.F32, seed, std: 0.3f);

    public void Dispose()
    {
        try { _root.Delete(recursive: true); }
        catch (IOException) { }
    }
}
