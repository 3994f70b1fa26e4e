using System.Globalization;

namespace VisualNarrator.Engine.Placement;

/// <summary>Thrown when the requested placement does not fit the device; nothing native was allocated.</summary>
/// <param name="message">What was asked, what it needs, what the device has, and what would fit.</param>
public sealed class DeviceMemoryException(string message) : Exception(message);

/// <summary>
/// Where a model's parts live: the last <see cref="DeviceLayers"/> layers (weights and KV cache) on the device, the
/// rest on the CPU; the outer weights (embeddings, output norm and head) on the device only when every layer is and
/// they fit too.
/// </summary>
/// <param name="Device">Device name, e.g. <c>Vulkan0</c>.</param>
/// <param name="LayerCount">Layers in the model.</param>
/// <param name="DeviceLayers">Layers on the device (the last ones).</param>
/// <param name="OuterOnDevice">Embeddings, output norm and head on the device.</param>
/// <param name="DeviceBytes">Device memory the plan needs: weights, KV cache and compute buffer.</param>
/// <param name="DeviceFreeBytes">Free device memory when planned.</param>
/// <param name="Reason">Why this split, in one sentence (printed by the CLI, shown by the web app).</param>
public sealed record OffloadPlan(string Device, int LayerCount, int DeviceLayers, bool OuterOnDevice, long DeviceBytes,
    long DeviceFreeBytes, string Reason)
{
    /// <summary>Whether layer <paramref name="layer"/> runs on the device.</summary>
    public bool LayerOnDevice(int layer) => layer >= LayerCount - DeviceLayers;

    /// <summary>Whether the weight named <paramref name="tensorName"/> lives on the device.</summary>
    public bool TensorOnDevice(string tensorName) =>
        MemoryNeeds.LayerOf(tensorName) is { } layer ? LayerOnDevice(layer) : OuterOnDevice;

    /// <summary>Whether everything runs on the device (only inputs and logits cross).</summary>
    public bool IsFull => DeviceLayers == LayerCount && OuterOnDevice;

    /// <summary>e.g. <c>Vulkan0: 12/12 layers + head, 312 MiB of 2048 MiB free</c>.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{Device}: {DeviceLayers}/{LayerCount} layers{(OuterOnDevice ? " + embeddings and head" : "")}, {OffloadPlanner.MiB(DeviceBytes)} of {OffloadPlanner.MiB(DeviceFreeBytes)} free");
}

/// <summary>Chooses how many layers go on a device from <see cref="MemoryNeeds"/> and the device's free memory.</summary>
public static class OffloadPlanner
{
    /// <summary>Share of free memory left unplanned, for the driver's own buffers and fragmentation.</summary>
    public const double Headroom = 0.05;

    /// <summary>Device bytes for the last <paramref name="layers"/> layers (weights and KV), the compute buffer when
    /// anything is on the device, and the outer weights when <paramref name="outer"/>.</summary>
    public static long DeviceBytes(MemoryNeeds needs, int layers, bool outer)
    {
        ArgumentNullException.ThrowIfNull(needs);
        long bytes = 0;
        for (var l = needs.LayerCount - layers; l < needs.LayerCount; l++) bytes += needs.LayerWeightBytes[l] + needs.KvBytesPerLayer;
        if (outer) bytes += needs.OuterWeightBytes;
        if (layers > 0 || outer) bytes += needs.ComputeBytes;
        return bytes;
    }

    /// <summary>The memory a device with <paramref name="freeBytes"/> free may be planned to use.</summary>
    public static long Budget(long freeBytes) => (long)(freeBytes * (1 - Headroom));

    /// <summary>Plans <paramref name="request"/> on <paramref name="device"/>.</summary>
    /// <exception cref="DeviceMemoryException">An explicit layer count (or all) does not fit; the message says what
    /// would.</exception>
    /// <exception cref="ArgumentException">More layers asked for than the model has.</exception>
    public static OffloadPlan Plan(MemoryNeeds needs, GpuLayers request, string device, long freeBytes)
    {
        ArgumentNullException.ThrowIfNull(needs);
        var layers = needs.LayerCount;
        var budget = Budget(freeBytes);
        var best = Enumerable.Range(0, layers + 1).Last(n => n == 0 || DeviceBytes(needs, n, false) <= budget);
        var asked = request.Resolve(layers);
        if (asked is not { } n)
        {
            var outer = best == layers && DeviceBytes(needs, layers, true) <= budget;
            var used = DeviceBytes(needs, best, outer);
            var why = best == layers
                ? $"every layer fits ({MiB(DeviceBytes(needs, layers, false))})" + (outer ? ", and the embeddings and head too" : $"; the embeddings and head ({MiB(needs.OuterWeightBytes)}) do not, so they stay on the CPU")
                : best == 0
                    ? $"not even one layer fits (one needs {MiB(DeviceBytes(needs, 1, false))} with the compute buffer), so everything stays on the CPU"
                    : $"{best + 1} layers would need {MiB(DeviceBytes(needs, best + 1, false))}";
            return new(device, layers, best, outer, used, freeBytes, (
                $"--gpu-layers auto chose {best} of {layers} layers for {device}: {MiB(used)} of {MiB(budget)} usable " +
                $"({MiB(freeBytes)} free less {HeadroomText} headroom); {why}."));
        }
        var needOuter = request == GpuLayers.All;
        var need = DeviceBytes(needs, n, needOuter);
        if (need > budget)
            throw new DeviceMemoryException((
                $"--gpu-layers {request} needs {MiB(need)} on {device} (weights {MiB(need - (n > 0 || needOuter ? needs.ComputeBytes : 0) - n * needs.KvBytesPerLayer)}, " +
                $"KV cache {MiB(n * needs.KvBytesPerLayer)}, compute {MiB(n > 0 || needOuter ? needs.ComputeBytes : 0)}) but {MiB(budget)} are usable " +
                $"({MiB(freeBytes)} free less {HeadroomText} headroom); --gpu-layers {best} fits (or use auto, a smaller --context or a smaller quantization)"));
        var withOuter = n == layers && DeviceBytes(needs, n, true) <= budget;
        var bytes = DeviceBytes(needs, n, withOuter);
        return new(device, layers, n, withOuter, bytes, freeBytes, (
            $"--gpu-layers {request}: {n} of {layers} layers on {device}{(withOuter ? " with the embeddings and head" : "")}, {MiB(bytes)} of {MiB(budget)} usable."));
    }

    private const string HeadroomText = "5%";

    /// <summary>Bytes as MiB with one decimal, e.g. <c>312.5 MiB</c>.</summary>
    public static string MiB(long bytes) => Inv($"{bytes / 1048576.0:F1} MiB");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
