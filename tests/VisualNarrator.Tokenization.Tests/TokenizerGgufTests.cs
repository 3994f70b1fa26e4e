using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;
using static VisualNarrator.Tokenization.Tests.TokenizerTestData;

namespace VisualNarrator.Tokenization.Tests;

public sealed class TokenizerGgufTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vn-tok-gguf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(Action<GgufWriter> build)
    {
        var writer = new GgufWriter();
        writer.SetString(GgufKeys.Architecture, "gpt2");
        build(writer);
        string path = Path.Combine(_dir, $"t{Guid.NewGuid():N}.gguf");
        writer.WriteTo(path);
        return path;
    }

    [Fact]
    public void OptSpec_PaddedTo50272_RoundTripsThroughGguf()
    {
        OptTokenizer opt = Opt;
        TokenizerSpec padded = opt.Spec.PadTo(50272);
        string path = Write(padded.WriteTo);

        GgufFile file = GgufFile.Open(path);
        Assert.Equal("gpt2", file.GetString(GgufKeys.TokenizerModel));
        Assert.Equal("gpt-2", file.GetString(GgufKeys.TokenizerPre));
        Assert.Equal(50272, file.GetStringArray(GgufKeys.Tokens).Length);
        Assert.Equal(5, file.GetArray<int>(GgufKeys.TokenType, GgufValueType.Int32)[50271]);
        Assert.Equal(3, file.GetArray<int>(GgufKeys.TokenType, GgufValueType.Int32)[2]);
        Assert.Equal(2u, file.GetUInt32(GgufKeys.BosTokenId));
        Assert.Equal(1u, file.GetUInt32(GgufKeys.PaddingTokenId));
        Assert.True(file.GetBool(GgufKeys.AddBosToken, false));

        var fromGguf = OptTokenizer.FromGguf(file);
        Assert.Equal(padded, fromGguf.Spec);
        Assert.Equal(path, fromGguf.Spec.Source);
        foreach (string s in Strings)
        {
            Assert.Equal(opt.Encode(s), fromGguf.Encode(s));
        }
        Assert.Equal("", fromGguf.Decode([50265, 50271]));
    }

    [Fact]
    public void WriteTo_RemovesKeysOfAbsentIds_AndReadDefaultsMissingOptionalKeys()
    {
        TokenizerSpec tiny = TinySpec(pad: null);
        string path = Write(w =>
        {
            w.SetUInt32(GgufKeys.PaddingTokenId, 7); // stale, must go
            tiny.WriteTo(w);
        });
        GgufFile file = GgufFile.Open(path);
        Assert.False(file.TryGet(GgufKeys.PaddingTokenId, out _));
        Assert.Equal(tiny, TokenizerSpec.FromGguf(file));

        // Without token types and add_bos_token, llama.cpp takes every token as normal and no BOS.
        path = Write(w =>
        {
            w.SetString(GgufKeys.TokenizerModel, "gpt2");
            w.SetStringArray(GgufKeys.Tokens, TinyTokens().Take(259));
            w.SetStringArray(GgufKeys.Merges, TinyMerges);
        });
        TokenizerSpec bare = TokenizerSpec.FromGguf(GgufFile.Open(path));
        Assert.All(bare.TokenTypes, t => Assert.Equal(TokenType.Normal, t));
        Assert.False(bare.AddBosToken);
        Assert.Null(bare.BosId);
    }

    [Fact]
    public void Errors_NameTheFileAndTheKey()
    {
        TokenizerSpec tiny = TinySpec();
        void Expect(Action<GgufWriter> build, string key, string problem)
        {
            string path = Write(build);
            var e = Assert.Throws<TokenizerFormatException>(() => OptTokenizer.FromGguf(GgufFile.Open(path)));
            Assert.Equal(path, e.DataSource);
            Assert.Contains(key, e.Message);
            Assert.Contains(problem, e.Message);
        }

        Expect(w => { tiny.WriteTo(w); w.SetString(GgufKeys.TokenizerModel, "llama"); }, GgufKeys.TokenizerModel, "only 'gpt2'");
        Expect(w => { tiny.WriteTo(w); w.SetString(GgufKeys.TokenizerPre, "llama3"); }, GgufKeys.TokenizerPre, "only 'gpt-2'");
        Expect(w => { tiny.WriteTo(w); w.Remove(GgufKeys.Tokens); }, GgufKeys.Tokens, "missing");
        Expect(w => { tiny.WriteTo(w); w.Remove(GgufKeys.TokenizerModel); }, GgufKeys.TokenizerModel, "missing");
        Expect(w => { tiny.WriteTo(w); w.SetInt32Array(GgufKeys.TokenType, [1, 1]); }, GgufKeys.TokenType, "has 2 entries");
        Expect(w => { tiny.WriteTo(w); w.SetStringArray(GgufKeys.TokenType, ["1"]); }, GgufKeys.TokenType, "array of INT32");
        Expect(w => { tiny.WriteTo(w); w.SetStringArray(GgufKeys.Merges, ["Ġ t", "Ġt hx"]); }, GgufKeys.Merges + "[1]", "'hx', which is not a token");
        Expect(w => { tiny.WriteTo(w); w.SetUInt32(GgufKeys.EosTokenId, 5000); }, GgufKeys.EosTokenId, "outside the vocabulary");
        Expect(w => { tiny.WriteTo(w); w.SetString(GgufKeys.BosTokenId, "2"); }, GgufKeys.BosTokenId, "integer");
        // The BPE model is built on a worker from the unvalidated arrays; its own failure on them must not win.
        Expect(w => { tiny.WriteTo(w); w.SetStringArray(GgufKeys.Tokens, [.. tiny.Tokens.Select((t, i) => i == 1 ? tiny.Tokens[0] : t)]); },
            GgufKeys.Tokens + "[1]", "duplicate token");
    }
}
