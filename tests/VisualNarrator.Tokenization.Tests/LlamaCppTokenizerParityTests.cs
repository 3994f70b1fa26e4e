using System.Text;
using LLama;
using LLama.Common;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;
using static VisualNarrator.Tokenization.Tests.TokenizerTestData;

namespace VisualNarrator.Tokenization.Tests;

/// <summary>
/// llama.cpp itself (through LLamaSharp 0.30.0) as the oracle: a vocab-only GGUF with llama.cpp's gpt2 architecture and
/// OPT's tokenizer from the fixture, loaded with ModelParams.VocabOnly, must tokenize every test string exactly as we do.
/// </summary>
public sealed class LlamaCppTokenizerParityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vn-tok-llama-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteVocabOnlyGguf(TokenizerSpec spec)
    {
        var writer = new GgufWriter();
        writer.SetString(GgufKeys.Architecture, "gpt2");
        writer.SetString(GgufKeys.Name, "opt tokenizer parity");
        writer.SetUInt32("gpt2.context_length", 2048);
        writer.SetUInt32("gpt2.embedding_length", 768);
        writer.SetUInt32("gpt2.block_count", 12);
        writer.SetUInt32("gpt2.feed_forward_length", 3072);
        writer.SetUInt32("gpt2.attention.head_count", 12);
        writer.SetFloat32("gpt2.attention.layer_norm_epsilon", 1e-5f);
        spec.WriteTo(writer);
        string path = Path.Combine(_dir, "opt-vocab.gguf");
        writer.WriteTo(path);
        return path;
    }

    [Fact]
    public void LlamaCpp_TokenizesTheTestStringsLikeUs()
    {
        OptTokenizer opt = Opt;
        string path = WriteVocabOnlyGguf(opt.Spec.PadTo(50272));
        using LLamaWeights weights = LLamaWeights.LoadFromFile(new ModelParams(path) { VocabOnly = true });
        Assert.Equal(50272, weights.Vocab.Count);
        Assert.Equal(2, (int?)weights.Vocab.BOS);

        var mismatches = new List<string>();
        int compared = 0;
        foreach (string s in Strings)
        {
            foreach ((bool addBos, bool special) in new[] { (true, true), (false, true), (false, false) })
            {
                int[] ours = opt.Encode(s, addSpecialTokens: addBos, parseSpecial: special);
                int[] theirs = weights.Tokenize(s, addBos, special, Encoding.UTF8).Select(t => (int)t).ToArray();
                compared++;
                if (!ours.SequenceEqual(theirs))
                {
                    mismatches.Add($"{Escape(s)} (add_bos {addBos}, special {special}): ours {Show(ours)}, llama.cpp {Show(theirs)}");
                }
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Equal(Strings.Length * 3, compared);
    }

    [Fact]
    public void LlamaCpp_TreatsEndOfTextAsControl_WhereOptsHuggingFaceTokenizerDoesNot()
    {
        // llama.cpp's vocab loader forces control type on tokens that look like end-of-generation markers
        // ("control-looking token: 50260 '<|endoftext|>' was not control-type ... its type will be overridden"), so with
        // special parsing on it maps the literal text to 50260. OPT's GPT2Tokenizer has only </s> and <pad> as special
        // tokens and encodes the text as plain characters; we follow Hugging Face. Pinned here so a change on either side
        // is noticed.
        OptTokenizer opt = Opt;
        string path = WriteVocabOnlyGguf(opt.Spec.PadTo(50272));
        using LLamaWeights weights = LLamaWeights.LoadFromFile(new ModelParams(path) { VocabOnly = true });
        const string text = "end<|endoftext|>";

        int[] llamaSpecial = weights.Tokenize(text, false, true, Encoding.UTF8).Select(t => (int)t).ToArray();
        Assert.Equal(50260, llamaSpecial[^1]);
        int[] ours = opt.Encode(text, addSpecialTokens: false);
        Assert.DoesNotContain(50260, ours);
        Assert.Equal(text, opt.Decode(ours));

        int[] llamaPlain = weights.Tokenize(text, false, false, Encoding.UTF8).Select(t => (int)t).ToArray();
        Assert.Equal(ours, llamaPlain);
        Assert.False(opt.IsControl(50260));
    }

    private static string Escape(string s) => "\"" + s.Replace("\n", "\\n").Replace("\t", "\\t").Replace("\r", "\\r") + "\"";
}
