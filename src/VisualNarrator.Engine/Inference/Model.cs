using System.Diagnostics;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Engine.Inference;

/// <summary>How to load a model.</summary>
/// <param name="Device">ggml device name ("cpu", or a GPU such as "CUDA0" or "Vulkan0" where that backend is installed).</param>
/// <param name="Threads">CPU threads (0: automatic, see <see cref="ThreadPolicy"/>).</param>
/// <param name="GpuLayers">On a GPU device: how many layers go there (null: all, i.e. full offload). Ignored on the CPU
/// unless it asks for layers.</param>
/// <param name="BackendPaths">ggml backend libraries to load first (e.g. libggml-vulkan.so), besides GGML_BACKEND_PATH.</param>
/// <param name="Inference">The settings of the context that will run the model, which size the KV cache and compute
/// buffers the device plan reserves room for (null: <see cref="InferenceOptions"/> defaults).</param>
/// <param name="FuseWeights">Stack matrices that read the same input (OPT's q, k and v) into one at load time, so one
/// matmul does the work of three; false keeps the file's tensors as they are (the results are the same).</param>
/// <param name="MapFile">When every weight is on the CPU, point them into a read-only memory map of the file (no copy;
/// pages are read on first use and shared with the page cache, as llama.cpp's mmap); false reads them into memory.</param>
/// <param name="RepackWeights">When every weight is on the CPU, put the matmul weights of the types the CPU backend
/// repacks (Q4_0, Q4_K; see <see cref="CpuRepackBufferType"/>) into its repack buffer type, whose interleaved layout
/// its kernels multiply faster, as llama.cpp's "extra buffer types" do. Those weights are read into memory rather than
/// mapped, and rearranged at load by <paramref name="Threads"/> threads. The results equal the plain layout's up to the
/// order of float additions; false keeps every weight plain.</param>
public sealed record ModelLoadOptions(string Device = "cpu", int Threads = 0, GpuLayers? GpuLayers = null,
    IReadOnlyList<string>? BackendPaths = null, InferenceOptions? Inference = null, bool FuseWeights = true, bool MapFile = true,
    bool RepackWeights = true);

/// <summary>A loaded model: its file, architecture, hyperparameters, tokenizer and weights on a ggml backend.
/// Every check against the file's contract runs in C# before native code sees the file.</summary>
public sealed class Model : IDisposable
{
    private Model(GgufFile file, DecoderArchitecture architecture, ModelHyperparameters hp, GgmlBackend backend, GgmlBackend? deviceBackend, OffloadPlan? offload, MemoryNeeds? needs, ModelWeights weights)
    {
        File = file;
        Architecture = architecture;
        Hyperparameters = hp;
        Backend = backend;
        DeviceBackend = deviceBackend;
        Offload = offload;
        PlannedNeeds = needs;
        Weights = weights;
    }

    /// <summary>The GGUF metadata and tensor directory.</summary>
    internal GgufFile File { get; }

    /// <summary>The architecture that builds the graph.</summary>
    public DecoderArchitecture Architecture { get; }

    /// <summary>Hyperparameters read from the file.</summary>
    public ModelHyperparameters Hyperparameters { get; }

    /// <summary>The tokenizer stored in the file.</summary>
    public OptTokenizer Tokenizer { get; private set; } = null!;

    /// <summary>The prompt templates the model was trained with (from its GGUF), or the seed's.</summary>
    public PromptFormat Prompts { get; private init; } = PromptFormat.Seed;

    /// <summary>The CPU backend: runs everything that is not offloaded (all of it on <c>--device cpu</c>).</summary>
    internal GgmlBackend Backend { get; }

    /// <summary>The GPU backend holding the offloaded layers, or null on the CPU (also when no layer is offloaded).</summary>
    internal GgmlBackend? DeviceBackend { get; }

    /// <summary>Which layers are on <see cref="DeviceBackend"/> and why, or null on the CPU.</summary>
    public OffloadPlan? Offload { get; }

    /// <summary>The memory needs the device plan was made for (null on the CPU).</summary>
    internal MemoryNeeds? PlannedNeeds { get; }

    /// <summary>Where the model runs, e.g. <c>CPU</c> or <c>Vulkan0: 12/12 layers + embeddings and head, ...</c>.</summary>
    public string RunsOn => Offload?.Summary ?? Backend.Device.Name;

    /// <summary>The backend layer <paramref name="layer"/> (its weights and KV cache) lives on.</summary>
    internal GgmlBackend LayerBackend(int layer) =>
        DeviceBackend is { } device && Offload!.LayerOnDevice(layer) ? device : Backend;

    internal ModelWeights Weights { get; }

    /// <summary>The CPU thread count in use and how it was chosen; null on backends without threads.</summary>
    public ThreadChoice? ThreadChoice { get; private init; }

