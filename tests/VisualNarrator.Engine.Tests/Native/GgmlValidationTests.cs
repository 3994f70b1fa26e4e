using VisualNarrator.Gguf;
using VisualNarrator.Engine.Native;
using Xunit;

namespace VisualNarrator.Engine.Tests.Native;

// Each case here would be a GGML_ASSERT (process abort) or a wild pointer if it reached native code.
[Collection("ggml")]
public class GgmlValidationTests
{
    [Fact]
    public void MulMat_with_mismatched_rows_names_both_shapes()
    {
        using var ctx = GgmlContext.Create(8);
        var a = ctx.NewTensor(GgmlType.F32, 64, 24);
        var b = ctx.NewTensor(GgmlType.F32, 32, 5);
        var e = Assert.Throws<ArgumentException>(() => ctx.MulMat(a, b));
        Assert.Contains("[64, 24, 1, 1]", e.Message);
        Assert.Contains("[32, 5, 1, 1]", e.Message);
        Assert.Throws<ArgumentException>(() => ctx.MulMat(ctx.Transpose(ctx.NewTensor(GgmlType.F32, 5, 64)), ctx.NewTensor(GgmlType.F32, 5, 2)));
    }

    [Fact]
    public void Add_and_Mul_require_broadcastable_shapes()
    {
        using var ctx = GgmlContext.Create(8);
        var a = ctx.NewTensor(GgmlType.F32, 6, 4);
        var e = Assert.Throws<ArgumentException>(() => ctx.Add(a, ctx.NewTensor(GgmlType.F32, 4)));
        Assert.Contains("[6, 4, 1, 1]", e.Message);
        Assert.Contains("[4, 1, 1, 1]", e.Message);
        Assert.Throws<ArgumentException>(() => ctx.Mul(ctx.NewTensor(GgmlType.F32, 6), a)); // broadcasts only b into a
        Assert.Equal(new long[] { 6, 4, 1, 1 }, ctx.Add(a, ctx.NewTensor(GgmlType.F32, 6)).Shape);
    }

    [Fact]
    public void Views_reshapes_permutes_and_masks_are_checked()
    {
        using var ctx = GgmlContext.Create(16);
        var a = ctx.NewTensor(GgmlType.F32, 8, 4);
        Assert.Throws<ArgumentException>(() => ctx.View(a, 8, 5, 32, 0));      // one row too many
        Assert.Throws<ArgumentException>(() => ctx.View(a, 8, 4 * 32 - 16)); // runs past the end
        var tail = ctx.View(a, 8, 3, 32, 32);
        Assert.Throws<ArgumentException>(() => ctx.View(tail, 8, 3, 32, 32));  // offsets add up in the base tensor
        Assert.Throws<ArgumentException>(() => ctx.Reshape(ctx.Transpose(a), 4, 8));
        Assert.Throws<ArgumentException>(() => ctx.Reshape(a, 5, 7));
        Assert.Throws<ArgumentException>(() => ctx.Permute(a, 0, 0, 1, 2));
        Assert.Throws<ArgumentException>(() => ctx.SoftMax(a, ctx.NewTensor(GgmlType.F32, 8, 3), 1f)); // mask has too few rows
        Assert.Throws<ArgumentException>(() => ctx.GetRows(a, ctx.NewTensor(GgmlType.F32, 2)));       // indices must be I32
        Assert.Throws<ArgumentException>(() => ctx.NewTensor(GgmlType.Q8_0, 30, 2));                   // not whole blocks
    }

    [Fact]
    public void A_full_context_or_graph_throws_instead_of_aborting()
    {
        using var ctx = GgmlContext.Create(2, graphSize: 4);
        var a = ctx.NewTensor(GgmlType.F32, 4);
        var b = ctx.Relu(a);
        Assert.Throws<InvalidOperationException>(() => ctx.Relu(b));
        var graph = ctx.NewGraph(1);
        Assert.Throws<InvalidOperationException>(() => graph.Expand(b)); // needs a leaf and a node
    }

    [Fact]
    public void Computing_an_unallocated_graph_and_oversized_transfers_throw()
    {
        using var backend = GgmlBackend.Create("cpu", 1);
        using var ctx = GgmlContext.Create(4, graphSize: 8);
        var x = ctx.NewTensor(GgmlType.F32, 4).SetInput();
        var graph = ctx.NewGraph(8).Expand(ctx.Relu(x));
        Assert.Throws<InvalidOperationException>(() => backend.Compute(graph));
        Assert.Throws<InvalidOperationException>(() => x.SetData<float>(new float[4]));

        using var alloc = backend.CreateGraphAllocator();
        alloc.Allocate(graph);
        Assert.True(alloc.BufferSize >= 16);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.SetData<float>(new float[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.SetData<float>(new float[4], byteOffset: 4));
        x.SetData<float>([-1, 2, -3, 4]);
        backend.Compute(graph);
        Assert.Equal([0f, 2f, 0f, 4f], graph.Node(-1).ToArray<float>());
    }

    [Fact]
    public void Tensors_of_a_disposed_context_cannot_be_used()
    {
        var ctx = GgmlContext.Create(4);
        var a = ctx.NewTensor(GgmlType.F32, 4);
        ctx.Dispose();
        ctx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.Ne(0));
        Assert.Throws<ObjectDisposedException>(() => a.Name);
        using var other = GgmlContext.Create(4);
        Assert.Throws<ObjectDisposedException>(() => other.Relu(a));
        Assert.Throws<InvalidOperationException>(() => other.Relu(default));
    }
}
