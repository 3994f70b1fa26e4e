using VisualNarrator.Engine.Inference;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>q, k and v of a fused attn_qkv projection are read where the matmul wrote them: the graph views them and
/// copies nothing of its own, except the values of several scattered tokens (written value by value into a transposed
/// cache) and mul_mat attention's result (permuted back). On the CPU each copy is one more node, and every node ends
/// in a barrier of all threads.</summary>
public sealed class FusedProjectionGraphTests(TestModels models) : IClassFixture<TestModels>
{
    [Theory]
    [InlineData(false, 1, 1)] // a decode step: only mul_mat attention's result
    [InlineData(true, 1, 0)]
    [InlineData(false, 4, 2)] // four sequences' steps: their values too
    [InlineData(true, 4, 0)]
    public void DecodeGraph_ViewsQkv_AndCopiesOnlyWhatItMust(bool flash, int tokens, int copiesPerLayer)
    {
        var hp = TestModels.Wider;
        using var model = Model.Load(models.Get("opt", hp));
        using var built = new BuiltGraph(model, tokens, tokens, flash);

        var nodes = built.Nodes;
        for (var il = 0; il < hp.BlockCount; il++)
            foreach (var part in new[] { "Qcur", "Kcur", "Vcur" })
                Assert.Equal("VIEW", Assert.Single(nodes, n => n.Name == $"{part}-{il}").OpName);
        Assert.Equal(copiesPerLayer * hp.BlockCount, nodes.Count(n => n.OpName == "CONT"));
    }
}
