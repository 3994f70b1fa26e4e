using Microsoft.Win32.SafeHandles;

namespace VisualNarrator.Gguf;

/// <summary>A parsed GGUF v3 file: header, metadata and tensor directory. Opening reads only the metadata, so
/// memory is proportional to the metadata, not to the file; tensor data is read on demand.</summary>
public sealed class GgufFile
{
    /// <summary>The GGUF version this library reads and writes.</summary>
    public const uint SupportedVersion = 3;

    /// <summary>Arrays nested deeper than this are rejected (a crafted file could otherwise exhaust the stack).</summary>
    public const int MaxArrayDepth = 8;

    /// <summary>ggml's GGML_MAX_DIMS.</summary>
    public const int MaxDims = 4;

    /// <summary>ggml's GGML_MAX_NAME minus the terminating NUL.</summary>
    public const int MaxTensorNameBytes = 63;

    internal static ReadOnlySpan<byte> Magic => "GGUF"u8;

    private readonly Dictionary<string, long> _valueOffsets;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;

    private GgufFile(string path, uint version, OrderedDictionary<string, GgufValue> metadata, Dictionary<string, long> valueOffsets,
        List<GgufTensorInfo> tensors, uint alignment, long dataOffset, long fileLength)
    {
        Path = path;
        Version = version;
        Metadata = metadata;
        _valueOffsets = valueOffsets;
        Tensors = tensors;
        _tensorsByName = tensors.ToDictionary(t => t.Name);
        Alignment = alignment;
        DataOffset = dataOffset;
        FileLength = fileLength;
    }

    /// <summary>Path (or stream name) the file was read from.</summary>
    public string Path { get; }

