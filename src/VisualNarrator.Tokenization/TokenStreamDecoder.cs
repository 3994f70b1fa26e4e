using System.Text;

namespace VisualNarrator.Tokenization;

/// <summary>
/// Turns generated token ids into text one id at a time. A token may end in the middle of a UTF-8 character
/// (emoji and CJK are often split over two or three tokens); the incomplete bytes are held back until the
/// character is complete, so no half character or spurious U+FFFD is ever emitted. Concatenating every
/// <see cref="Push"/> result and the final <see cref="Flush"/> gives exactly <see cref="OptTokenizer.Decode"/> of the
/// same ids. Not thread-safe: one decoder per stream.
/// </summary>
public sealed class TokenStreamDecoder
{
    private readonly OptTokenizer _tokenizer;
    private readonly bool _skipSpecial;
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private char[] _chars = new char[64];

    internal TokenStreamDecoder(OptTokenizer tokenizer, bool skipSpecial)
    {
        _tokenizer = tokenizer;
        _skipSpecial = skipSpecial;
    }

    /// <summary>Adds one token and returns the text it completes (possibly empty).</summary>
    /// <param name="id">The next token id.</param>
    /// <returns>Newly completed text.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in the vocabulary.</exception>
    public string Push(int id) => Convert(_tokenizer.GetPiece(id, _skipSpecial), flush: false);

    /// <summary>Ends the stream: held-back bytes of an unfinished character become U+FFFD. The decoder can then be reused.</summary>
    /// <returns>The remaining text (empty when nothing was held back).</returns>
    public string Flush() => Convert([], flush: true);

    /// <summary>Drops any held-back bytes and starts a new stream.</summary>
    public void Reset()
    {
        _utf8.Reset();
    }

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        int count = _utf8.GetCharCount(bytes, flush);
        if (_chars.Length < count)
        {
            _chars = new char[Math.Max(count, _chars.Length * 2)];
        }
        int written = _utf8.GetChars(bytes, _chars, flush);
        return new string(_chars, 0, written);
    }
}
