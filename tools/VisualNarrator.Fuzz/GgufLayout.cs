using System.Buffers.Binary;
using System.Text;

namespace VisualNarrator.Fuzz;

/// <summary>Where the fields of a valid GGUF file sit, found by walking it independently of the library's reader, so
/// mutations can aim at what a loader must distrust: counts, lengths, types, dimensions, offsets, hyperparameters
/// and the tensor data itself.</summary>
public sealed class GgufLayout
{
    /// <summary>A field: its offset, width in bytes, and what it is.</summary>
    public sealed record Field(int Offset, int Width, string What);

    /// <summary>u64 counts, string lengths, array lengths, tensor dimensions and offsets.</summary>
    public List<Field> Lengths { get; } = [];
    /// <summary>u32 value types, element types, tensor types, dimension counts.</summary>
    public List<Field> Types { get; } = [];
    /// <summary>Scalar metadata values (hyperparameters, token ids, epsilon...), named by key.</summary>
    public List<Field> Scalars { get; } = [];
    /// <summary>Tensor data ranges (absolute offset, bytes, name, ggml type id).</summary>
    public List<(long Offset, long Bytes, string Name, uint Type)> Tensors { get; } = [];
    private int _strings;

    /// <summary>End of the tensor directory.</summary>
    public int HeaderEnd { get; private set; }

    /// <summary>Maps a valid file.</summary>
    public static GgufLayout Of(byte[] b)
    {
        var map = new GgufLayout();
        var p = 8;
        map.Lengths.Add(new(p, 8, "tensor count")); var nt = U64(b, p); p += 8;
        map.Lengths.Add(new(p, 8, "metadata count")); var nkv = U64(b, p); p += 8;
        uint alignment = 32;
        for (ulong i = 0; i < nkv; i++)
        {
            var key = map.Str(b, ref p, "key");
            map.Types.Add(new(p, 4, $"type of {key}")); var type = U32(b, p); p += 4;
            if (key == "general.alignment") alignment = U32(b, p);
            map.Value(b, ref p, type, key, topLevel: true);
        }
        var infos = new List<(string Name, ulong Offset, long Bytes, uint Type)>();
        for (ulong i = 0; i < nt; i++)
        {
            var name = map.Str(b, ref p, "tensor name");
            map.Types.Add(new(p, 4, $"dims of {name}")); var dims = U32(b, p); p += 4;
            long elements = 1, ne0 = 0;
            for (var d = 0; d < dims; d++)
            {
                map.Lengths.Add(new(p, 8, $"dim {d} of {name}"));
                var ne = (long)U64(b, p);
                if (d == 0) ne0 = ne;
                elements *= ne;
                p += 8;
            }
            map.Types.Add(new(p, 4, $"type of {name}")); var type = U32(b, p); p += 4;
            map.Lengths.Add(new(p, 8, $"offset of {name}")); var offset = U64(b, p); p += 8;
            var bytes = type switch { 0 => elements * 4, 1 or 30 => elements * 2, 8 => elements / 32 * 34, _ => 0 };
            infos.Add((name, offset, bytes, type));
        }
        map.HeaderEnd = p;
        var dataStart = (p + alignment - 1) / alignment * alignment;
        foreach (var t in infos)
            if (t.Bytes > 0) map.Tensors.Add(((long)dataStart + (long)t.Offset, t.Bytes, t.Name, t.Type));
        return map;
    }

    private string Str(byte[] b, ref int p, string what)
    {
        var n = (int)U64(b, p);
        if (Lengths.Count < 4096 || ++_strings % 64 == 0) Lengths.Add(new(p, 8, $"length of {what}"));
        var s = Encoding.UTF8.GetString(b, p + 8, n);
        p += 8 + n;
        return s;
    }

    private void Value(byte[] b, ref int p, uint type, string key, bool topLevel)
    {
        var width = type switch { 0 or 1 or 7 => 1, 2 or 3 => 2, 4 or 5 or 6 => 4, 10 or 11 or 12 => 8, _ => 0 };
        if (width > 0)
        {
            if (topLevel) Scalars.Add(new(p, width, key));
            p += width;
            return;
        }
        switch (type)
        {
            case 8:
                Str(b, ref p, key);
                return;
            case 9:
                Types.Add(new(p, 4, $"element type of {key}")); var et = U32(b, p); p += 4;
                Lengths.Add(new(p, 8, $"length of {key}")); var n = U64(b, p); p += 8;
                for (ulong i = 0; i < n; i++) Value(b, ref p, et, key, topLevel: false);
                return;
            default:
                throw new InvalidDataException($"the sample has unknown value type {type} at {key}");
        }
    }

    private static ulong U64(byte[] b, int p) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(p));
    private static uint U32(byte[] b, int p) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p));
}