    /// <summary>GGUF version (always 3).</summary>
    public uint Version { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>Tensor directory in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Data alignment (general.alignment, default 32).</summary>
    public uint Alignment { get; }

    /// <summary>Absolute offset of the data section.</summary>
    public long DataOffset { get; }

    /// <summary>Length of the file in bytes.</summary>
    public long FileLength { get; }

    /// <summary>Opens and validates the file's metadata and tensor directory.</summary>
    /// <exception cref="GgufFormatException">The file is malformed.</exception>
    public static GgufFile Open(string path)
    {
        // Checked before opening: opening a FIFO or a device would block or read forever, a folder gives a bare
        // "access denied". Such paths report a size of 0, smaller than any GGUF header.
        if (Directory.Exists(path)) throw new GgufFormatException(path, 0, "the path is a folder, not a GGUF file");
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        if (info.Length < 24) throw new GgufFormatException(path, 0, $"the file is {info.Length} bytes long (or not a regular file such as a pipe or device); a GGUF file has at least a 24-byte header");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Parses from a seekable stream positioned at the start of a GGUF file.</summary>
    /// <exception cref="GgufFormatException">The content is malformed.</exception>
    public static GgufFile Read(Stream stream, string name)
    {
        var r = new GgufBinaryReader(stream, name);
        Span<byte> magic = stackalloc byte[4];
        r.ReadExactly(magic, "magic");
        if (!magic.SequenceEqual(Magic))
            throw r.Error(0, $"wrong magic 0x{Convert.ToHexString(magic)}, expected \"GGUF\" (0x47475546)");
        var version = r.U32("version");
        if (version != SupportedVersion)
            throw r.Error(4, $"unsupported GGUF version {version}, expected {SupportedVersion}");
        var tensorCount = r.U64("tensor count");
        var kvCount = r.U64("metadata count");
        // A tensor info takes at least 8+4+8+4+8 bytes, a key/value at least 8+4+1.
        if (tensorCount > (ulong)r.Remaining / 32)
            throw r.Error(8, $"tensor count {tensorCount} cannot fit in the {r.Remaining} bytes left");
        if (kvCount > (ulong)r.Remaining / 13)
            throw r.Error(16, $"metadata count {kvCount} cannot fit in the {r.Remaining} bytes left");

        var metadata = new OrderedDictionary<string, GgufValue>(StringComparer.Ordinal);
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            var keyAt = r.Position;
            var key = r.String($"key #{i}");
            var valueAt = r.Position;
            var value = ReadValue(r, (GgufValueType)r.U32($"type of '{key}'"), key, depth: 0);
            if (!metadata.TryAdd(key, value))
                throw r.Error(keyAt, $"duplicate metadata key '{key}'");
            offsets[key] = valueAt;
        }

        var alignment = GgufKeys.DefaultAlignment;
        if (metadata.TryGetValue(GgufKeys.Alignment, out var alignValue))
        {
            if (alignValue.Value is not uint a)
                throw r.Error(offsets[GgufKeys.Alignment], $"'{GgufKeys.Alignment}' must be UINT32, found {alignValue.Type}");
            if (a == 0 || a % 8 != 0 || (a & (a - 1)) != 0)
                throw r.Error(offsets[GgufKeys.Alignment], $"alignment {a} must be a power of two and a multiple of 8");
            alignment = a;
        }

        var tensors = new List<(GgufTensorInfo Info, long At)>((int)tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            var at = r.Position;
            var info = ReadTensorInfo(r, i, alignment);
            if (!names.Add(info.Name))
                throw r.Error(at, $"duplicate tensor name '{info.Name}'");
            tensors.Add((info, at));
        }

        var dataOffset = AlignUp(r.Position, alignment);
        var dataSize = r.Length - dataOffset;
        var placed = new List<GgufTensorInfo>(tensors.Count);
        foreach (var (info, at) in tensors)
        {
            if (info.RelativeOffset > dataSize || info.ByteSize > dataSize - info.RelativeOffset)
                throw r.Error(at, $"tensor '{info.Name}' data [{info.RelativeOffset}, +{info.ByteSize}) lies outside the {Math.Max(0, dataSize)}-byte data section");
            placed.Add(info with { FileOffset = dataOffset + info.RelativeOffset });
        }
        CheckNoOverlap(r, placed);
        return new GgufFile(name, version, metadata, offsets, placed, alignment, dataOffset, r.Length);
    }

    private static GgufTensorInfo ReadTensorInfo(GgufBinaryReader r, ulong index, uint alignment)
    {
        var at = r.Position;
        var name = r.String($"name of tensor #{index}");
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxTensorNameBytes)
            throw r.Error(at, $"tensor name '{name}' is longer than {MaxTensorNameBytes} bytes");
        var dimsAt = r.Position;
        var nDims = r.U32($"dimension count of '{name}'");
        if (nDims is 0 or > MaxDims)
            throw r.Error(dimsAt, $"tensor '{name}' has {nDims} dimensions, expected 1 to {MaxDims}");
        var shape = new long[nDims];
        long elements = 1;
        for (var d = 0; d < nDims; d++)
        {
            var neAt = r.Position;
            var ne = r.U64($"dimension {d} of '{name}'");
            if (ne == 0 || ne > long.MaxValue)
                throw r.Error(neAt, $"tensor '{name}' dimension {d} is {ne}, expected 1 to {long.MaxValue}");
            shape[d] = (long)ne;
            try { elements = checked(elements * shape[d]); }
            catch (OverflowException) { throw r.Error(neAt, $"tensor '{name}' element count overflows 64 bits"); }
        }
        var typeAt = r.Position;
        var type = (GgmlType)r.U32($"type of '{name}'");
        if (!GgmlTypeInfo.IsKnown(type))
            throw r.Error(typeAt, $"tensor '{name}' has unknown ggml type id {(uint)type}");
        var block = GgmlTypeInfo.BlockSize(type);
        if (shape[0] % block != 0)
            throw r.Error(dimsAt, $"tensor '{name}' dimension 0 is {shape[0]}, not a multiple of the {GgmlTypeInfo.Name(type)} block size {block}");
        long bytes;
        try { bytes = checked(GgmlTypeInfo.RowBytes(type, shape[0]) * (elements / shape[0])); }
        catch (OverflowException) { throw r.Error(dimsAt, $"tensor '{name}' byte size overflows 64 bits"); }
        var offAt = r.Position;
        var offset = r.U64($"data offset of '{name}'");
        if (offset > long.MaxValue)
            throw r.Error(offAt, $"tensor '{name}' data offset {offset} is out of range");
        if (offset % alignment != 0)
            throw r.Error(offAt, $"tensor '{name}' data offset {offset} is not a multiple of the alignment {alignment}");
        return new GgufTensorInfo(name, type, shape, (long)offset, FileOffset: -1, bytes);
    }

