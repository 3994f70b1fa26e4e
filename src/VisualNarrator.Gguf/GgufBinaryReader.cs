using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace VisualNarrator.Gguf;

/// <summary>Little-endian primitive reads that know the file length, so every length field is checked
/// against the bytes that remain before anything is allocated.</summary>
internal sealed class GgufBinaryReader(Stream stream, string name)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _scratch = new byte[8];
    private byte[] _text = new byte[256];

    public string Name { get; } = name;
    public long Position { get; private set; } = stream.Position;
    public long Length { get; } = stream.Length;
    public long Remaining => Length - Position;

    public GgufFormatException Error(long offset, string problem) => new(Name, offset, problem);

    public void ReadExactly(Span<byte> buffer, string what)
    {
        if (buffer.Length > Remaining)
            throw Error(Position, $"truncated: {what} needs {buffer.Length} bytes, {Remaining} remain");
        stream.ReadExactly(buffer);
        Position += buffer.Length;
    }

    private ReadOnlySpan<byte> Read(int n, string what)
    {
        var span = _scratch.AsSpan(0, n);
        ReadExactly(span, what);
        return span;
    }

    public byte U8(string what) => Read(1, what)[0];
    public ushort U16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Read(2, what));
    public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Read(4, what));
    public ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Read(8, what));

    public string String(string what) => ReadString(what, static w => w);

    /// <summary>A string value of metadata key <paramref name="key"/>; its error texts ("value of 'key'") are only
    /// formatted when an error is thrown, since token and merge arrays hold tens of thousands of strings.</summary>
    public string ValueString(string key) => ReadString(key, static k => $"value of '{k}'");

    /// <summary>Reads <paramref name="count"/> little-endian fixed-size values in one read (the caller has checked that
    /// they fit in the bytes that remain).</summary>
    public T[] Values<T>(int count, string what) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("GGUF arrays are read as little-endian memory");
        var items = new T[count];
        ReadExactly(MemoryMarshal.AsBytes(items.AsSpan()), what);
        return items;
    }

    private string ReadString<TState>(TState state, Func<TState, string> what)
    {
        var at = Position;
        if (Remaining < 8) throw Error(Position, $"truncated: {what(state)} length needs 8 bytes, {Remaining} remain");
        var length = U64("");
        if (length > (ulong)Remaining)
            throw Error(at, $"{what(state)} length {length} exceeds the {Remaining} bytes left in the file");
        if (length > (ulong)_text.Length) _text = new byte[Math.Max((int)length, _text.Length * 2)];
        var bytes = _text.AsSpan(0, (int)length);
        stream.ReadExactly(bytes);
        Position += bytes.Length;
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error(at, $"{what(state)} is not valid UTF-8");
        }
    }
}
