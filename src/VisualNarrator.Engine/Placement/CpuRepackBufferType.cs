using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Placement;

/// <summary>
/// The CPU backend's repack buffer type (ggml's "extra buffer type" <c>CPU_REPACK</c>, which llama.cpp uses for
/// Q4_0 / Q4_K / IQ4_NL weights): a weight written into it is rearranged into interleaved blocks of 8 rows, which the
/// CPU's matmul kernels read several rows at a time. Only a weight that <see cref="Takes"/> accepts may go there, and
/// only as a whole (see <see cref="GgmlNative.CpuRepackBufferTypeName"/>).
/// </summary>
internal sealed unsafe class CpuRepackBufferType
{
    /// <summary>Activation rows of the mul_mat the device is asked about (llama.cpp asks with 512).</summary>
    private const long ProbeRows = 512;

    private readonly IntPtr _bufferType;
    private readonly IntPtr _device;
    private readonly Dictionary<(GgmlType Type, long Columns, long Rows), bool> _answers = [];

    private CpuRepackBufferType(IntPtr bufferType, IntPtr device)
    {
        _bufferType = bufferType;
        _device = device;
    }

    /// <summary>
    /// Weight types checked on this ggml build (their logits with and without repacking are compared by the tests).
    /// Q8_0 is left out: repacking it crashed in this build, and a native crash ends the process.
    /// </summary>
    public static IReadOnlySet<GgmlType> CheckedTypes { get; } = new HashSet<GgmlType> { GgmlType.Q4_0, GgmlType.Q4_K };

    /// <summary>The repack buffer type of <paramref name="cpu"/>'s device, or null when the backend is not the CPU, its
    /// registry exports no extra buffer types, or none of them is <c>CPU_REPACK</c> usable by the device.</summary>
    public static CpuRepackBufferType? Find(GgmlBackend cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (!cpu.IsCpu) return null;
        var device = cpu.Device.Handle;
        var reg = GgmlNative.ggml_backend_dev_backend_reg(device);
        if (reg == IntPtr.Zero) return null;
        var extraTypes = (delegate* unmanaged<IntPtr, IntPtr*>)GgmlNative.ggml_backend_reg_get_proc_address(reg, GgmlNative.GetExtraBufferTypesProc);
        if (extraTypes == null) return null;
        for (var type = extraTypes(device); type != null && *type != IntPtr.Zero; type++)
        {
            if (GgmlNative.Str(GgmlNative.ggml_backend_buft_name(*type)) == GgmlNative.CpuRepackBufferTypeName
                && GgmlNative.ggml_backend_dev_supports_buft(device, *type))
                return new CpuRepackBufferType(*type, device);
        }
        return null;
    }

    /// <summary>
    /// Whether a weight of <paramref name="type"/> and ggml shape <paramref name="shape"/> {columns, rows}, used only as
    /// the matrix of mul_mat with F32 activations, may be placed here: the type is one of <see cref="CheckedTypes"/>,
    /// the weight is 2-D, and the device, asked about that mul_mat with the weight in this buffer type, says it runs
    /// it (ggml-cpu answers yes only where it has a repacked kernel for the type, the row count and this CPU).
    /// </summary>
    public bool Takes(GgmlType type, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!CheckedTypes.Contains(type) || shape.Count != 2 || shape[0] % GgmlTypeInfo.BlockSize(type) != 0) return false;
        var key = (type, shape[0], shape[1]);
        if (!_answers.TryGetValue(key, out var answer)) _answers[key] = answer = Ask(type, shape[0], shape[1]);
        return answer;
    }

    /// <summary>Gives every tensor of <paramref name="context"/> (each accepted by <see cref="Takes"/>) memory in one
    /// new buffer of this type; write each one whole with <see cref="GgmlTensor.SetData{T}"/>.</summary>
    public GgmlBackendBuffer Allocate(GgmlContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var buffer = GgmlNative.ggml_backend_alloc_ctx_tensors_from_buft(context.Handle, _bufferType);
        if (buffer == IntPtr.Zero) throw new InvalidOperationException($"ggml allocated no {GgmlNative.CpuRepackBufferTypeName} buffer (out of memory?)");
        return new GgmlBackendBuffer(buffer) { Usage = GgmlBufferUsage.Weights };
    }

    /// <summary>Asks the device as llama.cpp does, with a weight really in a buffer of this type (its memory is never
    /// touched: no data is written, so no repacking runs).</summary>
    private bool Ask(GgmlType type, long columns, long rows)
    {
        using var weights = GgmlContext.Create(1);
        var weight = weights.NewTensor(type, columns, rows);
        using var buffer = Allocate(weights);
        using var ops = GgmlContext.Create(2);
        var product = ops.MulMat(weight, ops.NewTensor(GgmlType.F32, columns, ProbeRows));
        return GgmlNative.ggml_backend_dev_supports_op(_device, product.Handle);
    }
}
