using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Services;

/// <summary>The <c>Narrator</c> configuration section (appsettings, environment <c>Narrator__*</c>, or the command line:
/// <c>--Narrator:KEY=VALUE</c>, or the switches of <see cref="NarratorSwitches"/>: <c>--model</c>, <c>--models-folder</c>,
/// <c>--api-key</c>, <c>--api-key-file</c>).</summary>
public sealed class NarratorOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Narrator";

    /// <summary>Folder holding the .gguf models the app may load, relative to the content root unless absolute.
    /// Only files inside it are offered or accepted. Default <c>models</c>.</summary>
    public string ModelsFolder { get; set; } = "models";

    /// <summary>Model loaded at start, relative to <see cref="ModelsFolder"/> (a path outside it is refused).
    /// Default <c>narrator.gguf</c>.</summary>
    public string DefaultModel { get; set; } = "narrator.gguf";

    /// <summary>The start model as given to <c>--model</c>: a name relative to <see cref="ModelsFolder"/>, or a path
    /// with a folder, which then becomes the models folder unless <c>--models-folder</c> is given too. Once the options
    /// are bound it has been moved into <see cref="DefaultModel"/> (and <see cref="ModelsFolder"/>). Null: not given.</summary>
    public string? Model { get; set; }

    /// <summary>When set, the whole app requires this key: the HTTP API (<c>/v1/*</c>) as <c>Authorization: Bearer KEY</c>,
    /// the studio through a sign-in page that sets a cookie. Only a minimal <c>/health</c> stays open. Also read from
    /// the environment variable <c>NARRATOR_API_KEY</c> or from <see cref="ApiKeyFile"/> (unlike <c>--api-key</c>,
    /// neither shows in the process list).</summary>
    public string? ApiKey { get; set; }

    /// <summary>A file holding the API key (its first line; surrounding white space ignored). Takes precedence over
    /// <see cref="ApiKey"/>.</summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>Largest request body the API reads, in bytes; larger requests are answered 413. Default 1 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 1 << 20;

    /// <summary>ggml device ("cpu", or a GPU device such as CUDA0 or Vulkan0 where that backend is installed).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>On a GPU <see cref="Device"/>: layers to put there, as <c>narrator --gpu-layers</c> (a count, all, auto or
    /// half); null: all (full offload).</summary>
    public string? GpuLayers { get; set; }

    /// <summary>ggml backend libraries to load at start (e.g. libggml-vulkan.so), besides GGML_BACKEND_PATH.</summary>
    public string[] BackendPaths { get; set; } = [];

    /// <summary>CPU threads for the engine (0: one per logical processor).</summary>
    public int Threads { get; set; }

    /// <summary>Narrations decoded together in one batch.</summary>
    public int MaxSequences { get; set; } = 8;

    /// <summary>Narrations that may wait for a slot, over all users; more are answered "busy".</summary>
    public int MaxWaiting { get; set; } = 64;

    /// <summary>KV-cache cells shared by running narrations (0, the default: the model's context length).</summary>
    public int ContextSize { get; set; } = new InferenceOptions().ContextSize;

    /// <summary>Longest prompt accepted, in characters; longer input is refused with a message.</summary>
    public int MaxPromptCharacters { get; set; } = 2000;

    /// <summary>Prompts are cut from the left to this many tokens (the seed model cut at 128).</summary>
    public int MaxPromptTokens { get; set; } = 128;

    /// <summary>Largest max_new_tokens accepted; more is refused with a message.</summary>
    public int MaxNewTokensLimit { get; set; } = 512;

    /// <summary>How long running narrations of the old model may run on after a model switch before they are cancelled.</summary>
    public TimeSpan SwitchGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The scheduler these options describe: its queue holds <see cref="MaxWaiting"/> narrations beyond those
    /// running, and it refuses input over the limits.</summary>
    public SchedulerOptions Scheduler() => new()
    {
        MaxSequences = MaxSequences,
        QueueCapacity = MaxWaiting,
        Inference = new InferenceOptions { ContextSize = ContextSize },
        MaxPromptCharacters = MaxPromptCharacters,
        MaxNewTokensLimit = MaxNewTokensLimit,
    };

    /// <summary>How to load a model: device, threads, layer split, backends, and the context the device plan makes room for.</summary>
    public ModelLoadOptions LoadOptions() =>
        new(Device, Threads, GpuLayers is { } layers ? Engine.Placement.GpuLayers.Parse(layers) : null, BackendPaths, Scheduler().Inference);
}