    /// <summary>CPU threads the next graph computes with: <see cref="ThreadChoice"/>'s count, or fewer while other work
    /// keeps cores busy (automatic counts of models wholly on the CPU only, see <see cref="ThreadPolicy.UnderLoad"/>); null on backends without threads.</summary>
    public int? ComputeThreads => ThreadChoice is null ? null : Backend.ActiveThreads;

    private LoadAwareThreads? _loadAware;
    private bool _loadAwareTried;

    /// <summary>The calling thread's CPU time when the last graph it ran ended.</summary>
    [ThreadStatic] private static TimeSpan? t_cpuAfterLastGraph;

    /// <summary>Called before each graph of <paramref name="tokens"/> tokens: lowers or restores an automatic thread
    /// count to the cores other work leaves free (a no-op for a count given with --threads, for a model with layers on
    /// a device, or where the machine's CPU counters cannot be read). Returns the calling thread's CPU time and a
    /// timestamp for <see cref="GraphComputed"/> where the count is adjusted, else null.</summary>
    /// <remarks>With part of the graph on a device, the thread that runs it also waits for the device (or, on a
    /// software device such as llvmpipe, hands work to the driver's threads), so its CPU time says neither what our
    /// compute threads used nor what share of a core they got: on a quiet machine, a split model's count dropped to
    /// one thread. There the count stays as chosen, as llama.cpp's does.</remarks>
    internal (TimeSpan Cpu, long Timestamp)? AdjustThreads(int tokens)
    {
        if (!_loadAwareTried)
        {
            _loadAwareTried = true;
            if (ThreadChoice is { } choice && ThreadPolicy.GivesWay(choice) && Backend.SupportsThreads && DeviceBackend is null
                && CpuActivity.TryCreate() is { } activity)
                _loadAware = new LoadAwareThreads(choice, activity);
        }
        if (_loadAware is not { } threads) return null;
        var cpu = ThreadCpuClock.Now();
        var between = cpu is { } now && t_cpuAfterLastGraph is { } after && now > after ? now - after : TimeSpan.Zero;
        Backend.UseThreads(threads.Next(tokens, between));
        return cpu is { } start ? (start, Stopwatch.GetTimestamp()) : null;
    }

