using System.Text;
using VisualNarrator.Tokenization;
using static VisualNarrator.Tokenization.Tests.TokenizerTestData;

namespace VisualNarrator.Tokenization.Tests;

public class TokenizerDecodeTests
{
    private static string WithoutOptSpecials(string text) => text.Replace("</s>", "", StringComparison.Ordinal).Replace("<pad>", "", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(StringCases), MemberType = typeof(TokenizerTestData))]
    public void Decode_RoundTrips(string text)
    {
        OptTokenizer opt = Opt;
        int[] ids = opt.Encode(text);
        Assert.Equal(2, ids[0]);
        Assert.Equal("</s>" + text, opt.Decode(ids, skipSpecial: false));
        Assert.Equal(WithoutOptSpecials(text), opt.Decode(ids));
        Assert.Equal(text, opt.Decode(opt.Encode(text, addSpecialTokens: false, parseSpecial: false)));
    }

    [Theory]
    [MemberData(nameof(StringCases), MemberType = typeof(TokenizerTestData))]
    public void Gpt2Decode_RoundTrips(string text)
    {
        Assert.Equal(text, Gpt2.Decode(Gpt2.Encode(text)));
    }

    [Theory]
    [MemberData(nameof(StringCases), MemberType = typeof(TokenizerTestData))]
    public void StreamDecoder_ConcatenatesToTheFullDecode_WithoutReplacementCharacters(string text)
    {
        OptTokenizer opt = Opt;
        foreach (bool skipSpecial in new[] { true, false })
        {
            int[] ids = opt.Encode(text);
            var decoder = opt.CreateStreamDecoder(skipSpecial);
            var streamed = new StringBuilder();
            foreach (int id in ids)
            {
                string piece = decoder.Push(id);
                Assert.DoesNotContain('\uFFFD', piece);
                Assert.False(piece.Length > 0 && char.IsHighSurrogate(piece[^1]), "a surrogate pair was split");
                streamed.Append(piece);
            }
            streamed.Append(decoder.Flush());
            Assert.Equal(opt.Decode(ids, skipSpecial), streamed.ToString());
        }
    }

    [Fact]
    public void StreamDecoder_HoldsBackAnEmojiSplitAcrossTokens()
    {
        OptTokenizer opt = Opt;
        int[] ids = opt.Encode("🎉", addSpecialTokens: false);
        Assert.True(ids.Length >= 2, "🎉 should need more than one token, else this test proves nothing");
        Assert.Contains('\uFFFD', opt.Decode(ids[..1])); // the first token alone is half a character

        var decoder = opt.CreateStreamDecoder();
        var pieces = ids.Select(decoder.Push).ToList();
        Assert.All(pieces[..^1], p => Assert.Equal("", p));
        Assert.Equal("🎉", pieces[^1]);
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void StreamDecoder_FlushTurnsAnUnfinishedCharacterIntoOneReplacement()
    {
        OptTokenizer opt = Opt;
        int[] ids = opt.Encode("日", addSpecialTokens: false);
        Assert.True(ids.Length >= 2);
        var decoder = opt.CreateStreamDecoder();
        Assert.Equal("", decoder.Push(ids[0]));
        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Equal("\uFFFD", opt.Decode(ids[..1]));
        // Reusable after a flush.
        Assert.Equal("日", string.Concat(ids.Select(decoder.Push)) + decoder.Flush());
    }

    [Fact]
    public void StreamDecoder_MatchesDecodeOnRandomTokenSequences()
    {
        // Random normal tokens include lone continuation bytes and cut-off lead bytes: invalid UTF-8 must come out the
        // same (U+FFFD in the same places) streamed as decoded at once.
        OptTokenizer gpt2 = Gpt2;
        var random = new Random(1234);
        for (int round = 0; round < 300; round++)
        {
            int[] ids = Enumerable.Range(0, random.Next(1, 12))
                .Select(_ => random.Next(3) == 0 ? random.Next(188, 256) : random.Next(0, 50257))
                .ToArray();
            var decoder = gpt2.CreateStreamDecoder(skipSpecial: false);
            string streamed = string.Concat(ids.Select(decoder.Push)) + decoder.Flush();
            Assert.Equal(gpt2.Decode(ids, skipSpecial: false), streamed);
        }
    }

    [Fact]
    public void Decode_RejectsIdsOutsideTheVocabulary()
    {
        OptTokenizer opt = Opt;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => opt.Decode([100, 50265]));
        Assert.Contains("50265", e.Message);
        Assert.Contains("0..50264", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.Decode([-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.CreateStreamDecoder().Push(50271));
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.GetTokenText(50265));
    }

    [Fact]
    public void PaddedVocabulary_NeverEncodesPaddingAndDecodesItToNothing()
    {
        OptTokenizer opt = Opt;
        var padded = new OptTokenizer(opt.Spec.PadTo(50272));
        Assert.Equal(50272, padded.VocabularySize);
        Assert.Equal("[PAD50265]", padded.GetTokenText(50265));
        Assert.Equal(TokenType.Unused, padded.GetTokenType(50271));
        Assert.False(padded.IsControl(50271));
        foreach (string s in Strings.Append("[PAD50265] [PAD50271]"))
        {
            int[] ids = padded.Encode(s);
            Assert.Equal(opt.Encode(s), ids);
            Assert.All(ids, id => Assert.True(id < 50265));
        }
        Assert.Equal("ab", padded.Decode([opt.GetId("a"), 50265, 50271, opt.GetId("b")], skipSpecial: false));
        Assert.Equal("", padded.CreateStreamDecoder(skipSpecial: false).Push(50270));
        Assert.Throws<ArgumentOutOfRangeException>(() => padded.Decode([50272]));
    }
}
