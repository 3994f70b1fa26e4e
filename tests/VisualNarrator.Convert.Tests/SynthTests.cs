using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Convert.Tests;

/// <summary><c>synth</c> with OPT's own tokenizer (the committed tests/fixtures/opt-tokenizer) writes OPT's vocabulary
/// and special ids, and they survive to-gguf.</summary>
public sealed class SynthTests
{
    private static string OptTokenizerFolder()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VisualNarrator.sln")))
                return Path.Combine(d.FullName, "tests", "fixtures", "opt-tokenizer");
        throw new InvalidOperationException($"VisualNarrator.sln not found above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void WithAnOptTokenizer_WritesOptsVocabularyAndSpecialIds()
    {
        Tiny.Torch();
        using var dir = new TempDir();
        var config = Synthesizer.Synthesize(new SynthOptions("tiny", TokenizerFolder: OptTokenizerFolder()), dir["hf"]);
        Assert.Equal((2, 2, 1), (config.BosTokenId, config.EosTokenId, config.PadTokenId));
        Assert.Equal(50272, config.VocabSize);
        var read = OptConfig.Read(dir["hf"]);
        Assert.Equal((2, 2, 1, 50272), (read.BosTokenId, read.EosTokenId, read.PadTokenId, read.VocabSize));
        var tokenizer = OptTokenizer.FromHuggingFaceFolder(dir["hf"]);
        Assert.Equal([2, 31414, 232], tokenizer.Encode("Hello world"));

        GgufConversion.Convert(new ToGgufOptions(dir["hf"], dir["model.gguf"], GgmlType.F16));
        var spec = TokenizerSpec.FromGguf(GgufFile.Open(dir["model.gguf"]));
        Assert.Equal((2, 2, 1), (spec.BosId, spec.EosId, spec.PadId));
        Assert.Equal(50272, spec.Count);
    }

    [Fact]
    public void PublishedShapes_AreAllListed_WithTheRealOpt350m()
    {
        Assert.Equal(["opt-125m", "opt-350m", "opt-1.3b", "opt-2.7b", "opt-6.7b", "opt-13b", "opt-30b", "opt-66b"],
            OptConfig.Shapes.Keys.Where(k => k.StartsWith("opt-", StringComparison.Ordinal)));
        var opt350 = OptConfig.Shape("opt-350m");
        Assert.False(opt350.DoLayerNormBefore);
        Assert.Equal(512, opt350.WordEmbedProjDim);
        foreach (var (_, shape) in OptConfig.Shapes)
            Assert.Equal(0, shape.HiddenSize % shape.NumAttentionHeads);
    }
}