    /// <summary>Called after each graph with what <see cref="AdjustThreads"/> returned: counts the graph's CPU time as
    /// this engine's own, so that only other work makes the count give way.</summary>
    internal void GraphComputed((TimeSpan Cpu, long Timestamp)? before)
    {
        if (before is not { } start || _loadAware is not { } threads || ThreadCpuClock.Now() is not { } cpu) return;
        threads.Computed(cpu - start.Cpu, Stopwatch.GetElapsedTime(start.Timestamp), Backend.ActiveThreads);
        t_cpuAfterLastGraph = cpu;
    }

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
        // Building the tokenizer (validating 50k tokens and merges, the BPE tables) is the costliest step of a load, and
        // needs only the parsed metadata: it runs on a worker while this thread loads ggml, creates the backend and
        // places the weights. Load still returns only once both are done, and a tokenizer error is reported first,
        // as when the steps ran one after the other.
        var tokenizerTask = Task.Run(() => OptTokenizer.FromGguf(file));
        Model model;
        try
        {
            model = LoadWeights(path, file, arch, hp, options, progress);
        }
        catch
        {
            if (TokenizerProblem(path, tokenizerTask, hp.VocabSize) is { } tokenizerError) throw tokenizerError;
            throw;
        }
        try
        {
            if (TokenizerProblem(path, tokenizerTask, hp.VocabSize) is { } problem) throw problem;
            model.Tokenizer = tokenizerTask.Result;
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the tokenizer build; the load error its data gives (malformed, or a vocabulary that does not
    /// match the <paramref name="vocabSize"/> embedding rows), or null when it is usable. Any other exception is a bug
    /// and is rethrown as it is.</summary>
    private static ModelLoadException? TokenizerProblem(string path, Task<OptTokenizer> build, int vocabSize)
    {
        OptTokenizer tokenizer;
        try
        {
            tokenizer = build.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is TokenizerFormatException or GgufFormatException)
        {
            return new ModelLoadException(path, ex.Message);
        }
        return tokenizer.VocabularySize == vocabSize ? null
            : new ModelLoadException(path, $"the tokenizer has {tokenizer.VocabularySize} tokens but token_embd.weight has {vocabSize} rows");
    }

    /// <summary>The most q/k/v bytes copied to fuse them on a CPU load that maps the file: 64 MiB (opt-125m F16 has
    /// 42 MB).</summary>
    internal const long MappedFusionLimitBytes = 64L << 20;

    /// <summary>
    /// <paramref name="fusions"/>, or none when the parts that would be copied hold more than <paramref name="limit"/>
    /// bytes. A fused tensor whose parts lie back to back in the file points into the mapped file like any other (this
    /// project's writers place them so); any other is a copy, read whole at load and kept in private memory. On
    /// opt-2.7b F16 (1.26 GB of q/k/v) that copy took load from 0.5 s to 1.6-4.4 s, while prefill and decode were the
    /// same within run-to-run noise either way (2026-12-03, 2 cores): a large model's three matmuls are each big
    /// enough to keep the threads busy, which is what fusing buys a small one.
    /// </summary>
    internal static List<IReadOnlyList<TensorFusion>> FusionsWorthACopy(GgufFile file, List<IReadOnlyList<TensorFusion>> fusions,
        long limit = MappedFusionLimitBytes)
    {
        var bytes = fusions.SelectMany(group => group)
            .Where(f => ModelWeights.Contiguous(file, f) is null)
            .SelectMany(f => f.Parts).Sum(part => file.FindTensor(part)?.ByteSize ?? 0);
        return bytes <= limit ? fusions : [];
    }

    /// <summary>Everything of <see cref="Load"/> but the tokenizer: prompt templates, backends, weights.</summary>
    private static Model LoadWeights(string path, GgufFile file, DecoderArchitecture arch, ModelHyperparameters hp,
        ModelLoadOptions options, IProgress<double>? progress)
    {
        var prompts = PromptFormat.Read(file, path);
        var fusions = options.FuseWeights ? arch.Fusions(hp).ToList() : [];
        foreach (var library in options.BackendPaths ?? []) GgmlBackends.Load(library);
        var threads = ThreadPolicy.Choose(options.Threads, file.Tensors.Sum(t => t.ByteSize), ThreadPolicy.PhysicalCores());
        var device = GgmlDevice.Find(options.Device);
        if (device.Type == GgmlDeviceType.Cpu)
        {
            if (options.GpuLayers is { } asked && asked != GpuLayers.Auto && asked.Resolve(hp.BlockCount) > 0)
                throw new InvalidSettingException("--gpu-layers", $"--gpu-layers {asked} needs a GPU --device; {device.Name} is the CPU");
            var backend = GgmlBackend.Create(options.Device, threads.Threads);
            try
            {
                var repack = options.RepackWeights && CpuRepackBufferType.Find(backend) is { } repackType
                    ? new WeightRepacking(repackType, backend, DecoderArchitecture.MultipliedWeights(hp).Contains, threads.Threads)
                    : null;
                var weights = ModelWeights.Load(file, _ => backend, options.MapFile ? FusionsWorthACopy(file, fusions) : fusions,
                    options.MapFile, progress, repack);
                return new Model(file, arch, hp, backend, null, null, null, weights) { ThreadChoice = backend.SupportsThreads ? threads : null, Prompts = prompts };
            }
            catch
            {
                backend.Dispose();
                throw;
            }
        }

        // Plan in C# from the tensor directory and the device's free memory: a placement that does not fit is refused
        // here, before any device memory is allocated.
        var needs = MemoryNeeds.Of(file, hp, options.Inference ?? new InferenceOptions());
        OffloadPlan plan;
        try { plan = OffloadPlanner.Plan(needs, options.GpuLayers ?? GpuLayers.All, device.Name, (long)device.Memory.Free); }
        catch (DeviceMemoryException ex) { throw new ModelLoadException(path, ex.Message); }

        var cpu = GgmlBackend.Create("cpu", threads.Threads);
        GgmlBackend? gpu = null;
        try
        {
            if (plan.DeviceLayers == 0 && !plan.OuterOnDevice)
            {
                // Nothing fits (or 0 was asked): the plain CPU path, without a scheduler that could still place
                // weightless ops on the device.
                var onCpu = ModelWeights.Load(file, _ => cpu, fusions, options.MapFile, progress);
                return new Model(file, arch, hp, cpu, null, plan, needs, onCpu) { Prompts = prompts };
            }
            gpu = GgmlBackend.Create(device.Name);
            var weights = ModelWeights.Load(file, name => plan.TensorOnDevice(name) ? gpu : cpu, fusions, map: false, progress);
            return new Model(file, arch, hp, cpu, gpu, plan, needs, weights) { ThreadChoice = threads, Prompts = prompts };
        }
        catch
        {
            gpu?.Dispose();
            cpu.Dispose();
            throw;
        }
    }

    /// <summary>Frees weights and backends.</summary>
    public void Dispose()
    {
        // No device buffer may be freed while the device still works on it.
        DeviceBackend?.Synchronize();
        Weights.Dispose();
        DeviceBackend?.Dispose();
        Backend.Dispose();
    }
}
