using VisualNarrator.Gguf;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.HuggingFace;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The key.</param>
/// <param name="DType">safetensors dtype name (F32, F16, BF16, ...).</param>
/// <param name="Shape">The shape.</param>
/// <param name="Begin">Start of the data, relative to the data section.</param>
/// <param name="End">End of the data (exclusive), relative to the data section.</param>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// The safetensors format (8-byte little-endian header length, a JSON header of name → {dtype, shape, data_offsets}
/// plus optional <c>__metadata__</c> of strings, then the data). The reader validates the whole header against the
/// file size before any tensor is read and reads one tensor at a time straight into torch memory; the writer streams
/// tensors one at a time and records <c>{"format": "pt"}</c>, which transformers expects.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>Largest header accepted (the format's own limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new()
    {
        ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1), ["BOOL"] = (ScalarType.Bool, 1),
    };

    private SafetensorsFile(string path, long dataStart, IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        DataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file.</summary>
    public string Path { get; }
    /// <summary>File offset of the data section.</summary>
    public long DataStart { get; }
    /// <summary>The tensors, in data order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }
    /// <summary>The <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads and validates the header.</summary>
    /// <exception cref="CheckpointException">The file is truncated, the header is not valid JSON or an entry is
    /// malformed, overlaps another, or lies outside the file.</exception>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "the file is missing");
        using var stream = File.OpenRead(path);
        var fileLength = stream.Length;
        if (fileLength < 8) throw new CheckpointException(path, $"not a safetensors file: {fileLength} bytes is shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > fileLength - 8)
            throw new CheckpointException(path, $"corrupt safetensors header: it claims {headerLength} bytes of JSON but the file has {fileLength - 8} bytes after the length");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(header) as JsonObject ?? throw new CheckpointException(path, "corrupt safetensors header: the JSON is not an object");
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"corrupt safetensors header: not valid JSON ({ex.Message})", ex);
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointException(path, $"corrupt safetensors header: not UTF-8 JSON ({ex.Message})", ex);
        }

        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;
        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in json)
        {
            string Bad(string problem) => throw new CheckpointException(path, $"corrupt safetensors header: tensor '{name}' {problem}");
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw new CheckpointException(path, "corrupt safetensors header: __metadata__ is not an object");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue sv && sv.TryGetValue(out string? s) ? s : throw new CheckpointException(path, $"corrupt safetensors header: __metadata__.{k} is not a string");
                continue;
            }
            if (node is not JsonObject o) { Bad("is not an object"); continue; }
            var dtype = o["dtype"] is JsonValue d && d.TryGetValue(out string? ds) ? ds : Bad("has no dtype string");
            if (!DTypes.TryGetValue(dtype, out var info)) Bad($"has unsupported dtype '{dtype}'");
            if (o["shape"] is not JsonArray shapeArray) { Bad("has no shape array"); continue; }
            var shape = new long[shapeArray.Count];
            for (var i = 0; i < shape.Length; i++)
                shape[i] = shapeArray[i] is JsonValue sv && sv.TryGetValue(out long dim) && dim >= 0 ? dim : throw new CheckpointException(path, $"corrupt safetensors header: tensor '{name}' has a bad shape {shapeArray.ToJsonString()}");
            if (o["data_offsets"] is not JsonArray offsets || offsets.Count != 2
                || offsets[0] is not JsonValue b0 || !b0.TryGetValue(out long begin)
                || offsets[1] is not JsonValue e0 || !e0.TryGetValue(out long end))
            { Bad("has no [begin, end] data_offsets"); continue; }
            long count = 1;
            try { foreach (var dim in shape) count = checked(count * dim); }
            catch (OverflowException) { Bad($"has a shape {shapeArray.ToJsonString()} too large to address"); }
            if (begin < 0 || end < begin || end > dataLength)
                Bad($"has data_offsets [{begin}, {end}] outside the {dataLength} data bytes (truncated file?)");
            if (end - begin != count * info.Size)
                Bad($"has {end - begin} data bytes but shape {shapeArray.ToJsonString()} of {dtype} needs {count * info.Size}");
            entries.Add(new SafetensorsEntry(name, dtype, shape, begin, end));
        }
        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        for (var i = 1; i < entries.Count; i++)
            if (entries[i].Begin < entries[i - 1].End)
                throw new CheckpointException(path, $"corrupt safetensors header: tensors '{entries[i - 1].Name}' and '{entries[i].Name}' overlap");
        return new SafetensorsFile(path, dataStart, entries, metadata);
    }

    /// <summary>Whether the dtype name is one this reader knows.</summary>
    public static bool IsKnownDType(string dtype) => DTypes.ContainsKey(dtype);

    /// <summary>Reads one tensor in its stored dtype into a new CPU tensor.</summary>
    public Tensor Read(SafetensorsEntry entry, FileStream stream)
    {
        var (type, _) = DTypes[entry.DType];
        var length = entry.End - entry.Begin;
        if (length > int.MaxValue) throw new CheckpointException(Path, $"tensor '{entry.Name}' is {length} bytes; tensors over 2 GiB are not supported");
        var tensor = empty(entry.Shape, type);
        if (length == 0) return tensor;
        stream.Position = DataStart + entry.Begin;
        try
        {
            stream.ReadExactly(tensor.bytes);
        }
        catch (EndOfStreamException ex)
        {
            tensor.Dispose();
            throw new CheckpointException(Path, $"tensor '{entry.Name}' is cut off (truncated file?)", ex);
        }
        return tensor;
    }

    /// <summary>The safetensors dtype name of a torch dtype.</summary>
    public static string DTypeName(ScalarType type) =>
        DTypes.FirstOrDefault(kv => kv.Value.Type == type).Key ?? throw new ArgumentException($"safetensors cannot store {type}");

    /// <summary>Writes tensors (contiguous CPU copies are made as needed), one at a time, to <paramref name="path"/>.
    /// The header carries <c>__metadata__</c> with <c>format: pt</c> and <paramref name="metadata"/>, padded with
    /// spaces to a multiple of 8 bytes.</summary>
    /// <param name="path">Output file (overwritten; callers write into a temporary folder).</param>
    /// <param name="tensors">Name, shape, dtype and a function giving the tensor when it is its turn.</param>
    /// <param name="metadata">Extra metadata strings.</param>
    public static void Write(string path, IReadOnlyList<(string Name, long[] Shape, ScalarType Type, Func<Tensor> Get)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        var meta = new JsonObject { ["format"] = "pt" };
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) meta[k] = v;
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var (name, shape, type, _) in tensors)
        {
            var size = DTypes[DTypeName(type)].Size * shape.Aggregate(1L, (a, b) => a * b);
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(type),
                ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            var lengthBytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)padded);
            stream.Write(lengthBytes);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (name, shape, type, get) in tensors)
            {
                using var scope = NewDisposeScope();
                var t = get().to(type).contiguous().cpu();
                if (!t.shape.SequenceEqual(shape))
                    throw new InvalidOperationException($"tensor '{name}' has shape [{string.Join(", ", t.shape)}], declared [{string.Join(", ", shape)}]");
                stream.Write(t.bytes);
            }
        });
    }
}
