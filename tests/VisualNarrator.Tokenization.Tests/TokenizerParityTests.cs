using VisualNarrator.Testing;
using VisualNarrator.Tokenization;
using static VisualNarrator.Tokenization.Tests.TokenizerTestData;

namespace VisualNarrator.Tokenization.Tests;

public class TokenizerParityTests
{
    [Fact]
    public void TestStrings_AreEnoughAndCoverTheHardCases()
    {
        Assert.True(Strings.Length >= 30);
        Assert.Contains("", Strings);
        Assert.Contains(Strings, s => s.Contains("</s>", StringComparison.Ordinal));
        Assert.Contains(Strings, s => s.Any(char.IsSurrogate));
        Assert.Contains(Strings, s => s.Contains('\t') && s.Contains('\n'));
    }

    [Fact]
    public void OptVocab_IsARemappingOfGpt2()
    {
        // OPT (fairseq) orders tokens by frequency, so its ids are not GPT-2's; every GPT-2 token is present.
        var vocab = TiktokenOracle.OptVocab;
        Assert.Equal(50265, vocab.Count);
        int same = 0;
        for (int id = 0; id < TiktokenOracle.Gpt2Bytes.Length; id++)
        {
            int optId = vocab[TiktokenOracle.ByteToUnicodeString(TiktokenOracle.Gpt2Bytes[id])];
            same += optId == id ? 1 : 0;
        }
        Assert.True(same < 100, $"{same} GPT-2 ids coincide with OPT ids");
        Assert.Equal(5, vocab["Ġthe"]);
        Assert.Equal(262, TiktokenOracle.Gpt2Ids(" the").Single());
        Assert.Equal(2, vocab["</s>"]);
        Assert.Equal(1, vocab["<pad>"]);
    }

    [Theory]
    [MemberData(nameof(StringCases), MemberType = typeof(TokenizerTestData))]
    public void OptFolder_EncodesLikeTiktokenRemappedToOptIds(string text)
    {
        OptTokenizer opt = Opt;
        Assert.Equal(TiktokenOracle.OptIds(text, addBos: true), opt.Encode(text));
        Assert.Equal(TiktokenOracle.OptIds(text, addBos: false), opt.Encode(text, addSpecialTokens: false));
        Assert.Equal(TiktokenOracle.OptIds(text, addBos: false, parseSpecial: false), opt.Encode(text, addSpecialTokens: false, parseSpecial: false));
    }

    [Theory]
    [MemberData(nameof(StringCases), MemberType = typeof(TokenizerTestData))]
    public void Gpt2Ranks_EncodeLikeTiktoken(string text)
    {
        Assert.Equal(TiktokenOracle.Gpt2Ids(text), Gpt2.Encode(text));
    }

    [Fact]
    public void Gpt2Ranks_EndOfTextIsControlLikeTiktoken()
    {
        const string text = "one<|endoftext|>two <|endoftext|>";
        int[] ids = Gpt2.Encode(text);
        Assert.Equal(TiktokenOracle.Gpt2Ids(text), ids);
        Assert.Equal(2, ids.Count(i => i == 50256));
        Assert.True(Gpt2.IsControl(50256));
        Assert.Equal(50257, Gpt2.VocabularySize);
        Assert.False(Gpt2.AddBosToken);
    }

    [Fact]
    public void Gpt2Ranks_DeriveExactlyTheFixtureMerges()
    {
        string folder = OptFolder;
        string[] fixtureMerges = File.ReadAllLines(Path.Combine(folder, "merges.txt"))
            .Skip(1).Where(l => l.Length > 0).ToArray();
        IReadOnlyList<string> derived = Gpt2Ranks.DeriveMerges(Gpt2Ranks.LoadRankedTokens());
        Assert.Equal(50000, derived.Count);
        Assert.Equal(fixtureMerges, derived);
    }

