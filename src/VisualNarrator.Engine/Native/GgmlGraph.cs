namespace VisualNarrator.Engine.Native;

/// <summary>
/// A forward computation graph living in a <see cref="GgmlContext"/>. Tracks the tensors it holds so that
/// overflowing it, or computing it before its tensors have memory, is a managed exception rather than an abort.
/// </summary>
public sealed class GgmlGraph
{
    private readonly HashSet<IntPtr> members = [];
    private readonly IntPtr handle;

    internal GgmlGraph(GgmlContext context, IntPtr handle, int capacity)
    {
        Context = context;
        this.handle = handle;
        Capacity = capacity;
    }

    /// <summary>The context holding the graph.</summary>
    public GgmlContext Context { get; }

    /// <summary>How many nodes plus leafs fit.</summary>
    public int Capacity { get; }

    /// <summary>The native <c>ggml_cgraph*</c>.</summary>
    internal IntPtr Handle
    {
        get
        {
            Context.ThrowIfDisposed();
            return handle;
        }
    }

    /// <summary>Number of computed nodes (not counting leafs).</summary>
    public int NodeCount => GgmlNative.ggml_graph_n_nodes(Handle);

    /// <summary>Node <paramref name="i"/>; negative counts from the end (-1 is the last, usually the output).</summary>
    public GgmlTensor Node(int i)
    {
        var n = NodeCount;
        if (i < -n || i >= n) throw new ArgumentOutOfRangeException(nameof(i), i, $"Graph has {n} nodes.");
        return new GgmlTensor(Context, GgmlNative.ggml_graph_node(Handle, i));
    }

    /// <summary>Adds <paramref name="output"/> and everything it depends on.</summary>
    public GgmlGraph Expand(GgmlTensor output)
    {
        var h = Handle;
        _ = output.Live;
        // Walk the sources in C# first: ggml asserts (fatally) when the graph is full.
        var added = new List<IntPtr>();
        var stack = new Stack<IntPtr>([output.Handle]);
        var seen = new HashSet<IntPtr>();
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (members.Contains(t) || !seen.Add(t)) continue;
            added.Add(t);
            var view = new GgmlTensor(Context, t);
            for (int s = 0; s < GgmlTensor.MaxSrc; s++)
            {
                var src = view.Src(s);
                if (src != IntPtr.Zero) stack.Push(src);
            }
        }
        if (members.Count + added.Count > Capacity)
            throw new InvalidOperationException(
                $"Graph capacity {Capacity} exceeded: it would hold {members.Count + added.Count} tensors. Create a larger graph.");
        GgmlNative.ggml_build_forward_expand(h, output.Handle);
        members.UnionWith(added);
        return this;
    }

    /// <summary>Throws if a tensor in the graph has no data memory (the CPU backend would dereference null).</summary>
    internal void CheckAllocated()
    {
        foreach (var t in members)
        {
            var tensor = new GgmlTensor(Context, t);
            if (tensor.Field<IntPtr>(GgmlTensor.DataOffset) == IntPtr.Zero)
                throw new InvalidOperationException(
                    $"Tensor '{tensor.Name}' {tensor} in the graph has no memory: allocate the graph (GgmlGraphAllocator) and weight contexts first.");
        }
    }
}
