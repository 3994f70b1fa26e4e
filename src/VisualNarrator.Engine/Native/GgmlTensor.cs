using VisualNarrator.Gguf;

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// A ggml tensor: a pointer into its context's memory plus the context, so that every access can first check
/// the context is still alive (a use after <c>ggml_free</c> would crash the process).
/// </summary>
public readonly unsafe struct GgmlTensor : IEquatable<GgmlTensor>
{
    // struct ggml_tensor field offsets (x64, ggml 0.18.0); checked at load time by CheckLayout.
    internal const int TypeOffset = 0;
    internal const int BufferOffset = 8;
    internal const int NeOffset = 16;
    internal const int NbOffset = 48;
    internal const int SrcOffset = 152;
    internal const int MaxSrc = 10;
    internal const int ViewSrcOffset = 232;
    internal const int ViewOffsOffset = 240;
    internal const int DataOffset = 248;
    internal const int NameOffset = 256;
    internal const int StructSize = 336;

    internal GgmlTensor(GgmlContext context, IntPtr handle)
    {
        Context = context;
        Handle = handle;
    }

    /// <summary>The context whose memory holds this tensor's header.</summary>
    public GgmlContext Context { get; }

    /// <summary>The native <c>ggml_tensor*</c>.</summary>
    internal IntPtr Handle { get; }

    /// <summary>The ggml type id (<c>enum ggml_type</c>).</summary>
    public GgmlType Type => (GgmlType)Field<uint>(TypeOffset);

    /// <summary>Number of elements along dimension <paramref name="dim"/> (0 is the innermost).</summary>
    public long Ne(int dim) => Field<long>(NeOffset + 8 * CheckDim(dim));

    /// <summary>Stride in bytes of dimension <paramref name="dim"/>.</summary>
    public ulong Nb(int dim) => Field<ulong>(NbOffset + 8 * CheckDim(dim));

    /// <summary>All four <c>ne</c> values.</summary>
    public long[] Shape => [Ne(0), Ne(1), Ne(2), Ne(3)];

    /// <summary>Total number of elements.</summary>
    public long Nelements => GgmlNative.ggml_nelements(Live);

    /// <summary>Size of the tensor's data in bytes.</summary>
    public ulong Nbytes => GgmlNative.ggml_nbytes(Live);

    /// <summary>The tensor's name (at most 63 bytes of UTF-8).</summary>
    public string Name => GgmlNative.Str(GgmlNative.ggml_get_name(Live));

    /// <summary>The operation that computes the tensor, as ggml names it (<c>MUL_MAT</c>, <c>CONT</c>, <c>VIEW</c>;
    /// <c>NONE</c> for a leaf, the function's name for a unary op).</summary>
    public string OpName => GgmlNative.Str(GgmlNative.ggml_op_desc(Live));

    /// <summary>Whether the elements are laid out densely in ggml order (no gaps, no permutation).</summary>
    public bool IsContiguous => GgmlNative.ggml_is_contiguous(Live);

    /// <summary>Whether the tensor has data memory in a backend buffer (weights allocated, or graph allocated).</summary>
    public bool IsAllocated => Field<IntPtr>(DataOffset) != IntPtr.Zero && Field<IntPtr>(BufferOffset) != IntPtr.Zero;

    /// <summary>The tensor's data as ordinary process memory, when its buffer is one the CPU can address (the CPU
    /// backend's); an empty span otherwise (a device's memory, or not allocated). Valid while the buffer lives.</summary>
    internal unsafe Span<byte> HostData
    {
        get
        {
            var buffer = Field<IntPtr>(BufferOffset);
            var data = Field<IntPtr>(DataOffset);
            if (buffer == IntPtr.Zero || data == IntPtr.Zero || !GgmlNative.ggml_backend_buffer_is_host(buffer)) return [];
            return new Span<byte>((void*)data, checked((int)Nbytes));
        }
    }

    /// <summary>Sets the name (longer names are truncated by ggml) and returns this tensor.</summary>
    public GgmlTensor SetName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        GgmlNative.ggml_set_name(Live, name);
        return this;
    }

    /// <summary>Marks the tensor as a graph input, so the graph allocator gives it memory no other node reuses.</summary>
    public GgmlTensor SetInput()
    {
        GgmlNative.ggml_set_input(Live);
        return this;
    }

    /// <summary>Marks the tensor as a graph output, so the graph allocator does not reuse its memory.</summary>
    public GgmlTensor SetOutput()
    {
        GgmlNative.ggml_set_output(Live);
        return this;
    }

    /// <summary>Copies <paramref name="source"/> into the tensor's backend memory at <paramref name="byteOffset"/>.</summary>
    public void SetData<T>(ReadOnlySpan<T> source, ulong byteOffset = 0) where T : unmanaged
    {
        var size = CheckTransfer((ulong)source.Length * (ulong)sizeof(T), byteOffset);
        // ggml asserts a whole-tensor write into a repack buffer, which would end the process.
        if (InRepackBuffer && (byteOffset != 0 || size != Nbytes))
            throw new ArgumentException($"tensor '{Name}' is in a {GgmlNative.CpuRepackBufferTypeName} buffer, which takes only whole-tensor writes ({Nbytes} bytes at offset 0), not {size} at {byteOffset}");
        fixed (T* p = source)
            GgmlNative.ggml_backend_tensor_set(Handle, p, (nuint)byteOffset, (nuint)size);
    }

    /// <summary>Copies the tensor's backend memory at <paramref name="byteOffset"/> into <paramref name="destination"/>.</summary>
    public void GetData<T>(Span<T> destination, ulong byteOffset = 0) where T : unmanaged
    {
        var size = CheckTransfer((ulong)destination.Length * (ulong)sizeof(T), byteOffset);
        // Such a buffer has no read function: ggml would call a null pointer.
        if (InRepackBuffer)
            throw new InvalidOperationException($"tensor '{Name}' is in a {GgmlNative.CpuRepackBufferTypeName} buffer, whose rearranged data cannot be read back");
        fixed (T* p = destination)
            GgmlNative.ggml_backend_tensor_get(Handle, p, (nuint)byteOffset, (nuint)size);
    }

    /// <summary>Whether the tensor lives in the CPU repack buffer type (plain host buffers answer at the first check).</summary>
    internal bool InRepackBuffer
    {
        get
        {
            var buffer = Field<IntPtr>(BufferOffset);
            return buffer != IntPtr.Zero && !GgmlNative.ggml_backend_buffer_is_host(buffer)
                && GgmlNative.Str(GgmlNative.ggml_backend_buft_name(GgmlNative.ggml_backend_buffer_get_type(buffer))) == GgmlNative.CpuRepackBufferTypeName;
        }
    }

    /// <summary>Reads the whole tensor as elements of <typeparamref name="T"/> (e.g. float for F32, Half for F16).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var bytes = Nbytes;
        if (bytes % (ulong)sizeof(T) != 0)
            throw new InvalidOperationException($"Tensor '{Name}' has {bytes} bytes, not a multiple of {typeof(T).Name} ({sizeof(T)} bytes).");
        var result = new T[bytes / (ulong)sizeof(T)];
        GetData<T>(result);
        return result;
    }

    /// <summary>Shape and type as text for messages, e.g. <c>f32 [4, 3, 1, 1]</c>.</summary>
    public override string ToString()
    {
        if (Handle == IntPtr.Zero) return "(null tensor)";
        if (Context.IsDisposed) return "(tensor of a disposed context)";
        return $"{Ggml.TypeName(Type)} [{Ne(0)}, {Ne(1)}, {Ne(2)}, {Ne(3)}]";
    }

    /// <inheritdoc/>
    public bool Equals(GgmlTensor other) => Handle == other.Handle;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GgmlTensor t && Equals(t);

    /// <inheritdoc/>
    public override int GetHashCode() => Handle.GetHashCode();

    /// <summary>Same native tensor.</summary>
    public static bool operator ==(GgmlTensor left, GgmlTensor right) => left.Equals(right);

    /// <summary>Different native tensors.</summary>
    public static bool operator !=(GgmlTensor left, GgmlTensor right) => !left.Equals(right);

    /// <summary>The handle, after checking the tensor is real and its context alive.</summary>
    internal IntPtr Live
    {
        get
        {
            if (Handle == IntPtr.Zero || Context is null)
                throw new InvalidOperationException("Uninitialized GgmlTensor (default value).");
            Context.ThrowIfDisposed();
            return Handle;
        }
    }

    internal TField Field<TField>(int offset) where TField : unmanaged
        => Unsafe.ReadUnaligned<TField>((byte*)Live + offset);

    internal IntPtr Src(int i) => Field<IntPtr>(SrcOffset + 8 * i);

    /// <summary>Whether this tensor is a view of another.</summary>
    internal bool IsView => Field<IntPtr>(ViewSrcOffset) != IntPtr.Zero;

    /// <summary>The tensor a view ultimately points into, and the view's byte offset in it.</summary>
    internal (IntPtr Base, ulong Offset) ViewBase()
    {
        var src = Field<IntPtr>(ViewSrcOffset);
        return src == IntPtr.Zero ? (Handle, 0UL) : (src, Field<ulong>(ViewOffsOffset));
    }

    private ulong CheckTransfer(ulong size, ulong byteOffset)
    {
        var live = Live;
        if (!IsAllocated)
            throw new InvalidOperationException(
                $"Tensor '{Name}' {this} has no backend memory yet: allocate its context's tensors or its graph first.");
        var nbytes = (ulong)GgmlNative.ggml_nbytes(live);
        if (byteOffset > nbytes || size > nbytes - byteOffset)
            throw new ArgumentOutOfRangeException(nameof(byteOffset),
                $"Transfer of {size} bytes at offset {byteOffset} exceeds tensor '{Name}' {this} of {nbytes} bytes.");
        return size;
    }

    private static int CheckDim(int dim)
        => (uint)dim < 4 ? dim : throw new ArgumentOutOfRangeException(nameof(dim), dim, "ggml tensors have dimensions 0..3.");

    /// <summary>
    /// Checks the field offsets above against the loaded library, using only API calls as the reference,
    /// so a layout change fails loudly instead of corrupting memory.
    /// </summary>
    internal static void CheckLayout()
    {
        if (sizeof(GgmlNative.InitParams) != 24)
            throw new InvalidOperationException($"ggml_init_params marshals as {sizeof(GgmlNative.InitParams)} bytes, expected 24.");
        var overhead = (ulong)GgmlNative.ggml_tensor_overhead();
        if (overhead < StructSize)
            throw new InvalidOperationException($"ggml_tensor_overhead() is {overhead}, smaller than the expected ggml_tensor size {StructSize}.");

        var ctx = GgmlNative.ggml_init(new GgmlNative.InitParams { MemSize = (nuint)(4 * overhead), NoAlloc = 1 });
        if (ctx == IntPtr.Zero) throw new InvalidOperationException("ggml_init failed during the layout check.");
        try
        {
            var t = GgmlNative.ggml_new_tensor_4d(ctx, (uint)GgmlType.F16, 3, 5, 7, 11);
            GgmlNative.ggml_set_name(t, "layout-check");
            var v = GgmlNative.ggml_view_1d(ctx, t, 4, 6);
            var p = (byte*)t;
            bool ok = *(uint*)(p + TypeOffset) == (uint)GgmlType.F16
                && *(long*)(p + NeOffset) == 3 && *(long*)(p + NeOffset + 8) == 5
                && *(long*)(p + NeOffset + 16) == 7 && *(long*)(p + NeOffset + 24) == 11
                && *(ulong*)(p + NbOffset) == 2 && *(ulong*)(p + NbOffset + 24) == 2 * 3 * 5 * 7
                && (ulong)GgmlNative.ggml_nbytes(t) == 2 * 3 * 5 * 7 * 11
                && GgmlNative.ggml_get_name(t) == (IntPtr)(p + NameOffset)
                && Marshal.PtrToStringUTF8((IntPtr)(p + NameOffset)) == "layout-check"
                && *(IntPtr*)(p + DataOffset) == IntPtr.Zero
                && *(IntPtr*)((byte*)v + ViewSrcOffset) == t
                && *(ulong*)((byte*)v + ViewOffsOffset) == 6
                && *(IntPtr*)((byte*)v + SrcOffset) == t;
            if (!ok)
                throw new InvalidOperationException(
                    "The loaded ggml's struct ggml_tensor layout differs from the one this engine was written for (ggml 0.18.0).");
        }
        finally
        {
            GgmlNative.ggml_free(ctx);
        }
    }
}
