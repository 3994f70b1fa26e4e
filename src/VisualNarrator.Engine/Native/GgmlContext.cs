using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// A ggml context holding tensor headers and graphs only (<c>no_alloc</c>): tensor data lives in backend buffers.
/// Op builders are methods here; each checks shapes in C# first, because a failed GGML_ASSERT ends the process.
/// </summary>
/// <remarks>
/// No finalizer on purpose: <see cref="GgmlTensor"/> values point into this memory, and freeing it behind their
/// back from the GC thread would turn a leak into a crash. Dispose it.
/// </remarks>
public sealed class GgmlContext : IDisposable
{
    private IntPtr handle;

    private GgmlContext(IntPtr handle) => this.handle = handle;

    /// <summary>
    /// Creates a context with room for <paramref name="maxTensors"/> tensor headers (every op result and view is one)
    /// and, when <paramref name="graphSize"/> is positive, one graph of that many nodes plus leafs.
    /// </summary>
    public static GgmlContext Create(int maxTensors, int graphSize = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTensors);
        ArgumentOutOfRangeException.ThrowIfNegative(graphSize);
        GgmlLibrary.EnsureLoaded();
        ulong size = (ulong)maxTensors * GgmlNative.ggml_tensor_overhead();
        if (graphSize > 0) size += GgmlNative.ggml_graph_overhead_custom((nuint)graphSize, false);
        var ctx = GgmlNative.ggml_init(new GgmlNative.InitParams { MemSize = (nuint)size, MemBuffer = IntPtr.Zero, NoAlloc = 1 });
        if (ctx == IntPtr.Zero) throw new OutOfMemoryException($"ggml_init could not get {size} bytes.");
        return new GgmlContext(ctx);
    }

    /// <summary>The native <c>ggml_context*</c>.</summary>
    internal IntPtr Handle
    {
        get
        {
            ThrowIfDisposed();
            return handle;
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => handle == IntPtr.Zero;

    /// <summary>Bytes of context memory still free for headers.</summary>
    public ulong FreeBytes => GgmlNative.ggml_get_mem_size(Handle) - GgmlNative.ggml_used_mem(Handle);

    /// <summary>Frees the context and everything in it (once; later calls do nothing).</summary>
    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) GgmlNative.ggml_free(h);
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(handle == IntPtr.Zero, this);

    // ---------------- tensors ----------------

    /// <summary>New 1-D tensor of ggml type <paramref name="type"/> (no data until allocated in a backend buffer).</summary>
    public GgmlTensor NewTensor(GgmlType type, long ne0) => NewTensor(type, [ne0]);

    /// <summary>New 2-D tensor: <paramref name="ne0"/> is the row length.</summary>
    public GgmlTensor NewTensor(GgmlType type, long ne0, long ne1) => NewTensor(type, [ne0, ne1]);

    /// <summary>New 3-D tensor.</summary>
    public GgmlTensor NewTensor(GgmlType type, long ne0, long ne1, long ne2) => NewTensor(type, [ne0, ne1, ne2]);

    /// <summary>New 4-D tensor.</summary>
    public GgmlTensor NewTensor(GgmlType type, long ne0, long ne1, long ne2, long ne3) => NewTensor(type, [ne0, ne1, ne2, ne3]);

    private GgmlTensor NewTensor(GgmlType type, long[] ne)
    {
        if (!Ggml.IsKnownType(type)) throw new ArgumentOutOfRangeException(nameof(type), type, "Not a ggml type id.");
        foreach (var n in ne)
            if (n <= 0) throw new ArgumentException($"Tensor dimensions must be positive; got [{string.Join(", ", ne)}].", nameof(ne));
        var block = Ggml.BlockSize(type);
        if (ne[0] % block != 0)
            throw new ArgumentException($"{Ggml.TypeName(type)} rows need a multiple of {block} elements; got ne0 = {ne[0]}.", nameof(ne));
        var h = Room();
        return Wrap(ne.Length switch
        {
            1 => GgmlNative.ggml_new_tensor_1d(h, (uint)type, ne[0]),
            2 => GgmlNative.ggml_new_tensor_2d(h, (uint)type, ne[0], ne[1]),
            3 => GgmlNative.ggml_new_tensor_3d(h, (uint)type, ne[0], ne[1], ne[2]),
            _ => GgmlNative.ggml_new_tensor_4d(h, (uint)type, ne[0], ne[1], ne[2], ne[3]),
        });
    }

    /// <summary>A graph with room for <paramref name="size"/> nodes plus leafs, living in this context.</summary>
    public GgmlGraph NewGraph(int size = 2048)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var need = (ulong)GgmlNative.ggml_graph_overhead_custom((nuint)size, false);
        if (FreeBytes < need)
            throw new InvalidOperationException($"Context has {FreeBytes} bytes free; a graph of {size} needs {need}. Create it with a larger graphSize.");
        var g = GgmlNative.ggml_new_graph_custom(handle, (nuint)size, false);
        if (g == IntPtr.Zero) throw new InvalidOperationException("ggml_new_graph_custom returned null.");
        return new GgmlGraph(this, g, size);
    }

    // ---------------- ops ----------------

    /// <summary>Rows of <paramref name="table"/> picked by I32 <paramref name="indices"/> (embedding lookup); F32 result.</summary>
    public GgmlTensor GetRows(GgmlTensor table, GgmlTensor indices)
    {
        Use(table, indices);
        if (indices.Type != GgmlType.I32) throw Shapes("GetRows", "indices must be I32", table, indices);
        if (table.Ne(2) != indices.Ne(1) || indices.Ne(3) != 1)
            throw Shapes("GetRows", "need table.ne2 == indices.ne1 and indices.ne3 == 1", table, indices);
        return Wrap(GgmlNative.ggml_get_rows(Room(), table.Handle, indices.Handle));
    }

    /// <summary>
    /// Writes the rows of <paramref name="source"/> into rows <paramref name="indices"/> (I64) of
    /// <paramref name="destination"/> (e.g. a KV cache), converting type; returns a view of the destination.
    /// Index values must be in [0, destination.ne1) when the graph runs, or ggml aborts: check them before setting.
    /// </summary>
    public GgmlTensor SetRows(GgmlTensor destination, GgmlTensor source, GgmlTensor indices)
    {
        Use(destination, source, indices);
        if (indices.Type != GgmlType.I64 && indices.Type != GgmlType.I32)
            throw Shapes("SetRows", "indices must be I64 or I32", source, indices);
        if (source.Type != GgmlType.F32) throw Shapes("SetRows", "source must be F32", destination, source);
        if (destination.Ne(0) != source.Ne(0) || indices.Ne(0) != source.Ne(1)
            || destination.Ne(2) != source.Ne(2) || destination.Ne(3) != source.Ne(3)
            || indices.Ne(3) != 1 || destination.Ne(2) % indices.Ne(1) != 0 || destination.Ne(3) % indices.Ne(2) != 0)
            throw Shapes("SetRows", $"need dst.ne0 == src.ne0, indices.ne0 == src.ne1 (indices {indices}), matching ne2/ne3", destination, source);
        return Wrap(GgmlNative.ggml_set_rows(Room(), destination.Handle, source.Handle, indices.Handle));
    }

    /// <summary>Normalizes each row to zero mean and unit variance (LayerNorm without affine).</summary>
    public GgmlTensor Norm(GgmlTensor x, float eps)
    {
        Use(x);
        if (x.Type != GgmlType.F32) throw new ArgumentException($"Norm needs an F32 input; got {x}.", nameof(x));
        return Wrap(GgmlNative.ggml_norm(Room(), x.Handle, eps));
    }

    /// <summary>Element-wise a + b, b broadcast over a (b's dims must divide a's).</summary>
    public GgmlTensor Add(GgmlTensor a, GgmlTensor b) => Wrap(GgmlNative.ggml_add(Room(), Broadcast("Add", a, b).Handle, b.Handle));

    /// <summary>Element-wise a * b, b broadcast over a (b's dims must divide a's).</summary>
    public GgmlTensor Mul(GgmlTensor a, GgmlTensor b) => Wrap(GgmlNative.ggml_mul(Room(), Broadcast("Mul", a, b).Handle, b.Handle));

    /// <summary>
    /// ggml's matrix product: for weight <paramref name="a"/> [k, n] and input <paramref name="b"/> [k, m],
    /// the result is [n, m] with result[i, j] = dot(a row i, b row j), i.e. b · aᵀ in row-major terms.
    /// </summary>
    public GgmlTensor MulMat(GgmlTensor a, GgmlTensor b)
    {
        Use(a, b);
        if (a.Ne(0) != b.Ne(0) || b.Ne(2) % a.Ne(2) != 0 || b.Ne(3) % a.Ne(3) != 0)
            throw Shapes("MulMat", "need a.ne0 == b.ne0 and a.ne2, a.ne3 dividing b.ne2, b.ne3", a, b);
        if (GgmlNative.ggml_is_transposed(a.Handle))
            throw Shapes("MulMat", "a must not be transposed (use Cont first)", a, b);
        if (b.Type != GgmlType.F32 && b.Type != GgmlType.F16)
            throw Shapes("MulMat", "b must be F32 or F16", a, b);
        return Wrap(GgmlNative.ggml_mul_mat(Room(), a.Handle, b.Handle));
    }

    /// <summary>max(x, 0).</summary>
    public GgmlTensor Relu(GgmlTensor x) => Wrap(GgmlNative.ggml_relu(Room(), Use(x).Handle));

    /// <summary>GELU (ggml's tanh approximation, as GPT-2 uses).</summary>
    public GgmlTensor Gelu(GgmlTensor x) => Wrap(GgmlNative.ggml_gelu(Room(), Use(x).Handle));

    /// <summary>1-D view of <paramref name="ne0"/> elements at byte <paramref name="offset"/>.</summary>
    public GgmlTensor View(GgmlTensor a, long ne0, ulong offset)
        => Wrap(GgmlNative.ggml_view_1d(Room(), CheckView(a, offset, ne0).Handle, ne0, (nuint)offset));

    /// <summary>2-D view: rows of <paramref name="ne0"/> elements, <paramref name="nb1"/> bytes apart.</summary>
    public GgmlTensor View(GgmlTensor a, long ne0, long ne1, ulong nb1, ulong offset)
        => Wrap(GgmlNative.ggml_view_2d(Room(), CheckView(a, offset, ne0, ne1).Handle, ne0, ne1, (nuint)nb1, (nuint)offset));

    /// <summary>3-D view with row stride <paramref name="nb1"/> and slice stride <paramref name="nb2"/> in bytes.</summary>
    public GgmlTensor View(GgmlTensor a, long ne0, long ne1, long ne2, ulong nb1, ulong nb2, ulong offset)
        => Wrap(GgmlNative.ggml_view_3d(Room(), CheckView(a, offset, ne0, ne1, ne2).Handle, ne0, ne1, ne2, (nuint)nb1, (nuint)nb2, (nuint)offset));

    /// <summary>Same data seen as [ne0, ne1]; <paramref name="a"/> must be contiguous.</summary>
    public GgmlTensor Reshape(GgmlTensor a, long ne0, long ne1)
        => Wrap(GgmlNative.ggml_reshape_2d(Room(), CheckReshape(a, ne0 * ne1).Handle, ne0, ne1));

    /// <summary>Same data seen as [ne0, ne1, ne2]; <paramref name="a"/> must be contiguous.</summary>
    public GgmlTensor Reshape(GgmlTensor a, long ne0, long ne1, long ne2)
        => Wrap(GgmlNative.ggml_reshape_3d(Room(), CheckReshape(a, ne0 * ne1 * ne2).Handle, ne0, ne1, ne2));

    /// <summary>View with dimension i of <paramref name="a"/> moved to position axis_i (ggml_permute semantics).</summary>
    public GgmlTensor Permute(GgmlTensor a, int axis0, int axis1, int axis2, int axis3)
    {
        Use(a);
        int[] axes = [axis0, axis1, axis2, axis3];
        if (axes.Any(x => x is < 0 or > 3) || axes.Distinct().Count() != 4)
            throw new ArgumentException($"Permute axes must be a permutation of 0..3; got ({string.Join(", ", axes)}).");
        return Wrap(GgmlNative.ggml_permute(Room(), a.Handle, axis0, axis1, axis2, axis3));
    }

    /// <summary>Contiguous copy (needed after permute/transpose before reshape or as mul_mat's first operand).</summary>
    public GgmlTensor Cont(GgmlTensor a) => Wrap(GgmlNative.ggml_cont(Room(), Use(a).Handle));

    /// <summary>A contiguous F32 copy of <paramref name="a"/> (which may be a strided view) with
    /// <paramref name="elements"/> zeros appended to every row.</summary>
    public GgmlTensor PadRows(GgmlTensor a, int elements)
    {
        Use(a);
        if (a.Type != GgmlType.F32) throw new ArgumentException($"PadRows needs an F32 input; got {a}.", nameof(a));
        ArgumentOutOfRangeException.ThrowIfNegative(elements);
        return Wrap(GgmlNative.ggml_pad(Room(), a.Handle, elements, 0, 0, 0));
    }

    /// <summary>View with the first two dimensions swapped.</summary>
    internal GgmlTensor Transpose(GgmlTensor a) => Wrap(GgmlNative.ggml_transpose(Room(), Use(a).Handle));

    /// <summary>Copies <paramref name="a"/> into <paramref name="b"/> (converting type; either may be a strided view);
    /// returns a view of b.</summary>
    internal GgmlTensor Cpy(GgmlTensor a, GgmlTensor b)
    {
        Use(a, b);
        if (a.Nelements != b.Nelements) throw Shapes("Cpy", "element counts differ", a, b);
        return Wrap(GgmlNative.ggml_cpy(Room(), a.Handle, b.Handle));
    }

    /// <summary>
    /// Row-wise softmax(a * scale + mask) in F32. <paramref name="mask"/> (F32 or F16, contiguous, or null) has
    /// a's ne0, at least a's ne1 rows, and ne2/ne3 dividing a's (broadcast over heads).
    /// </summary>
    public GgmlTensor SoftMax(GgmlTensor a, GgmlTensor? mask, float scale, float maxBias = 0f)
    {
        Use(a);
        if (a.Type != GgmlType.F32) throw new ArgumentException($"SoftMax needs an F32 input; got {a}.", nameof(a));
        IntPtr m = IntPtr.Zero;
        if (mask is { } mk)
        {
            Use(mk);
            if (mk.Type != GgmlType.F32 && mk.Type != GgmlType.F16) throw Shapes("SoftMax", "mask must be F32 or F16", a, mk);
            if (!mk.IsContiguous) throw Shapes("SoftMax", "mask must be contiguous", a, mk);
            if (mk.Ne(0) != a.Ne(0) || mk.Ne(1) < a.Ne(1) || a.Ne(2) % mk.Ne(2) != 0 || a.Ne(3) % mk.Ne(3) != 0)
                throw Shapes("SoftMax", "need mask.ne0 == a.ne0, mask.ne1 >= a.ne1, mask.ne2/ne3 dividing a's", a, mk);
            m = mk.Handle;
        }
        return Wrap(GgmlNative.ggml_soft_max_ext(Room(), a.Handle, m, scale, maxBias));
    }

    /// <summary>The mask row count FlashAttention wants for <paramref name="batch"/> queries (padded to 64).</summary>
    public static long FlashAttentionMaskRows(long batch) => (batch + 63) / 64 * 64;

    /// <summary>
    /// Fused attention softmax(q kᵀ * scale + mask) v. q [d, n_q, heads], k [d, n_kv, kv_heads],
    /// v [d_v, n_kv, kv_heads] (not transposed), mask F16 [n_kv, FlashAttentionMaskRows(n_q)] or null.
    /// Result [d_v, heads, n_q] (note the permuted order).
    /// </summary>
    public GgmlTensor FlashAttention(GgmlTensor q, GgmlTensor k, GgmlTensor v, GgmlTensor? mask, float scale, bool f32Precision = true)
    {
        Use(q, k, v);
        if (k.Ne(0) != q.Ne(0) || q.Ne(2) % k.Ne(2) != 0 || q.Ne(3) % k.Ne(3) != 0)
            throw Shapes("FlashAttention", "need k.ne0 == q.ne0 and k heads dividing q heads", q, k);
        if (v.Ne(1) != k.Ne(1) || v.Ne(2) != k.Ne(2) || v.Ne(3) != k.Ne(3))
            throw Shapes("FlashAttention", "v must match k in ne1..ne3", k, v);
        IntPtr m = IntPtr.Zero;
        if (mask is { } mk)
        {
            Use(mk);
            if (mk.Type != GgmlType.F16) throw Shapes("FlashAttention", "mask must be F16", q, mk);
            if (!mk.IsContiguous || mk.Ne(0) != k.Ne(1) || mk.Ne(1) < FlashAttentionMaskRows(q.Ne(1)))
                throw Shapes("FlashAttention", $"mask must be contiguous [n_kv, >= {FlashAttentionMaskRows(q.Ne(1))}]", k, mk);
            m = mk.Handle;
        }
        var r = GgmlNative.ggml_flash_attn_ext(Room(), q.Handle, k.Handle, v.Handle, m, scale, 0f, 0f);
        if (f32Precision) GgmlNative.ggml_flash_attn_ext_set_prec(r, 10); // GGML_PREC_F32
        return Wrap(r);
    }

    // ---------------- checks ----------------

    /// <summary>Ensures room for one more tensor header; running out inside ggml aborts the process.</summary>
    private IntPtr Room()
    {
        var h = Handle;
        var need = (ulong)GgmlNative.ggml_tensor_overhead();
        if (FreeBytes < need)
            throw new InvalidOperationException($"GgmlContext is full ({GgmlNative.ggml_get_mem_size(h)} bytes): create it with more maxTensors.");
        return h;
    }

    /// <summary>Every tensor of the context, in the order they were created.</summary>
    internal IEnumerable<GgmlTensor> Tensors
    {
        get
        {
            for (var t = GgmlNative.ggml_get_first_tensor(Handle); t != IntPtr.Zero; t = GgmlNative.ggml_get_next_tensor(Handle, t))
                yield return new GgmlTensor(this, t);
        }
    }

    private GgmlTensor Wrap(IntPtr tensor)
        => tensor != IntPtr.Zero ? new GgmlTensor(this, tensor) : throw new InvalidOperationException("ggml returned a null tensor.");

    private static GgmlTensor Use(GgmlTensor a)
    {
        _ = a.Live;
        return a;
    }

    private static void Use(GgmlTensor a, GgmlTensor b)
    {
        _ = a.Live;
        _ = b.Live;
    }

    private static void Use(GgmlTensor a, GgmlTensor b, GgmlTensor c)
    {
        Use(a, b);
        _ = c.Live;
    }

    private static GgmlTensor Broadcast(string op, GgmlTensor a, GgmlTensor b)
    {
        Use(a, b);
        for (int i = 0; i < 4; i++)
            if (a.Ne(i) % b.Ne(i) != 0) throw Shapes(op, "b must broadcast to a (each b.ne[i] dividing a.ne[i])", a, b);
        return a;
    }

    private static GgmlTensor CheckView(GgmlTensor a, ulong offset, long ne0, long ne1 = 1, long ne2 = 1)
    {
        Use(a);
        if (ne0 <= 0 || ne1 <= 0 || ne2 <= 0) throw new ArgumentException($"View dimensions must be positive; got [{ne0}, {ne1}, {ne2}].");
        // ggml checks the view's dense size, at the accumulated offset, against the tensor it finally points into.
        var (baseTensor, baseOffset) = a.ViewBase();
        var baseBytes = (ulong)GgmlNative.ggml_nbytes(baseTensor);
        var size = Ggml.RowSize(a.Type, ne0) * (ulong)ne1 * (ulong)ne2;
        if (baseOffset + offset + size > baseBytes)
            throw new ArgumentException($"View of {size} bytes at offset {offset} does not fit in {a} (underlying {baseBytes} bytes at offset {baseOffset}).");
        return a;
    }

    private static GgmlTensor CheckReshape(GgmlTensor a, long elements)
    {
        Use(a);
        if (!a.IsContiguous) throw new ArgumentException($"Reshape needs a contiguous tensor; {a} is not (use Cont first).");
        if (a.Nelements != elements) throw new ArgumentException($"Reshape of {a} ({a.Nelements} elements) to {elements} elements.");
        return a;
    }

    private static ArgumentException Shapes(string op, string rule, GgmlTensor a, GgmlTensor b)
        => new($"{op}: {rule}; got {a} and {b}.");
}
