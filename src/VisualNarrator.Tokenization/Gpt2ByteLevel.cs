using System.Text;

namespace VisualNarrator.Tokenization;

/// <summary>
/// GPT-2's reversible byte-to-unicode table (<c>bytes_to_unicode</c> in OpenAI's encoder.py): every byte value
/// gets a printable character, so BPE vocabularies can be stored as text. Printable Latin-1 bytes map to
/// themselves; the 68 others (control characters, space, 0x7F-0xA0, 0xAD) map to U+0100 onwards in byte order,
/// e.g. space (0x20) is <c>Ġ</c> (U+0120) and newline (0x0A) is <c>Ċ</c> (U+010A).
/// </summary>
public static class Gpt2ByteLevel
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    // Indexed by character: the byte it stands for, or -1. Every byte-level character is below U+0144, and a table
    // lookup is several times cheaper than a dictionary's for the 300k characters of a vocabulary.
    private static readonly short[] CharToByte = BuildCharToByte();

    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    private static short[] BuildCharToByte()
    {
        var table = new short[ByteToChar.Max() + 1];
        Array.Fill(table, (short)-1);
        for (int b = 0; b < 256; b++)
        {
            table[ByteToChar[b]] = (short)b;
        }
        return table;
    }

    /// <summary>The character that stands for <paramref name="value"/>.</summary>
    /// <param name="value">A byte value.</param>
    /// <returns>Its byte-level character.</returns>
    public static char CharOf(byte value) => ByteToChar[value];

    /// <summary>Whether <paramref name="c"/> is one of the 256 byte-level characters.</summary>
    /// <param name="c">A character.</param>
    /// <returns>True when the character stands for a byte.</returns>
    public static bool IsByteChar(char c) => c < CharToByte.Length && CharToByte[c] >= 0;

    /// <summary>The byte-level text of <paramref name="bytes"/>, one character per byte.</summary>
    /// <param name="bytes">Raw bytes (usually UTF-8).</param>
    /// <returns>The byte-level string, as vocab.json and merges.txt store tokens.</returns>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            sb.Append(ByteToChar[b]);
        }
        return sb.ToString();
    }

    /// <summary>Appends the bytes that byte-level <paramref name="text"/> stands for.</summary>
    /// <param name="text">Byte-level text.</param>
    /// <param name="destination">Receives the bytes.</param>
    /// <returns>False (after appending nothing) when a character is not a byte-level character.</returns>
    public static bool TryDecode(string text, List<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(destination);
        foreach (char c in text)
        {
            if (!IsByteChar(c))
            {
                return false;
            }
        }
        foreach (char c in text)
        {
            destination.Add((byte)CharToByte[c]);
        }
        return true;
    }

    /// <summary>The bytes that byte-level <paramref name="text"/> stands for.</summary>
    /// <param name="text">Byte-level text.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ArgumentException">A character is not a byte-level character.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (!IsByteChar(text[i]))
            {
                throw new ArgumentException($"'{text}' contains a character that is not a GPT-2 byte-level character.", nameof(text));
            }
            bytes[i] = (byte)CharToByte[text[i]];
        }
        return bytes;
    }
}
