using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace VisualNarrator.Gguf;

/// <summary>Progress of <see cref="GgufWriter.WriteTo(string, IProgress{GgufWriteProgress}?)"/>.</summary>
/// <param name="TensorsWritten">Tensors finished so far.</param>
/// <param name="TensorCount">Tensors in the file.</param>
/// <param name="BytesWritten">Tensor data bytes written so far.</param>
/// <param name="TotalBytes">Tensor data bytes in the file.</param>
public readonly record struct GgufWriteProgress(int TensorsWritten, int TensorCount, long BytesWritten, long TotalBytes);

/// <summary>Builds a GGUF v3 file. Metadata is held in memory; tensor data is produced by a callback per tensor
/// while writing, so at most one tensor's data is in flight. Output goes to a temp file that is renamed into place,
/// and identical input gives identical bytes.</summary>
public sealed class GgufWriter
{
    private readonly OrderedDictionary<string, GgufValue> _metadata = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    private sealed record PendingTensor(string Name, GgmlType Type, long[] Shape, long ByteSize, Action<Stream> WriteData);

    /// <summary>Metadata in insertion order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata => _metadata;

    /// <summary>Data alignment: general.alignment when set, else 32.</summary>
    public uint Alignment => _metadata.TryGetValue(GgufKeys.Alignment, out var v) && v.Value is uint a ? a : GgufKeys.DefaultAlignment;