    private static void CheckNoOverlap(GgufBinaryReader r, List<GgufTensorInfo> tensors)
    {
        var sorted = tensors.OrderBy(t => t.RelativeOffset).ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            var prev = sorted[i - 1];
            if (prev.RelativeOffset + prev.ByteSize > sorted[i].RelativeOffset)
                throw r.Error(sorted[i].FileOffset, $"tensor '{sorted[i].Name}' data overlaps tensor '{prev.Name}'");
        }
    }

    private static GgufValue ReadValue(GgufBinaryReader r, GgufValueType type, string key, int depth)
    {
        var at = r.Position;
        return type switch
        {
            GgufValueType.UInt8 => GgufValue.From(r.U8(key)),
            GgufValueType.Int8 => GgufValue.From((sbyte)r.U8(key)),
            GgufValueType.UInt16 => GgufValue.From(r.U16(key)),
            GgufValueType.Int16 => GgufValue.From((short)r.U16(key)),
            GgufValueType.UInt32 => GgufValue.From(r.U32(key)),
            GgufValueType.Int32 => GgufValue.From((int)r.U32(key)),
            GgufValueType.Float32 => GgufValue.From(BitConverter.UInt32BitsToSingle(r.U32(key))),
            GgufValueType.Bool => GgufValue.From(ReadBool(r, key)),
            GgufValueType.String => GgufValue.From(r.ValueString(key)),
            GgufValueType.UInt64 => GgufValue.From(r.U64(key)),
            GgufValueType.Int64 => GgufValue.From((long)r.U64(key)),
            GgufValueType.Float64 => GgufValue.From(BitConverter.UInt64BitsToDouble(r.U64(key))),
            GgufValueType.Array => GgufValue.From(ReadArray(r, key, depth)),
            _ => throw r.Error(at - 4, $"key '{key}' has unknown value type {(uint)type}"),
        };
    }

    private static bool ReadBool(GgufBinaryReader r, string key)
    {
        var at = r.Position;
        var b = r.U8(key);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw r.Error(at, $"'{key}' bool byte is {b}, expected 0 or 1"),
        };
    }

    private static GgufArray ReadArray(GgufBinaryReader r, string key, int depth)
    {
        var at = r.Position;
        if (depth >= MaxArrayDepth)
            throw r.Error(at, $"'{key}' nests arrays deeper than {MaxArrayDepth}");
        var elementType = (GgufValueType)r.U32($"element type of '{key}'");
        var countAt = r.Position;
        var count = r.U64($"length of '{key}'");
        var minSize = elementType switch
        {
            GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
            GgufValueType.UInt16 or GgufValueType.Int16 => 2,
            GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
            GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
            GgufValueType.Array => 12,
            _ => throw r.Error(at, $"'{key}' has unknown array element type {(uint)elementType}"),
        };
        if (count > (ulong)(r.Remaining / minSize))
            throw r.Error(countAt, $"'{key}' array length {count} cannot fit in the {r.Remaining} bytes left");
        // Empty arrays are shared: a file of nested empty arrays would otherwise cost several times its size in objects.
        if (count == 0) return EmptyArrays[(int)elementType];
        // Strings and fixed-size numbers (token lists, merges, token types) are read straight into typed arrays, without
        // a boxed GgufValue per element.
        switch (elementType)
        {
            case GgufValueType.String:
                var strings = new string[(int)count];
                for (var i = 0; i < strings.Length; i++) strings[i] = r.ValueString(key);
                return new GgufArray(elementType, strings);
            case GgufValueType.UInt8: return new GgufArray(elementType, r.Values<byte>((int)count, key));
            case GgufValueType.Int8: return new GgufArray(elementType, r.Values<sbyte>((int)count, key));
            case GgufValueType.UInt16: return new GgufArray(elementType, r.Values<ushort>((int)count, key));
            case GgufValueType.Int16: return new GgufArray(elementType, r.Values<short>((int)count, key));
            case GgufValueType.UInt32: return new GgufArray(elementType, r.Values<uint>((int)count, key));
            case GgufValueType.Int32: return new GgufArray(elementType, r.Values<int>((int)count, key));
            case GgufValueType.Float32: return new GgufArray(elementType, r.Values<float>((int)count, key));
            case GgufValueType.UInt64: return new GgufArray(elementType, r.Values<ulong>((int)count, key));
            case GgufValueType.Int64: return new GgufArray(elementType, r.Values<long>((int)count, key));
            case GgufValueType.Float64: return new GgufArray(elementType, r.Values<double>((int)count, key));
        }
        var items = System.Array.CreateInstance(GgufArray.ClrType(elementType), (int)count);
        for (var i = 0; i < (int)count; i++)
            items.SetValue(ReadValue(r, elementType, key, depth + 1).Value, i);
        return new GgufArray(elementType, items);
    }

    private static readonly GgufArray[] EmptyArrays = Enum.GetValues<GgufValueType>()
        .Select(t => new GgufArray(t, System.Array.CreateInstance(GgufArray.ClrType(t), 0)))
        .ToArray();

    internal static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;

    /// <summary>Finds a tensor by name.</summary>
    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Looks up a metadata value.</summary>
    public bool TryGet(string key, out GgufValue value) => Metadata.TryGetValue(key, out value!);

    /// <summary>A required string value.</summary>
    public string GetString(string key) => Get<string>(key, GgufValueType.String);

    /// <summary>A required UINT32 value.</summary>
    public uint GetUInt32(string key) => Get<uint>(key, GgufValueType.UInt32);

    /// <summary>A required FLOAT32 value.</summary>
    public float GetFloat32(string key) => Get<float>(key, GgufValueType.Float32);

    /// <summary>A BOOL value, or <paramref name="fallback"/> when the key is absent.</summary>
    public bool GetBool(string key, bool fallback) => Metadata.ContainsKey(key) ? Get<bool>(key, GgufValueType.Bool) : fallback;

    /// <summary>A required integer of any integer type, widened to long.</summary>
    public long GetInteger(string key)
    {
        var value = Require(key);
        return value.TryGetInteger(out var v) ? v : throw WrongType(key, "an integer", value);
    }

    /// <summary>An optional integer of any integer type.</summary>
    public long? GetIntegerOrNull(string key) => Metadata.ContainsKey(key) ? GetInteger(key) : null;

    /// <summary>A required array whose elements are <paramref name="elementType"/>, as a typed CLR array.</summary>
    public T[] GetArray<T>(string key, GgufValueType elementType)
    {
        var array = Get<GgufArray>(key, GgufValueType.Array);
        if (array.ElementType != elementType)
            throw new GgufFormatException(Path, OffsetOf(key), $"'{key}' must be an array of {elementType}, found an array of {array.ElementType}");
        return array.As<T>();
    }

    /// <summary>A required array of strings.</summary>
    public string[] GetStringArray(string key) => GetArray<string>(key, GgufValueType.String);

    /// <summary>A required value of an exact type.</summary>
    public T Get<T>(string key, GgufValueType type)
    {
        var value = Require(key);
        return value.Type == type ? (T)value.Value : throw WrongType(key, type.ToString().ToUpperInvariant(), value);
    }

    /// <summary>A required value of any type.</summary>
    public GgufValue Require(string key) =>
        Metadata.TryGetValue(key, out var value) ? value : throw new GgufFormatException(Path, 24, $"missing required key '{key}'");

    /// <summary>Byte offset of a key's value in the file (for error messages), or 0 when absent.</summary>
    public long OffsetOf(string key) => _valueOffsets.GetValueOrDefault(key);

    private GgufFormatException WrongType(string key, string expected, GgufValue found) =>
        new(Path, OffsetOf(key), $"'{key}' must be {expected}, found {found.Type.ToString().ToUpperInvariant()}");

    /// <summary>Reads one tensor's bytes into <paramref name="destination"/> (exactly <see cref="GgufTensorInfo.ByteSize"/> long).</summary>
    public void ReadTensorData(GgufTensorInfo tensor, Span<byte> destination)
    {
        if (destination.Length != tensor.ByteSize)
            throw new ArgumentException($"tensor '{tensor.Name}' has {tensor.ByteSize} bytes, destination has {destination.Length}");
        using var stream = OpenData(tensor);
        stream.ReadExactly(destination);
    }

    /// <summary>Copies one tensor's bytes to a stream, in chunks.</summary>
    public void CopyTensorData(GgufTensorInfo tensor, Stream destination)
    {
        using var stream = OpenData(tensor);
        var buffer = new byte[Math.Min(tensor.ByteSize, 1 << 20)];
        for (var left = tensor.ByteSize; left > 0;)
        {
            var n = (int)Math.Min(left, buffer.Length);
            stream.ReadExactly(buffer, 0, n);
            destination.Write(buffer, 0, n);
            left -= n;
        }
    }

    /// <summary>Reads bytes of one tensor's data, from <paramref name="offset"/> bytes into it, through a handle from
    /// <see cref="OpenForParallelReads"/>; several threads may read through the same handle at once.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the tensor.</exception>
    /// <exception cref="EndOfStreamException">The file ended early.</exception>
    public void ReadTensorData(SafeFileHandle handle, GgufTensorInfo tensor, long offset, Span<byte> destination)
    {
        RequireOwn(tensor);
        if (offset < 0 || offset + destination.Length > tensor.ByteSize)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + destination.Length} are outside tensor '{tensor.Name}' ({tensor.ByteSize} bytes)");
        for (var at = tensor.FileOffset + offset; !destination.IsEmpty;)
        {
            var n = RandomAccess.Read(handle, destination, at);
            if (n == 0) throw new EndOfStreamException($"{Path} ended at byte {at}, inside tensor '{tensor.Name}'");
            destination = destination[n..];
            at += n;
        }
    }

    /// <summary>Opens the file for <see cref="ReadTensorData(SafeFileHandle, GgufTensorInfo, long, Span{byte})"/>.</summary>
    /// <exception cref="IOException">The file changed size since it was opened.</exception>
    public SafeFileHandle OpenForParallelReads()
    {
        var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = RandomAccess.GetLength(handle);
        if (length == FileLength) return handle;
        handle.Dispose();
        throw ChangedSize(length);
    }

    private FileStream OpenData(GgufTensorInfo tensor)
    {
        RequireOwn(tensor);
        var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length != FileLength)
        {
            var length = stream.Length;
            stream.Dispose();
            throw ChangedSize(length);
        }
        stream.Position = tensor.FileOffset;
        return stream;
    }

    private void RequireOwn(GgufTensorInfo tensor)
    {
        if (!ReferenceEquals(FindTensor(tensor.Name), tensor))
            throw new ArgumentException($"tensor '{tensor.Name}' does not belong to {Path}");
    }

    private IOException ChangedSize(long length) =>
        new($"{Path} changed size since it was opened ({FileLength} -> {length} bytes)");
}