    [Fact]
    public void Gpt2Ranks_TokenStringsAreOptVocabularyMinusOptExtras()
    {
        var opt = TiktokenOracle.OptVocab;
        TokenizerSpec gpt2 = Gpt2Ranks.LoadSpec();
        var gpt2Tokens = gpt2.Tokens.ToHashSet(StringComparer.Ordinal);
        Assert.Subset(opt.Keys.ToHashSet(StringComparer.Ordinal), gpt2Tokens);
        Assert.Equal(
            new[] { "</s>", "<mask>", "<pad>", "<s>", "<unk>", "madeupword0000", "madeupword0001", "madeupword0002" },
            opt.Keys.Where(k => !gpt2Tokens.Contains(k)).Order(StringComparer.Ordinal));
        // The ranks file and our derivation agree with the oracle's own reading of it.
        for (int id = 0; id < TiktokenOracle.Gpt2Bytes.Length; id++)
        {
            Assert.Equal(TiktokenOracle.ByteToUnicodeString(TiktokenOracle.Gpt2Bytes[id]), gpt2.Tokens[id]);
        }
    }

    [Fact]
    public void Gpt2Ranks_WrittenAsHuggingFaceFolder_ReadBackAsTheSameTokenizer()
    {
        string dir = Directory.CreateTempSubdirectory("vn-gpt2-").FullName;
        try
        {
            Gpt2Ranks.WriteHuggingFaceFolder(dir);
            TokenizerSpec read = HuggingFaceTokenizerFolder.Read(dir);
            Assert.Equal(Gpt2.Spec, read);
            Assert.Equal(50256, read.EosId);
            var fromFolder = new OptTokenizer(read);
            foreach (string s in Strings)
            {
                Assert.Equal(TiktokenOracle.Gpt2Ids(s), fromFolder.Encode(s));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void OptFolder_WrittenAndReadBack_IsUnchanged()
    {
        OptTokenizer opt = Opt;
        string dir = Directory.CreateTempSubdirectory("vn-opt-").FullName;
        try
        {
            HuggingFaceTokenizerFolder.Write(opt.Spec, dir);
            Assert.Equal(opt.Spec, HuggingFaceTokenizerFolder.Read(dir));
            HuggingFaceTokenizerFolder.Write(opt.Spec.PadTo(50272), dir);
            Assert.Equal(opt.Spec, HuggingFaceTokenizerFolder.Read(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void OptFolder_HasOptSpecialTokens()
    {
        OptTokenizer opt = Opt;
        Assert.Equal(50265, opt.VocabularySize);
        Assert.Equal(2, opt.BosId);
        Assert.Equal(2, opt.EosId);
        Assert.Equal(1, opt.PadId);
        Assert.Equal(2, opt.Spec.UnkId);
        Assert.True(opt.AddBosToken);
        Assert.True(opt.IsControl(2));
        Assert.True(opt.IsControl(1));
        Assert.False(opt.IsControl(0)); // <s> is an ordinary vocabulary entry for GPT2Tokenizer
        Assert.False(opt.IsControl(5));
        Assert.Equal("Ġthe", opt.GetTokenText(5));
        Assert.Equal(5, opt.GetId("Ġthe"));
        Assert.True(opt.TryGetId("</s>", out int eos) && eos == 2);
        Assert.False(opt.TryGetId("not-a-token-at-all", out _));
        Assert.Equal(" the"u8.ToArray(), opt.GetTokenBytes(5));
        Assert.Equal(new[] { 2 }, opt.Encode(""));
        Assert.Empty(opt.Encode("", addSpecialTokens: false));
    }

    [Fact]
    public void Encode_GivesTheSameIdsFromManyThreadsAtOnce()
    {
        // BpeTokenizer keeps an internal cache; sharing one tokenizer between threads must not change results.
        var fresh = new OptTokenizer(Gpt2.Spec);
        var texts = Strings.Concat(Strings.Select(s => s + " " + s.ToUpperInvariant())).ToArray();
        int[][] expected = texts.Select(t => TiktokenOracle.Gpt2Ids(t)).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, texts.Length * 20, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int k = (i * 7919) % texts.Length;
            if (!fresh.Encode(texts[k]).SequenceEqual(expected[k]))
            {
                failures.Add(texts[k]);
            }
        });
        Assert.Empty(failures);
    }
}