    /// <summary>Sets a metadata value (replacing an existing one in place).</summary>
    public GgufWriter Set(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key == GgufKeys.Alignment && (value.Value is not uint a || a == 0 || a % 8 != 0 || (a & (a - 1)) != 0))
            throw new ArgumentException($"'{GgufKeys.Alignment}' must be a UINT32 power of two and a multiple of 8, got {value.Type} {value}");
        _metadata[key] = value;
        return this;
    }

    /// <summary>Sets a STRING value.</summary>
    public GgufWriter SetString(string key, string value) => Set(key, GgufValue.From(value));
    /// <summary>Sets a UINT32 value.</summary>
    public GgufWriter SetUInt32(string key, uint value) => Set(key, GgufValue.From(value));
    /// <summary>Sets an INT32 value.</summary>
    public GgufWriter SetInt32(string key, int value) => Set(key, GgufValue.From(value));
    /// <summary>Sets a UINT64 value.</summary>
    public GgufWriter SetUInt64(string key, ulong value) => Set(key, GgufValue.From(value));
    /// <summary>Sets a FLOAT32 value.</summary>
    public GgufWriter SetFloat32(string key, float value) => Set(key, GgufValue.From(value));
    /// <summary>Sets a BOOL value.</summary>
    public GgufWriter SetBool(string key, bool value) => Set(key, GgufValue.From(value));
    /// <summary>Sets an array of strings.</summary>
    public GgufWriter SetStringArray(string key, IEnumerable<string> values) => Set(key, GgufValue.From(GgufArray.Of([.. values])));
    /// <summary>Sets an array of INT32.</summary>
    public GgufWriter SetInt32Array(string key, IEnumerable<int> values) => Set(key, GgufValue.From(GgufArray.Of([.. values])));
    /// <summary>Sets an array of FLOAT32.</summary>
    public GgufWriter SetFloat32Array(string key, IEnumerable<float> values) => Set(key, GgufValue.From(GgufArray.Of([.. values])));

    /// <summary>Removes a metadata key if present.</summary>
    public bool Remove(string key) => _metadata.Remove(key);

    /// <summary>Adds a tensor whose bytes <paramref name="writeData"/> will write (exactly the size the type and shape
    /// give) when the file is written.</summary>
    public GgufWriter AddTensor(string name, GgmlType type, IReadOnlyList<long> shape, Action<Stream> writeData)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Encoding.UTF8.GetByteCount(name) > GgufFile.MaxTensorNameBytes)
            throw new ArgumentException($"tensor name '{name}' is longer than {GgufFile.MaxTensorNameBytes} bytes");
        if (!GgmlTypeInfo.IsKnown(type))
            throw new ArgumentException($"tensor '{name}': unknown ggml type id {(uint)type}");
        if (shape.Count is 0 or > GgufFile.MaxDims || shape.Any(d => d <= 0))
            throw new ArgumentException($"tensor '{name}': shape {{{string.Join(", ", shape)}}} must have 1 to {GgufFile.MaxDims} positive dimensions");
        if (!_tensorNames.Add(name))
            throw new ArgumentException($"duplicate tensor name '{name}'");
        var rows = shape.Skip(1).Aggregate(1L, (a, b) => checked(a * b));
        var bytes = checked(GgmlTypeInfo.RowBytes(type, shape[0]) * rows);
        _tensors.Add(new PendingTensor(name, type, [.. shape], bytes, writeData));
        return this;
    }

    /// <summary>Adds an F32 tensor from memory.</summary>
    public GgufWriter AddTensor(string name, ReadOnlyMemory<float> data, params long[] shape)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length)
            throw new ArgumentException($"tensor '{name}': shape {{{string.Join(", ", shape)}}} holds {count} elements, data has {data.Length}");
        return AddTensor(name, GgmlType.F32, shape, s => s.Write(MemoryMarshal.AsBytes(data.Span)));
    }

    /// <summary>Adds a tensor from raw bytes already in <paramref name="type"/>'s layout.</summary>
    public GgufWriter AddTensor(string name, GgmlType type, ReadOnlyMemory<byte> data, params long[] shape) =>
        AddTensor(name, type, shape, s => s.Write(data.Span));

    /// <summary>Starts a writer holding all metadata of <paramref name="source"/> and all its tensors, whose data is
    /// copied from the source file while writing.</summary>
    public static GgufWriter CopyOf(GgufFile source)
    {
        var writer = new GgufWriter();
        foreach (var (key, value) in source.Metadata) writer.Set(key, value);
        foreach (var t in source.Tensors) writer.AddTensor(t.Name, t.Type, t.Shape, s => source.CopyTensorData(t, s));
        return writer;
    }

    /// <summary>Writes the file atomically (<see cref="AtomicFile"/>): to a temp file beside <paramref name="path"/>, then
    /// renamed over it. On any failure the temp file is deleted and <paramref name="path"/> is left as it was.</summary>
    public void WriteTo(string path, IProgress<GgufWriteProgress>? progress = null)
    {
        AtomicFile.Write(path, stream => WriteTo(stream, progress));
    }

    /// <summary>Writes the file to a stream.</summary>
    public void WriteTo(Stream stream, IProgress<GgufWriteProgress>? progress = null)
    {
        var alignment = Alignment;
        var header = new MemoryStream();
        header.Write(GgufFile.Magic);
        WriteU32(header, GgufFile.SupportedVersion);
        WriteU64(header, (ulong)_tensors.Count);
        WriteU64(header, (ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(header, key);
            WriteU32(header, (uint)value.Type);
            WriteValue(header, value.Value);
        }
        long offset = 0;
        foreach (var t in _tensors)
        {
            WriteString(header, t.Name);
            WriteU32(header, (uint)t.Shape.Length);
            foreach (var d in t.Shape) WriteU64(header, (ulong)d);
            WriteU32(header, (uint)t.Type);
            WriteU64(header, (ulong)offset);
            offset = GgufFile.AlignUp(offset + t.ByteSize, alignment);
        }
        header.Position = 0;
        header.CopyTo(stream);
        WritePadding(stream, header.Length, alignment);

        long total = _tensors.Sum(t => t.ByteSize), done = 0;
        for (var i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            var counter = new CountingStream(stream);
            t.WriteData(counter);
            if (counter.Count != t.ByteSize)
                throw new InvalidOperationException($"tensor '{t.Name}' wrote {counter.Count} bytes, expected {t.ByteSize}");
            // ggml pads after every tensor, including the last one.
            WritePadding(stream, t.ByteSize, alignment);
            done += t.ByteSize;
            progress?.Report(new GgufWriteProgress(i + 1, _tensors.Count, done, total));
        }
    }

    private static void WritePadding(Stream stream, long written, long alignment)
    {
        var pad = (int)(GgufFile.AlignUp(written, alignment) - written);
        Span<byte> zeros = stackalloc byte[pad];
        zeros.Clear();
        stream.Write(zeros);
    }

    private static void WriteValue(Stream s, object value)
    {
        switch (value)
        {
            case byte v: s.WriteByte(v); break;
            case sbyte v: s.WriteByte((byte)v); break;
            case ushort v: WriteU16(s, v); break;
            case short v: WriteU16(s, (ushort)v); break;
            case uint v: WriteU32(s, v); break;
            case int v: WriteU32(s, (uint)v); break;
            case float v: WriteU32(s, BitConverter.SingleToUInt32Bits(v)); break;
            case bool v: s.WriteByte(v ? (byte)1 : (byte)0); break;
            case string v: WriteString(s, v); break;
            case ulong v: WriteU64(s, v); break;
            case long v: WriteU64(s, (ulong)v); break;
            case double v: WriteU64(s, BitConverter.DoubleToUInt64Bits(v)); break;
            case GgufArray a:
                WriteU32(s, (uint)a.ElementType);
                WriteU64(s, (ulong)a.Count);
                foreach (var item in a.Items) WriteValue(s, item!);
                break;
            default: throw new ArgumentException($"cannot write a {value.GetType().Name} as GGUF");
        }
    }

    private static void WriteString(Stream s, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteU64(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteU16(Stream s, ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); s.Write(b); }
    private static void WriteU32(Stream s, uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); s.Write(b); }
    private static void WriteU64(Stream s, ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); s.Write(b); }

    /// <summary>Pass-through write-only stream that counts bytes, so a tensor callback that writes the wrong amount
    /// is caught instead of shifting every later tensor.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) { inner.Write(buffer); Count += buffer.Length; }
    }
}
