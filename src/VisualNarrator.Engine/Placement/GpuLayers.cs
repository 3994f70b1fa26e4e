using System.Globalization;

namespace VisualNarrator.Engine.Placement;

/// <summary>How many decoder layers go on the GPU device, as llama.cpp's <c>-ngl</c>: the last ones, so the input
/// embeddings and the first layers stay on the CPU.</summary>
public readonly record struct GpuLayers
{
    private GpuLayers(string kind, int count)
    {
        Kind = kind;
        Count = count;
    }

    /// <summary><c>all</c>, <c>auto</c>, <c>half</c> or <c>count</c>.</summary>
    public string Kind { get; }

    /// <summary>The layer count when <see cref="Kind"/> is <c>count</c>.</summary>
    public int Count { get; }

    /// <summary>Every layer, the output head and the embeddings (full offload); refused when it does not fit.</summary>
    public static GpuLayers All { get; } = new("all", 0);

    /// <summary>The most layers that fit the device's free memory with the KV cache and compute buffers.</summary>
    public static GpuLayers Auto { get; } = new("auto", 0);

    /// <summary>Half the layers (rounded down), e.g. to measure what a split costs.</summary>
    public static GpuLayers Half { get; } = new("half", 0);

    /// <summary>Exactly <paramref name="n"/> layers (0: everything on the CPU).</summary>
    public static GpuLayers Exactly(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        return new("count", n);
    }

    /// <summary>Parses <c>all</c>, <c>auto</c>, <c>half</c> or a non-negative layer count.</summary>
    /// <exception cref="Inference.InvalidSettingException">Anything else; the message says what is expected.</exception>
    public static GpuLayers Parse(string text)
    {
        var t = (text ?? "").Trim().ToLowerInvariant();
        return t switch
        {
            "all" => All,
            "auto" => Auto,
            "half" => Half,
            _ when int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => Exactly(n),
            _ => throw new Inference.InvalidSettingException("--gpu-layers", $"--gpu-layers must be a layer count (0 or more), all, auto or half; got '{text}'"),
        };
    }

    /// <summary>The layer count this asks for in a model of <paramref name="layers"/> layers, or null for auto.</summary>
    /// <exception cref="Inference.InvalidSettingException">More layers than the model has.</exception>
    public int? Resolve(int layers) => Kind switch
    {
        "all" => layers,
        "half" => layers / 2,
        "auto" => null,
        _ => Count <= layers ? Count : throw new Inference.InvalidSettingException("--gpu-layers", $"--gpu-layers {Count} is more than the model's {layers} layers"),
    };

    /// <inheritdoc />
    public override string ToString() => Kind == "count" ? Count.ToString(CultureInfo.InvariantCulture) : Kind ?? "all";
}
