using VisualNarrator.Gguf;
using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Tests.Native;

/// <summary>
/// One CPU backend, a weights context (allocated on demand in its own buffer) and a graph context,
/// wired the way the engine uses them: weights buffer + gallocr for the graph + backend compute.
/// </summary>
internal sealed class GgmlRig : IDisposable
{
    public GgmlBackend Backend { get; } = GgmlBackend.Create("cpu", threads: 2);
    public GgmlContext Weights { get; } = GgmlContext.Create(32);
    public GgmlContext Ctx { get; } = GgmlContext.Create(128, graphSize: 256);
    public GgmlGraphAllocator Allocator { get; }
    private GgmlBackendBuffer? weightsBuffer;

    public GgmlRig() => Allocator = Backend.CreateGraphAllocator();

    /// <summary>Gives all weight tensors memory (call once, after creating them, before setting their data).</summary>
    public void AllocateWeights() => weightsBuffer = Backend.AllocateTensors(Weights, GgmlBufferUsage.Weights);

    public GgmlTensor Input(GgmlType type, params long[] ne)
    {
        var t = ne.Length switch
        {
            1 => Ctx.NewTensor(type, ne[0]),
            2 => Ctx.NewTensor(type, ne[0], ne[1]),
            3 => Ctx.NewTensor(type, ne[0], ne[1], ne[2]),
            _ => Ctx.NewTensor(type, ne[0], ne[1], ne[2], ne[3]),
        };
        return t.SetInput();
    }

    /// <summary>Builds the graph for <paramref name="output"/>, allocates it, lets the caller set inputs, computes.</summary>
    public float[] Run(GgmlTensor output, Action setInputs)
    {
        output.SetOutput();
        var graph = Ctx.NewGraph(256).Expand(output);
        Allocator.Allocate(graph);
        setInputs();
        Backend.Compute(graph);
        return output.ToArray<float>();
    }

    public void Dispose()
    {
        Allocator.Dispose();
        Ctx.Dispose();
        weightsBuffer?.Dispose();
        Weights.Dispose();
        Backend.Dispose();
    }

    public static float[] Random(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }
}
