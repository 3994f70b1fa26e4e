using System.Buffers.Binary;

namespace VisualNarrator.Fuzz;

/// <summary>Structure-aware mutations of a valid GGUF file: targeted (a count, length, type, dimension, offset or
/// hyperparameter set to a boundary value; NaN, infinity or huge values written into tensor data) and random (byte
/// flips, truncation, a range duplicated or removed, random header bytes). Deterministic for a given seed.</summary>
public sealed class Mutator(byte[] valid, GgufLayout layout)
{
    private static readonly ulong[] Boundaries64 =
    [
        0, 1, 2, 3, 7, 8, 31, 32, 255, 256, 1000, 65535, 65536, 1_000_000, int.MaxValue, (ulong)int.MaxValue + 1, uint.MaxValue,
        (ulong)uint.MaxValue + 1, long.MaxValue, (ulong)long.MaxValue + 1, ulong.MaxValue - 1, ulong.MaxValue,
    ];

    private static readonly uint[] Boundaries32 = [0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 14, 30, 31, 39, 40, 100, 1_000_000, int.MaxValue, (uint)int.MaxValue + 1, uint.MaxValue];

    /// <summary>The valid file.</summary>
    public byte[] Valid => valid;

    /// <summary>One mutant and what was done to it.</summary>
    public (byte[] Bytes, string How) Next(Random rng)
    {
        var b = (byte[])valid.Clone();
        switch (rng.Next(10))
        {
            case 0 or 1:
            {
                var f = layout.Lengths[rng.Next(layout.Lengths.Count)];
                var v = rng.Next(4) == 0 ? BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(f.Offset)) + (ulong)rng.Next(-3, 4) : Boundaries64[rng.Next(Boundaries64.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(f.Offset), v);
                return (b, $"{f.What} = {v}");
            }
            case 2:
            {
                var f = layout.Types[rng.Next(layout.Types.Count)];
                var v = Boundaries32[rng.Next(Boundaries32.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(f.Offset), v);
                return (b, $"{f.What} = {v}");
            }
            case 3 or 4:
            {
                var f = layout.Scalars[rng.Next(layout.Scalars.Count)];
                var v = Boundaries64[rng.Next(Boundaries64.Length)];
                var how = $"{f.What} = {v}";
                switch (f.Width)
                {
                    case 1: b[f.Offset] = (byte)rng.Next(256); how = $"{f.What} = {b[f.Offset]}"; break;
                    case 2: BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(f.Offset), (ushort)v); break;
                    case 4 when rng.Next(3) == 0:
                        var x = new[] { float.NaN, float.PositiveInfinity, -1f, 0f, 1e-39f, 1e30f, 2f }[rng.Next(7)];
                        BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(f.Offset), x);
                        how = $"{f.What} = {x} (as float)";
                        break;
                    case 4: BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(f.Offset), (uint)v); break;
                    default: BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(f.Offset), v); break;
                }
                return (b, how);
            }
            case 5:
            {
                if (layout.Tensors.Count == 0) goto default;
                var t = layout.Tensors[rng.Next(layout.Tensors.Count)];
                var bad = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 3e38f, -3e38f }[rng.Next(5)];
                var count = rng.Next(1, 4);
                for (var i = 0; i < count; i++)
                {
                    var at = t.Offset + rng.NextInt64(0, Math.Max(1, t.Bytes - 4));
                    switch (t.Type)
                    {
                        case 0: at -= (at - t.Offset) % 4; BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan((int)at), bad); break;
                        case 1: at -= (at - t.Offset) % 2; BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan((int)at), (Half)bad); break;
                        case 8: at -= (at - t.Offset) % 34; BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan((int)at), (Half)bad); break; // a block's scale
                        default: b[at] ^= 0xFF; break;
                    }
                }
                return (b, $"{count} value(s) of {t.Name} = {bad}");
            }
            case 6:
            {
                var n = rng.Next(1, 9);
                for (var i = 0; i < n; i++) b[rng.Next(Math.Min(b.Length, layout.HeaderEnd + 64))] ^= (byte)(1 << rng.Next(8));
                return (b, $"{n} bit flip(s) in the header");
            }
            case 7:
            {
                var len = rng.Next(2) == 0 ? rng.Next(0, Math.Min(b.Length, layout.HeaderEnd + 64)) : rng.Next(0, b.Length);
                return (b[..len], $"truncated to {len} bytes");
            }
            case 8:
            {
                var at = rng.Next(Math.Min(b.Length, layout.HeaderEnd));
                var n = rng.Next(1, 64);
                if (rng.Next(2) == 0)
                {
                    var removed = b[..at].Concat(b[Math.Min(b.Length, at + n)..]).ToArray();
                    return (removed, $"{n} bytes removed at {at}");
                }
                var inserted = b[..at].Concat(b.Skip(at).Take(n)).Concat(b[at..]).ToArray();
                return (inserted, $"{n} bytes duplicated at {at}");
            }
            default:
            {
                var n = rng.Next(1, 32);
                var at = rng.Next(Math.Max(1, Math.Min(b.Length, layout.HeaderEnd) - n));
                rng.NextBytes(b.AsSpan(at, Math.Min(n, b.Length - at)));
                return (b, $"{n} random bytes at {at}");
            }
        }
    }
}
