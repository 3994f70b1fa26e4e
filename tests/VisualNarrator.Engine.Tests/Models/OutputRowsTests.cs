using VisualNarrator.Engine.Inference;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>The last layer continues after attention with only the tokens that produce logits: their logits equal the
/// same rows of a batch that computes every row (no selection in the graph), and the last layer's FFN and the LM head
/// really run on fewer rows.</summary>
public sealed class OutputRowsTests(TestModels models) : IClassFixture<TestModels>
{
    // Two sequences in one batch; the rows asked for are mid-prompt, last of sequence 0 and last of sequence 1.
    private static readonly int[] First = [2, 300, 17, 99, 45, 280, 7, 150];
    private static readonly int[] Second = [2, 201, 33, 64, 12];
    private static readonly int[] Wanted = [3, First.Length - 1, First.Length + Second.Length - 1];

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "opt", "pre-ln", false }, { "opt", "pre-ln", true }, { "opt", "post-ln-projected", false },
        { "opt", "post-ln-projected", true }, { "gpt2", "pre-ln", false }, { "gpt2", "pre-ln", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SelectedRows_EqualThoseOfTheFullBatch(string architecture, string layout, bool flash)
    {
        var hp = layout == "pre-ln" ? TestModels.Wider : TestModels.TinyPostLnProjected;
        using var model = Model.Load(models.Get(architecture, hp with { Architecture = architecture }, tied: false));
        var options = new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F32, FlashAttention: flash);

        using var full = new InferenceContext(model, options);
        full.Decode(Batch(_ => true));
        using var selected = new InferenceContext(model, options);
        selected.Decode(Batch(t => Wanted.Contains(t)));

        for (var i = 0; i < Wanted.Length; i++)
            LogitsAssert.Close(full.Logits(Wanted[i]), selected.Logits(i), 1e-4f);
        Assert.Throws<ArgumentOutOfRangeException>(() => selected.Logits(Wanted.Length));
    }

    [Fact]
    public void LastLayer_RunsItsProjectionFfnAndHead_OnTheOutputRowsOnly()
    {
        var hp = TestModels.Wider;
        using var model = Model.Load(models.Get("opt", hp));
        const int tokens = 13, outputs = 3;
        using var built = new BuiltGraph(model, tokens, outputs, flash: false);

        var rows = built.Nodes.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Last().Ne(1));
        var last = hp.BlockCount - 1;
        Assert.Equal(tokens, rows[$"kqv_out-{last}"]);
        foreach (var name in new[] { $"attn_out-{last}", $"ffn_up-{last}", $"ffn_out-{last}", $"l_out-{last}", "result_norm" })
            Assert.Equal(outputs, rows[name]);
        Assert.Equal(tokens, rows[$"ffn_up-{last - 1}"]);
        Assert.Equal(outputs, built.Io.Logits.Ne(1));
    }

    private static DecodeBatch Batch(Func<int, bool> wantLogits)
    {
        var batch = new DecodeBatch();
        for (var t = 0; t < First.Length; t++) batch.Add(First[t], t, 0, wantLogits(t));
        for (var t = 0; t < Second.Length; t++) batch.Add(Second[t], t, 1, wantLogits(First.Length + t));
        return batch;
    }
}
