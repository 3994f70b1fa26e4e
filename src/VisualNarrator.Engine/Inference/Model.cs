using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Engine.Inference;

/// <summary>How to load a model.</summary>
/// <param name="Device">ggml device name ("cpu", or a GPU such as "CUDA0" where that backend is installed).</param>
/// <param name="Threads">CPU threads (0: automatic, see <see cref="ThreadPolicy"/>).</param>
public sealed record ModelLoadOptions(string Device = "cpu", int Threads = 0);

/// <summary>A loaded model: its file, architecture, hyperparameters, tokenizer and weights on a ggml backend.
/// Every check against the file's contract runs in C# before native code sees the file.</summary>
public sealed class Model : IDisposable
{
    private Model(GgufFile file, DecoderArchitecture architecture, ModelHyperparameters hp, OptTokenizer tokenizer,
        GgmlBackend backend, ModelWeights weights)
    {
        File = file;
        Architecture = architecture;
        Hyperparameters = hp;
        Tokenizer = tokenizer;
        Backend = backend;
        Weights = weights;
    }

    /// <summary>The GGUF metadata and tensor directory.</summary>
    public GgufFile File { get; }

    /// <summary>The architecture that builds the graph.</summary>
    public DecoderArchitecture Architecture { get; }

    /// <summary>Hyperparameters read from the file.</summary>
    public ModelHyperparameters Hyperparameters { get; }

    /// <summary>The tokenizer stored in the file.</summary>
    public OptTokenizer Tokenizer { get; }

    /// <summary>The backend the weights live on and graphs run on.</summary>
    public GgmlBackend Backend { get; }

    internal ModelWeights Weights { get; }

    /// <summary>The CPU thread count in use and how it was chosen; null on backends without threads.</summary>
    public ThreadChoice? ThreadChoice { get; private init; }

    /// <summary>Bytes of backend memory holding the weights.</summary>
    public ulong WeightBytes => Weights.BufferBytes;

    /// <summary>Opens, validates and loads a model.</summary>
    /// <exception cref="GgufFormatException">The file is not valid GGUF.</exception>
    /// <exception cref="ModelLoadException">The file does not fit its architecture's contract.</exception>
    public static Model Load(string path, ModelLoadOptions? options = null, IProgress<double>? progress = null)
    {
        options ??= new ModelLoadOptions();
        var file = GgufFile.Open(path);
        string archName;
        try { archName = file.GetString(GgufKeys.Architecture); }
        catch (GgufFormatException ex) { throw new ModelLoadException(path, ex.Problem); }
        var arch = DecoderArchitecture.For(archName, path);
        var hp = ModelHyperparameters.Read(file, archName);
        ModelWeights.Validate(file, arch.Tensors(hp));
        OptTokenizer tokenizer;
        try { tokenizer = OptTokenizer.FromGguf(file); }
        catch (Exception ex) when (ex is TokenizerFormatException or GgufFormatException)
        {
            throw new ModelLoadException(path, ex.Message);
        }
        if (tokenizer.VocabularySize != hp.VocabSize)
            throw new ModelLoadException(path, $"the tokenizer has {tokenizer.VocabularySize} tokens but token_embd.weight has {hp.VocabSize} rows");

        var threads = ThreadPolicy.Choose(options.Threads, file.Tensors.Sum(t => t.ByteSize), ThreadPolicy.PhysicalCores());
        var backend = GgmlBackend.Create(options.Device, threads.Threads);
        try
        {
            var weights = ModelWeights.Load(file, backend, progress);
            return new Model(file, arch, hp, tokenizer, backend, weights) { ThreadChoice = backend.SupportsThreads ? threads : null };
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Frees weights and backend.</summary>
    public void Dispose()
    {
        Weights.Dispose();
        Backend.Dispose();
    }
}
