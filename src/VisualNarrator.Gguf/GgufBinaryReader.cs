using System.Buffers.Binary;
using System.Text;

namespace VisualNarrator.Gguf;

/// <summary>Little-endian primitive reads that know the file length, so every length field is checked
/// against the bytes that remain before anything is allocated.</summary>
internal sealed class GgufBinaryReader(Stream stream, string name)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _scratch = new byte[8];

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

    public string String(string what)
    {
        var at = Position;
        var length = U64(what + " length");
        if (length > (ulong)Remaining)
            throw Error(at, $"{what} length {length} exceeds the {Remaining} bytes left in the file");
        var bytes = new byte[length];
        ReadExactly(bytes, what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error(at, $"{what} is not valid UTF-8");
        }
    }
}
