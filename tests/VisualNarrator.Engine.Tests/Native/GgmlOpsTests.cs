using VisualNarrator.Gguf;
using VisualNarrator.Engine.Native;
using Xunit;

namespace VisualNarrator.Engine.Tests.Native;

[Collection("ggml")]
public class GgmlOpsTests
{
    // ggml mul_mat: a [k, n], b [k, m] -> [n, m], out[j * n + i] = dot(a row i, b row j).
    private static float[] ManagedMulMat(float[] a, float[] b, int k, int n, int m)
    {
        var r = new float[n * m];
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int x = 0; x < k; x++) s += (double)a[i * k + x] * b[j * k + x];
                r[j * n + i] = (float)s;
            }
        return r;
    }

    private static void Close(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"[{i}] expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
    }

    [Fact]
    public void MulMat_F32_weights_matches_managed()
    {
        const int k = 64, n = 24, m = 5;
        var a = GgmlRig.Random(k * n, 1);
        var b = GgmlRig.Random(k * m, 2);
        using var rig = new GgmlRig();
        var w = rig.Weights.NewTensor(GgmlType.F32, k, n).SetName("w");
        rig.AllocateWeights();
        w.SetData<float>(a);
        var x = rig.Input(GgmlType.F32, k, m);
        var y = rig.Ctx.MulMat(w, x);
        Assert.Equal(new long[] { n, m, 1, 1 }, y.Shape);
        var result = rig.Run(y, () => x.SetData<float>(b));
        Close(ManagedMulMat(a, b, k, n, m), result, 1e-5);
        Assert.Equal("w", w.Name);
    }

    [Fact]
    public void MulMat_Q8_0_weights_matches_managed_block_arithmetic_and_approximates_f32()
    {
        const int k = 128, n = 16, m = 3;
        var a = GgmlRig.Random(k * n, 3);
        var b = GgmlRig.Random(k * m, 4);
        var q = Ggml.Quantize(GgmlType.Q8_0, a, k);
        Assert.Equal(n * (k / 32) * 34, q.Length);

        using var rig = new GgmlRig();
        var w = rig.Weights.NewTensor(GgmlType.Q8_0, k, n);
        rig.AllocateWeights();
        Assert.Equal((ulong)q.Length, w.Nbytes);
        w.SetData<byte>(q);
        var x = rig.Input(GgmlType.F32, k, m);
        var result = rig.Run(rig.Ctx.MulMat(w, x), () => x.SetData<float>(b));

        // Exact model of the CPU kernel: activations are quantized to Q8_0 too, then per block d_a * d_b * sum(qa * qb).
        var qb = Ggml.Quantize(GgmlType.Q8_0, b, k);
        var expected = new float[n * m];
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++)
            {
                float s = 0;
                for (int blk = 0; blk < k / 32; blk++)
                {
                    int oa = (i * (k / 32) + blk) * 34, ob = (j * (k / 32) + blk) * 34;
                    float da = (float)BitConverter.ToHalf(q, oa), db = (float)BitConverter.ToHalf(qb, ob);
                    int sum = 0;
                    for (int e = 0; e < 32; e++) sum += (sbyte)q[oa + 2 + e] * (sbyte)qb[ob + 2 + e];
                    s += da * db * sum;
                }
                expected[j * n + i] = s;
            }
        Close(expected, result, 1e-4);

        // And it approximates the F32 product within the worst case of rounding each value to its block's step
        // (half a step, plus the F16 rounding of the step itself: 127 * d * 2^-11 < 0.1 * d).
        var exact = ManagedMulMat(a, b, k, n, m);
        double errSq = 0, refSq = 0;
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++)
            {
                double bound = 0;
                for (int blk = 0; blk < k / 32; blk++)
                {
                    var ra = a.AsSpan((i * k) + blk * 32, 32).ToArray();
                    var rb = b.AsSpan((j * k) + blk * 32, 32).ToArray();
                    double sa = 0.6 * ra.Max(Math.Abs) / 127, sb = 0.6 * rb.Max(Math.Abs) / 127;
                    for (int e = 0; e < 32; e++) bound += Math.Abs(ra[e]) * sb + Math.Abs(rb[e]) * sa + sa * sb;
                }
                double diff = Math.Abs(exact[j * n + i] - result[j * n + i]);
                Assert.True(diff <= bound, $"[{i},{j}] |{exact[j * n + i]} - {result[j * n + i]}| = {diff} > bound {bound}");
                errSq += diff * diff;
                refSq += (double)exact[j * n + i] * exact[j * n + i];
            }
        Assert.True(Math.Sqrt(errSq / refSq) < 0.02, $"relative RMS error {Math.Sqrt(errSq / refSq)}");
    }

    [Fact]
    public void LayerNorm_is_norm_mul_add()
    {
        const int n = 16, rows = 3;
        const float eps = 1e-5f;
        var xs = GgmlRig.Random(n * rows, 5, 3f);
        var gamma = GgmlRig.Random(n, 6);
        var beta = GgmlRig.Random(n, 7);
        using var rig = new GgmlRig();
        var g = rig.Weights.NewTensor(GgmlType.F32, n);
        var bt = rig.Weights.NewTensor(GgmlType.F32, n);
        rig.AllocateWeights();
        g.SetData<float>(gamma);
        bt.SetData<float>(beta);
        var x = rig.Input(GgmlType.F32, n, rows);
        var y = rig.Ctx.Add(rig.Ctx.Mul(rig.Ctx.Norm(x, eps), g), bt);
        var result = rig.Run(y, () => x.SetData<float>(xs));

        var expected = new float[n * rows];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, var = 0;
            for (int i = 0; i < n; i++) mean += xs[r * n + i];
            mean /= n;
            for (int i = 0; i < n; i++) var += Math.Pow(xs[r * n + i] - mean, 2);
            var /= n;
            for (int i = 0; i < n; i++)
                expected[r * n + i] = (float)((xs[r * n + i] - mean) / Math.Sqrt(var + eps) * gamma[i] + beta[i]);
        }
        Close(expected, result, 1e-4);
    }

    [Fact]
    public void Relu_and_Gelu_match_managed()
    {
        var xs = GgmlRig.Random(40, 8, 4f);
        using var rig = new GgmlRig();
        var x = rig.Input(GgmlType.F32, 40);
        var relu = rig.Ctx.Relu(x).SetOutput();
        var gelu = rig.Ctx.Gelu(x);
        var graph = rig.Ctx.NewGraph(16).Expand(relu).Expand(gelu.SetOutput());
        rig.Allocator.Allocate(graph);
        x.SetData<float>(xs);
        rig.Backend.Compute(graph);

        Close(xs.Select(v => Math.Max(v, 0f)).ToArray(), relu.ToArray<float>(), 0);
        // GPT-2's tanh GELU; ggml's CPU kernel goes through an F16 table, hence the tolerance.
        var gelus = xs.Select(v => (float)(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))))).ToArray();
        Close(gelus, gelu.ToArray<float>(), 3e-3);
    }

    [Fact]
    public void GetRows_picks_embedding_rows()
    {
        const int n = 8, vocab = 10;
        var table = GgmlRig.Random(n * vocab, 9);
        int[] ids = [3, 0, 9, 3];
        using var rig = new GgmlRig();
        var emb = rig.Weights.NewTensor(GgmlType.F32, n, vocab);
        rig.AllocateWeights();
        emb.SetData<float>(table);
        var idx = rig.Input(GgmlType.I32, ids.Length);
        var result = rig.Run(rig.Ctx.GetRows(emb, idx), () => idx.SetData<int>(ids));
        var expected = ids.SelectMany(id => table.Skip(id * n).Take(n)).ToArray();
        Close(expected, result, 0);
    }

    // Causal mask for n_q queries that follow `past` cached positions: query i sees kv j <= past + i.
    private static float[] CausalMask(int nKv, int nQ, int rows)
    {
        var mask = new float[nKv * rows];
        int past = nKv - nQ;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < nKv; j++)
                mask[i * nKv + j] = i < nQ && j <= past + i ? 0f : float.NegativeInfinity;
        return mask;
    }

    [Fact]
    public void SoftMax_with_causal_mask_and_scale_matches_managed()
    {
        const int nKv = 6, nQ = 4, heads = 2;
        const float scale = 0.35f;
        var a = GgmlRig.Random(nKv * nQ * heads, 10, 3f);
        var mask = CausalMask(nKv, nQ, nQ);
        using var rig = new GgmlRig();
        var x = rig.Input(GgmlType.F32, nKv, nQ, heads);
        var m = rig.Input(GgmlType.F32, nKv, nQ);
        var result = rig.Run(rig.Ctx.SoftMax(x, m, scale), () => { x.SetData<float>(a); m.SetData<float>(mask); });

        var expected = new float[a.Length];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < nQ; i++)
            {
                int row = (h * nQ + i) * nKv;
                var logits = Enumerable.Range(0, nKv).Select(j => (double)a[row + j] * scale + mask[i * nKv + j]).ToArray();
                var max = logits.Max();
                var exps = logits.Select(l => Math.Exp(l - max)).ToArray();
                for (int j = 0; j < nKv; j++) expected[row + j] = (float)(exps[j] / exps.Sum());
            }
        Close(expected, result, 1e-5);
        Assert.Equal(0f, result[0 * nKv + 5]); // masked entries are exactly zero
    }

    // Managed causal multi-head attention over rows of [tokens, heads * d].
    private static float[] ManagedAttention(float[] q, float[] k, float[] v, int tokens, int heads, int d, float scale)
    {
        var o = new float[tokens * heads * d];
        for (int h = 0; h < heads; h++)
            for (int t = 0; t < tokens; t++)
            {
                var s = new double[t + 1];
                for (int j = 0; j <= t; j++)
                {
                    double dot = 0;
                    for (int e = 0; e < d; e++) dot += (double)q[t * heads * d + h * d + e] * k[j * heads * d + h * d + e];
                    s[j] = dot * scale;
                }
                var max = s.Max();
                var p = s.Select(x => Math.Exp(x - max)).ToArray();
                var sum = p.Sum();
                for (int e = 0; e < d; e++)
                {
                    double acc = 0;
                    for (int j = 0; j <= t; j++) acc += p[j] / sum * v[j * heads * d + h * d + e];
                    o[t * heads * d + h * d + e] = (float)acc;
                }
            }
        return o;
    }

    [Fact]
    public void Causal_attention_from_mul_mat_soft_max_permute_cont_matches_managed()
    {
        const int heads = 2, d = 8, tokens = 5;
        float scale = 1 / MathF.Sqrt(d);
        var qs = GgmlRig.Random(tokens * heads * d, 11);
        var ks = GgmlRig.Random(tokens * heads * d, 12);
        var vs = GgmlRig.Random(tokens * heads * d, 13);
        using var rig = new GgmlRig();
        var c = rig.Ctx;
        var q = rig.Input(GgmlType.F32, heads * d, tokens);
        var k = rig.Input(GgmlType.F32, heads * d, tokens);
        var v = rig.Input(GgmlType.F32, heads * d, tokens);
        var mask = rig.Input(GgmlType.F32, tokens, tokens);

        var qh = c.Permute(c.Reshape(q, d, heads, tokens), 0, 2, 1, 3);               // [d, tokens, heads]
        var kh = c.Permute(c.Reshape(k, d, heads, tokens), 0, 2, 1, 3);               // [d, tokens, heads]
        var vt = c.Cont(c.Permute(c.Reshape(v, d, heads, tokens), 1, 2, 0, 3));       // [tokens, d, heads]
        var kq = c.SoftMax(c.MulMat(kh, qh), mask, scale);                            // [kv, q, heads]
        var kqv = c.MulMat(vt, kq);                                                   // [d, q, heads]
        var o = c.Reshape(c.Cont(c.Permute(kqv, 0, 2, 1, 3)), heads * d, tokens);     // [heads * d, tokens]

        var result = rig.Run(o, () =>
        {
            q.SetData<float>(qs);
            k.SetData<float>(ks);
            v.SetData<float>(vs);
            mask.SetData<float>(CausalMask(tokens, tokens, tokens));
        });
        Close(ManagedAttention(qs, ks, vs, tokens, heads, d, scale), result, 1e-4);
    }

    [Fact]
    public void Causal_attention_with_flash_attn_ext_matches_managed()
    {
        const int heads = 2, d = 8, tokens = 5;
        float scale = 1 / MathF.Sqrt(d);
        var qs = GgmlRig.Random(tokens * heads * d, 14);
        var ks = GgmlRig.Random(tokens * heads * d, 15);
        var vs = GgmlRig.Random(tokens * heads * d, 16);
        using var rig = new GgmlRig();
        var c = rig.Ctx;
        var q = rig.Input(GgmlType.F32, heads * d, tokens);
        var k = rig.Input(GgmlType.F32, heads * d, tokens);
        var v = rig.Input(GgmlType.F32, heads * d, tokens);
        var maskRows = GgmlContext.FlashAttentionMaskRows(tokens);
        var mask = rig.Input(GgmlType.F16, tokens, maskRows);

        var qh = c.Permute(c.Reshape(q, d, heads, tokens), 0, 2, 1, 3);
        // K and V as an F16 cache would hold them.
        var k16 = c.Cpy(c.Permute(c.Reshape(k, d, heads, tokens), 0, 2, 1, 3), c.NewTensor(GgmlType.F16, d, tokens, heads));
        var v16 = c.Cpy(c.Permute(c.Reshape(v, d, heads, tokens), 0, 2, 1, 3), c.NewTensor(GgmlType.F16, d, tokens, heads));
        var o = c.Reshape(c.FlashAttention(qh, k16, v16, mask, scale), heads * d, tokens); // result is [d, heads, tokens]

        var result = rig.Run(o, () =>
        {
            q.SetData<float>(qs);
            k.SetData<float>(ks);
            v.SetData<float>(vs);
            mask.SetData<Half>(CausalMask(tokens, tokens, (int)maskRows).Select(x => (Half)x).ToArray());
        });
        Close(ManagedAttention(qs, ks, vs, tokens, heads, d, scale), result, 5e-3);
    }

    [Fact]
    public void SetRows_writes_into_a_persistent_F16_cache_across_graphs()
    {
        const int n = 8, slots = 10;
        using var rig = new GgmlRig();
        using var cacheCtx = GgmlContext.Create(2);
        var cache = cacheCtx.NewTensor(GgmlType.F16, n, slots).SetName("cache_k");
        using var cacheBuffer = rig.Backend.AllocateTensors(cacheCtx, GgmlBufferUsage.Compute);
        cacheBuffer.Clear(0);
        Assert.True(cacheBuffer.Size >= cache.Nbytes);

        var first = GgmlRig.Random(n * 3, 17);
        long[] firstSlots = [7, 2, 4];
        var src = rig.Input(GgmlType.F32, n, 3);
        var idx = rig.Input(GgmlType.I64, 3);
        var graph = rig.Ctx.NewGraph(16).Expand(rig.Ctx.SetRows(cache, src, idx));
        rig.Allocator.Allocate(graph);
        src.SetData<float>(first);
        idx.SetData<long>(firstSlots);
        rig.Backend.Compute(graph);

        // A second graph in a fresh context writes slot 0; earlier slots must survive.
        using var ctx2 = GgmlContext.Create(8, 16);
        var second = GgmlRig.Random(n, 18);
        var src2 = ctx2.NewTensor(GgmlType.F32, n, 1).SetInput();
        var idx2 = ctx2.NewTensor(GgmlType.I64, 1).SetInput();
        var graph2 = ctx2.NewGraph(16).Expand(ctx2.SetRows(cache, src2, idx2));
        rig.Allocator.Allocate(graph2);
        src2.SetData<float>(second);
        idx2.SetData<long>([0]);
        rig.Backend.Compute(graph2);

        var stored = cache.ToArray<Half>();
        Assert.Equal(n * slots, stored.Length);
        for (int slot = 0; slot < slots; slot++)
        {
            int r = Array.IndexOf(firstSlots, slot);
            for (int i = 0; i < n; i++)
            {
                Half expected = slot == 0 ? (Half)second[i] : r >= 0 ? (Half)first[r * n + i] : Half.Zero;
                Assert.Equal(expected, stored[slot * n + i]);
            }
        }
    }

    [Theory]
    [InlineData(GgmlType.F32, 4, 1, "f32")]
    [InlineData(GgmlType.F16, 2, 1, "f16")]
    [InlineData(GgmlType.Q8_0, 34, 32, "q8_0")]
    [InlineData(GgmlType.Q4_K, 144, 256, "q4_K")]
    [InlineData(GgmlType.Q6_K, 210, 256, "q6_K")]
    [InlineData(GgmlType.BF16, 2, 1, "bf16")]
    public void Type_sizes_match_ggml(GgmlType type, ulong typeSize, long blockSize, string name)
    {
        Assert.Equal(typeSize, Ggml.TypeSize(type));
        Assert.Equal(blockSize, Ggml.BlockSize(type));
        Assert.Equal(name, Ggml.TypeName(type));
        Assert.Equal(typeSize * 3, Ggml.RowSize(type, 3 * blockSize));
    }

    [Fact]
    public void Unknown_type_ids_are_rejected_before_reaching_ggml()
    {
        Assert.False(Ggml.IsKnownType((GgmlType)4));   // removed Q4_2
        Assert.False(Ggml.IsKnownType((GgmlType)999)); // ggml_type_name would read out of bounds
        Assert.Throws<ArgumentOutOfRangeException>(() => Ggml.TypeName((GgmlType)999));
        Assert.Throws<ArgumentException>(() => Ggml.RowSize(GgmlType.Q8_0, 30));
        Assert.Throws<ArgumentException>(() => Ggml.Quantize(GgmlType.Q8_0, new float[60], 30));
        Assert.Throws<ArgumentException>(() => Ggml.Quantize(GgmlType.I32, new float[32], 32));
    }
}
