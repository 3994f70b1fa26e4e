using VisualNarrator.Gguf;

namespace VisualNarrator.Testing;

/// <summary>Small valid GGUF files covering every value type and several tensor types.</summary>
public static class GgufSamples
{
    public static GgufWriter AllValueTypes()
    {
        var w = new GgufWriter();
        w.SetString(GgufKeys.Architecture, "opt")
            .Set("t.u8", GgufValue.From((byte)200))
            .Set("t.i8", GgufValue.From((sbyte)-100))
            .Set("t.u16", GgufValue.From((ushort)60000))
            .Set("t.i16", GgufValue.From((short)-30000))
            .SetUInt32("t.u32", 4_000_000_000)
            .SetInt32("t.i32", -2_000_000_000)
            .SetFloat32("t.f32", 1e-5f)
            .SetBool("t.bool", true)
            .SetString("t.str", "héllo wörld ✓ 日本")
            .SetString("t.empty", "")
            .SetUInt64("t.u64", ulong.MaxValue)
            .Set("t.i64", GgufValue.From(long.MinValue))
            .Set("t.f64", GgufValue.From(Math.PI))
            .SetStringArray("t.arr.str", ["a", "</s>", "Ġthe", ""])
            .SetInt32Array("t.arr.i32", [1, -2, 3])
            .SetFloat32Array("t.arr.f32", [0.5f, float.NegativeInfinity])
            .Set("t.arr.u8", GgufValue.From(new GgufArray(GgufValueType.UInt8, new byte[] { 1, 2, 255 })))
            .Set("t.arr.bool", GgufValue.From(new GgufArray(GgufValueType.Bool, new[] { true, false })))
            .Set("t.arr.u64", GgufValue.From(new GgufArray(GgufValueType.UInt64, new ulong[] { 7, ulong.MaxValue })))
            .Set("t.arr.f64", GgufValue.From(new GgufArray(GgufValueType.Float64, new[] { 1.5, -2.25 })))
            .Set("t.arr.empty", GgufValue.From(new GgufArray(GgufValueType.Int16, Array.Empty<short>())))
            .Set("t.arr.nested", GgufValue.From(new GgufArray(GgufValueType.Array, new[]
            {
                GgufArray.Of("x", "y"),
                GgufArray.Of(1, 2, 3),
                new GgufArray(GgufValueType.Array, new[] { GgufArray.Of(9f) }),
            })));
        var rng = new Random(7);
        w.AddTensor("token_embd.weight", RandomFloats(rng, 64 * 10), 64, 10);
        w.AddTensor("blk.0.attn_norm.bias", RandomFloats(rng, 64), 64);
        w.AddTensor("blk.0.ffn_up.weight", GgmlType.Q8_0, RandomBytes(rng, 2 * 34 * 3), 64, 3);
        w.AddTensor("blk.0.ffn_down.weight", GgmlType.Q4_K, RandomBytes(rng, 144 * 2), 256, 2);
        w.AddTensor("blk.0.attn_q.weight", GgmlType.F16, RandomBytes(rng, 2 * 32 * 2 * 3), 32, 2, 3);
        return w;
    }

    public static byte[] Bytes(GgufWriter writer)
    {
        var ms = new MemoryStream();
        writer.WriteTo(ms);
        return ms.ToArray();
    }

    public static float[] RandomFloats(Random rng, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];

    public static byte[] RandomBytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    public static GgufFile Parse(byte[] bytes, string name = "sample.gguf") => GgufFile.Read(new MemoryStream(bytes, writable: false), name);
}
