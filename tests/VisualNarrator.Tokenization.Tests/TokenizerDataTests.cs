using System.Text.Json;
using VisualNarrator.Testing;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Tokenization.Tests;

/// <summary>Validation of tokenizer data and of Hugging Face folders, on a tiny synthetic vocabulary.</summary>
public sealed class TokenizerDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vn-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteTinyFolder()
    {
        var tokens = TokenizerTestData.TinyTokens();
        File.WriteAllText(Path.Combine(_dir, "vocab.json"),
            JsonSerializer.Serialize(tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i)));
        File.WriteAllLines(Path.Combine(_dir, "merges.txt"), ["#version: 0.2", .. TokenizerTestData.TinyMerges]);
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """
            { "add_bos_token": true, "bos_token": {"__type": "AddedToken", "content": "</s>"}, "eos_token": "</s>",
              "unk_token": "</s>", "pad_token": "<pad>", "tokenizer_class": "GPT2Tokenizer" }
            """);
    }

    [Fact]
    public void TinyFolder_Loads_AndEncodesWithItsMerges()
    {
        WriteTinyFolder();
        var tok = OptTokenizer.FromHuggingFaceFolder(_dir);
        Assert.Equal(TokenizerTestData.TinySpec(), tok.Spec);
        // Byte tokens sit at their byte value. "the" -> t + he (no "t he" merge); " the" -> Ġt + he -> Ġthe.
        int[] ids = tok.Encode("the the</s>");
        Assert.Equal(new[] { 259, 't', 257, 258, 259 }, ids);
        Assert.Equal("the the", tok.Decode(ids));
    }

    [Fact]
    public void SpecialTokensMap_OverridesTokenizerConfig()
    {
        WriteTinyFolder();
        File.WriteAllText(Path.Combine(_dir, "special_tokens_map.json"), """{ "pad_token": "</s>" }""");
        Assert.Equal(259, HuggingFaceTokenizerFolder.Read(_dir).PadId);
    }

    [Fact]
    public void AddedTokensDecoder_MakesControlAndUserDefinedTokens()
    {
        WriteTinyFolder();
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """
            { "add_bos_token": false, "eos_token": "</s>",
              "added_tokens_decoder": { "260": {"content": "<pad>", "special": true},
                                        "261": {"content": "<image here>", "special": false} } }
            """);
        var tok = OptTokenizer.FromHuggingFaceFolder(_dir);
        Assert.Equal(262, tok.VocabularySize);
        Assert.Equal(TokenType.Control, tok.GetTokenType(260));
        Assert.Equal(TokenType.UserDefined, tok.GetTokenType(261));
        Assert.Null(tok.BosId);
        // User-defined tokens are matched even when special parsing is off, and decode to their text.
        Assert.Equal(new[] { 261, 256 }, tok.Encode("<image here> t", parseSpecial: false));
        Assert.Equal("<image here> the", tok.Decode(tok.Encode("<image here> the<pad>")));
        Assert.Equal(new[] { 260 }, tok.Encode("<pad>"));
        Assert.NotEqual(new[] { 260 }, tok.Encode("<pad>", parseSpecial: false));
    }

    [Fact]
    public void MissingMerges_NamesTheFile()
    {
        WriteTinyFolder();
        File.Delete(Path.Combine(_dir, "merges.txt"));
        var e = Assert.Throws<TokenizerFormatException>(() => OptTokenizer.FromHuggingFaceFolder(_dir));
        Assert.Contains("merges.txt", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void MissingVocabOrConfig_NamesTheFile()
    {
        WriteTinyFolder();
        File.Delete(Path.Combine(_dir, "tokenizer_config.json"));
        Assert.Contains("tokenizer_config.json", Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerFolder.Read(_dir)).Message);
        File.Delete(Path.Combine(_dir, "vocab.json"));
        Assert.Contains("vocab.json", Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerFolder.Read(_dir)).Message);
        Assert.Contains("does not exist", Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerFolder.Read(Path.Combine(_dir, "nope"))).Message);
    }

    [Theory]
    [InlineData("{\"a\": 0, \"b\": ", "not valid JSON")]
    [InlineData("[1, 2]", "expected an object")]
    [InlineData("{\"a\": \"zero\"}", "not a non-negative integer")]
    [InlineData("{\"a\": 0, \"b\": 0}", "id 0 is also given to 'a'")]
    public void MalformedVocab_NamesTheFile(string json, string problem)
    {
        WriteTinyFolder();
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), json);
        var e = Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerFolder.Read(_dir));
        Assert.Contains(Path.Combine(_dir, "vocab.json"), e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void BadMergeLines_NameTheFileAndLine()
    {
        WriteTinyFolder();
        File.WriteAllLines(Path.Combine(_dir, "merges.txt"), ["#version: 0.2", "Ġ t", "h  e"]);
        var e = Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerFolder.Read(_dir));
        Assert.Contains("merges.txt: line 3:", e.Message);

        File.WriteAllLines(Path.Combine(_dir, "merges.txt"), ["#version: 0.2", "Ġ t", "h e", "Ġt hex"]);
        e = Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerFolder.Read(_dir));
        Assert.Contains("merges.txt: line 4:", e.Message);
        Assert.Contains("'hex', which is not a token", e.Message);
    }

    [Fact]
    public void SpecialTokenNotInVocab_NamesTheConfigFile()
    {
        WriteTinyFolder();
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """{ "bos_token": "<s>", "add_bos_token": "yes" }""");
        var e = Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerFolder.Read(_dir));
        Assert.Contains("tokenizer_config.json: bos_token: '<s>' is not in vocab.json", e.Message);

        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """{ "add_bos_token": "yes" }""");
        e = Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerFolder.Read(_dir));
        Assert.Contains("tokenizer_config.json: add_bos_token:", e.Message);
    }

    [Fact]
    public void Spec_RejectsDuplicateTokens()
    {
        var tokens = TokenizerTestData.TinyTokens();
        tokens[258] = "Ġt";
        var e = Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(tokens));
        Assert.Equal("tiny", e.DataSource);
        Assert.Equal("tokens[258]", e.Field);
        Assert.Contains("duplicate token 'Ġt' (also id 256)", e.Message);
    }

    [Fact]
    public void Spec_RejectsMergesNamingUnknownTokens()
    {
        var e = Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(merges: ["Ġ t", "x y z"]));
        Assert.Equal("merges[1]", e.Field);
        e = Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(merges: ["Ġ t", "Ġt h"]));
        Assert.Equal("merges[1]", e.Field);
        Assert.Contains("'Ġth', which is not a token", e.Message);
        e = Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(merges: ["< /s>"]));
        Assert.Contains("'< /s>' names '/s>', which is not a token", e.Message);
    }

    [Fact]
    public void Spec_RejectsSpecialIdsOutOfRange()
    {
        var e = Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(pad: 261));
        Assert.Equal("tiny: padding_token_id: 261 is outside the vocabulary (0..260)", e.Message);
        e = Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(bos: -1));
        Assert.Equal("bos_token_id", e.Field);
    }

    [Fact]
    public void Spec_RejectsNonByteLevelVocabularies()
    {
        var tokens = TokenizerTestData.TinyTokens();
        tokens.RemoveAt(256 + 2);
        tokens.Insert(258, "▁the"); // SentencePiece style
        var e = Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(tokens, merges: []));
        Assert.Equal("tokens[258]", e.Field);

        tokens = TokenizerTestData.TinyTokens();
        tokens[32] = "x y"; // drops the byte 'A'... and is not byte-level either
        Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(tokens, merges: []));

        tokens = TokenizerTestData.TinyTokens();
        tokens[65] = "Ġtt"; // 'b' (0x62) ... byte 0x41 'A'? whichever byte: one of the 256 is now missing
        e = Assert.Throws<TokenizerFormatException>(() => TokenizerTestData.TinySpec(tokens, merges: []));
        Assert.Contains("needs all 256", e.Message);
    }

    [Fact]
    public void Spec_EqualityComparesContentNotSource()
    {
        var a = TokenizerTestData.TinySpec();
        var b = new TokenizerSpec("elsewhere", a.Tokens, a.TokenTypes, a.Merges, a.BosId, a.EosId, a.PadId, a.UnkId, a.AddBosToken);
        Assert.Equal(a, b);
        Assert.NotEqual(a, TokenizerTestData.TinySpec(merges: ["Ġ t"]));
        Assert.NotEqual(a, TokenizerTestData.TinySpec(pad: null));
    }

    [Fact]
    public void Gpt2Ranks_RejectBrokenRankFiles()
    {
        static IReadOnlyList<byte[]> Parse(string text) =>
            Gpt2Ranks.ParseRanks(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), "test.tiktoken");
        Assert.Equal(2, Parse("Capacity: 3\nIQ==\nIg==\n").Count);
        Assert.Equal(2, Parse("IQ== 0\nIg== 1\n").Count);
        Assert.Contains("line 2", Assert.Throws<TokenizerFormatException>(() => Parse("Capacity: 3\n!!!\n")).Message);
        Assert.Contains("ranks must count up", Assert.Throws<TokenizerFormatException>(() => Parse("IQ== 0\nIg== 5\n")).Message);

        var bytes = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        Assert.Empty(Gpt2Ranks.DeriveMerges(bytes));
        bytes.Add("abc"u8.ToArray()); // no "ab" or "bc" below it: not one merge
        Assert.Contains("rank 256", Assert.Throws<TokenizerFormatException>(() => Gpt2Ranks.DeriveMerges(bytes)).Message);
        bytes.Insert(256, "bc"u8.ToArray());
        Assert.Equal(new[] { "b c", "a bc" }, Gpt2Ranks.DeriveMerges(bytes));
        Assert.Contains("byte 0x00 has no token", Assert.Throws<TokenizerFormatException>(() => Gpt2Ranks.DeriveMerges(bytes.Skip(1).ToList())).Message);
    }

    [Fact]
    public void OptFixtureCopy_WithBrokenVocab_NamesTheFile()
    {
        string fixture = RepoPaths.Fixture(TokenizerTestData.OptFixture);
        foreach (string f in Directory.GetFiles(fixture))
        {
            File.Copy(f, Path.Combine(_dir, Path.GetFileName(f)));
        }
        string vocabPath = Path.Combine(_dir, "vocab.json");
        string vocab = File.ReadAllText(vocabPath);
        File.SetAttributes(vocabPath, FileAttributes.Normal);
        File.WriteAllText(vocabPath, vocab[..(vocab.Length / 2)]);
        var e = Assert.Throws<TokenizerFormatException>(() => OptTokenizer.FromHuggingFaceFolder(_dir));
        Assert.StartsWith(vocabPath + ": JSON: not valid JSON", e.Message);
    }
}
