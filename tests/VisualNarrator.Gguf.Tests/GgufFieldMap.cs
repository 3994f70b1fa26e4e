using System.Buffers.Binary;

namespace VisualNarrator.Gguf.Tests;

/// <summary>Walks a valid GGUF file and records where its length, count and type fields are, so the fuzzer can
/// aim mutations at the fields a parser must distrust. Written independently of the library's reader.</summary>
internal sealed class GgufFieldMap
{
    public List<int> LengthFields { get; } = []; // u64: string lengths, array counts, tensor/kv counts, dims, offsets
    public List<int> TypeFields { get; } = [];   // u32: value types, element types, tensor types, n_dims
    public int HeaderEnd { get; private set; }

    public static GgufFieldMap Of(byte[] b)
    {
        var map = new GgufFieldMap();
        var p = 8;
        map.LengthFields.Add(p); var nt = U64(b, p); p += 8;
        map.LengthFields.Add(p); var nkv = U64(b, p); p += 8;
        for (ulong i = 0; i < nkv; i++)
        {
            p = map.Str(b, p);
            map.TypeFields.Add(p); var type = U32(b, p); p += 4;
            p = map.Value(b, p, type);
        }
        for (ulong i = 0; i < nt; i++)
        {
            p = map.Str(b, p);
            map.TypeFields.Add(p); var dims = U32(b, p); p += 4;
            for (var d = 0; d < dims; d++) { map.LengthFields.Add(p); p += 8; }
            map.TypeFields.Add(p); p += 4;
            map.LengthFields.Add(p); p += 8;
        }
        map.HeaderEnd = p;
        return map;
    }

    private int Str(byte[] b, int p)
    {
        LengthFields.Add(p);
        return p + 8 + (int)U64(b, p);
    }

    private int Value(byte[] b, int p, uint type)
    {
        switch (type)
        {
            case 0 or 1 or 7: return p + 1;
            case 2 or 3: return p + 2;
            case 4 or 5 or 6: return p + 4;
            case 10 or 11 or 12: return p + 8;
            case 8: return Str(b, p);
            case 9:
                TypeFields.Add(p); var et = U32(b, p); p += 4;
                LengthFields.Add(p); var n = U64(b, p); p += 8;
                for (ulong i = 0; i < n; i++) p = Value(b, p, et);
                return p;
            default: throw new InvalidOperationException($"sample has unknown type {type}");
        }
    }

    private static ulong U64(byte[] b, int p) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(p));
    private static uint U32(byte[] b, int p) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p));
}
