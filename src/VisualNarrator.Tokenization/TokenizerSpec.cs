using System.Globalization;

namespace VisualNarrator.Tokenization;

/// <summary>
/// Everything a GPT-2 style byte-level BPE tokenizer needs, independent of where it came from (a Hugging Face
/// folder, a GGUF file, the GPT-2 ranks shipped with Microsoft.ML.Tokenizers). The constructor validates the
/// data and throws <see cref="TokenizerFormatException"/> naming <see cref="Source"/> and the field at fault.
/// </summary>
/// <remarks>
/// Equality compares the tokenizer data (tokens, types, merges, special ids, add-BOS flag) element by element and
/// ignores <see cref="Source"/>.
/// </remarks>
public sealed partial record TokenizerSpec
{
    /// <summary>The text of the padding tokens <see cref="PadTo"/> appends: <c>[PAD{id}]</c>, as llama.cpp's converter names them.</summary>
    public const string PaddingTokenFormat = "[PAD{0}]";

    private readonly string[] _tokens;
    private readonly TokenType[] _types;
    private readonly string[] _merges;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates and validates a tokenizer specification.</summary>
    /// <param name="source">Where the data came from, used in error messages (a path, a resource name).</param>
    /// <param name="tokens">Token text by id, in GPT-2 byte-level form for normal tokens (e.g. <c>Ġthe</c>).</param>
    /// <param name="tokenTypes">Token type by id; same length as <paramref name="tokens"/>.</param>
    /// <param name="merges">BPE merges in priority order, each <c>"left right"</c>.</param>
    /// <param name="bosId">Beginning-of-sequence id, if any.</param>
    /// <param name="eosId">End-of-sequence id, if any.</param>
    /// <param name="padId">Padding id, if any.</param>
    /// <param name="unkId">Unknown-token id, if any.</param>
    /// <param name="addBosToken">Whether encoding prepends <paramref name="bosId"/>.</param>
    /// <exception cref="TokenizerFormatException">The data is inconsistent.</exception>
    public TokenizerSpec(
        string source,
        IEnumerable<string> tokens,
        IEnumerable<TokenType> tokenTypes,
        IEnumerable<string> merges,
        int? bosId,
        int? eosId,
        int? padId,
        int? unkId,
        bool addBosToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(tokenTypes);
        ArgumentNullException.ThrowIfNull(merges);
        Source = source;
        _tokens = tokens.ToArray();
        _types = tokenTypes.ToArray();
        _merges = merges.ToArray();
        BosId = bosId;
        EosId = eosId;
        PadId = padId;
        UnkId = unkId;
        AddBosToken = addBosToken;
        _ids = Validate();
    }

    /// <summary>Where the data came from (a path, a resource name); used in error messages, ignored by equality.</summary>
    public string Source { get; }

    /// <summary>Token text by id: GPT-2 byte-level form for normal tokens, literal text for control and user-defined ones.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Token type by id (GGUF numbering).</summary>
    public IReadOnlyList<TokenType> TokenTypes => _types;

    /// <summary>BPE merges in priority order (first = applied first), each <c>"left right"</c>.</summary>
    public IReadOnlyList<string> Merges => _merges;

    /// <summary>Beginning-of-sequence token id (OPT: 2, <c>&lt;/s&gt;</c>).</summary>
    public int? BosId { get; }

    /// <summary>End-of-sequence token id (OPT: 2).</summary>
    public int? EosId { get; }

    /// <summary>Padding token id (OPT: 1, <c>&lt;pad&gt;</c>).</summary>
    public int? PadId { get; }

    /// <summary>Unknown token id (OPT: 2; byte-level BPE never needs it).</summary>
    public int? UnkId { get; }

    /// <summary>Whether encoding prepends <see cref="BosId"/> (OPT: true).</summary>
    public bool AddBosToken { get; }

    /// <summary>Id by token text, built once by validation and shared with the tokenizer built from this data.</summary>
    internal IReadOnlyDictionary<string, int> Ids => _ids;

    /// <summary>Number of token ids, padding included.</summary>
    public int Count => _tokens.Length;

    /// <summary>
    /// A copy padded with <see cref="TokenType.Unused"/> tokens named <c>[PAD{id}]</c> up to <paramref name="count"/>
    /// ids, as GGUF files pad OPT's 50265-entry vocabulary to its 50272 embedding rows.
    /// </summary>
    /// <param name="count">The wanted number of ids; at least <see cref="Count"/>.</param>
    /// <returns>The padded specification (this one when no padding is needed).</returns>
    public TokenizerSpec PadTo(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, Count);
        if (count == Count)
        {
            return this;
        }
        var tokens = new List<string>(_tokens);
        var types = new List<TokenType>(_types);
        for (int id = Count; id < count; id++)
        {
            tokens.Add(string.Format(CultureInfo.InvariantCulture, PaddingTokenFormat, id));
            types.Add(TokenType.Unused);
        }
        return new TokenizerSpec(Source, tokens, types, _merges, BosId, EosId, PadId, UnkId, AddBosToken);
    }

    /// <summary>Compares the tokenizer data element by element; <see cref="Source"/> is ignored.</summary>
    /// <param name="other">The other specification.</param>
    /// <returns>True when both describe the same tokenizer.</returns>
    public bool Equals(TokenizerSpec? other) =>
        other is not null
        && BosId == other.BosId && EosId == other.EosId && PadId == other.PadId && UnkId == other.UnkId
        && AddBosToken == other.AddBosToken
        && _tokens.AsSpan().SequenceEqual(other._tokens)
        && _types.AsSpan().SequenceEqual(other._types)
        && _merges.AsSpan().SequenceEqual(other._merges);

    /// <summary>A hash over the sizes and special ids, consistent with <see cref="Equals(TokenizerSpec?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() =>
        HashCode.Combine(_tokens.Length, _merges.Length, BosId, EosId, PadId, UnkId, AddBosToken);

    private TokenizerFormatException Error(string field, string problem) => new(Source, field, problem);

    /// <summary>Checks the data and returns the id of every token text.</summary>
    private Dictionary<string, int> Validate()
    {
        if (_tokens.Length == 0)
        {
            throw Error("tokens", "the token list is empty");
        }
        if (_types.Length != _tokens.Length)
        {
            throw Error("token_type", $"has {_types.Length} entries but there are {_tokens.Length} tokens");
        }

        var ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int id = 0; id < _tokens.Length; id++)
        {
            string? token = _tokens[id];
            if (string.IsNullOrEmpty(token))
            {
                throw Error($"tokens[{id}]", "the token is empty");
            }
            TokenType type = _types[id];
            if (!Enum.IsDefined(type))
            {
                throw Error($"token_type[{id}]", $"{(int)type} is not a token type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte)");
            }
            if (type is TokenType.Normal or TokenType.Byte)
            {
                foreach (char c in token)
                {
                    if (!Gpt2ByteLevel.IsByteChar(c))
                    {
                        throw Error($"tokens[{id}]", $"normal token '{token}' contains U+{(int)c:X4}, which is not a GPT-2 byte-level character (is this a byte-level BPE vocabulary?)");
                    }
                }
            }
            if (!ids.TryAdd(token, id))
            {
                throw Error($"tokens[{id}]", $"duplicate token '{token}' (also id {ids[token]})");
            }
        }

        for (int b = 0; b < 256; b++)
        {
            string single = Gpt2ByteLevel.CharOf((byte)b).ToString();
            if (!ids.TryGetValue(single, out int id) || _types[id] is not (TokenType.Normal or TokenType.Byte))
            {
                throw Error("tokens", $"no normal token for byte 0x{b:X2} ('{single}'); a byte-level vocabulary needs all 256");
            }
        }

        // Parts are looked up as spans: no substring or concatenation per merge unless it is reported.
        var lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> joined = stackalloc char[256];
        for (int i = 0; i < _merges.Length; i++)
        {
            string? merge = _merges[i];
            int space = merge is null ? -1 : merge.IndexOf(' ', StringComparison.Ordinal);
            if (merge is null || space <= 0 || space == merge.Length - 1 || merge.IndexOf(' ', space + 1) >= 0)
            {
                throw Error($"merges[{i}]", $"'{merge}' is not two tokens separated by one space");
            }
            ReadOnlySpan<char> left = merge.AsSpan(0, space);
            ReadOnlySpan<char> right = merge.AsSpan(space + 1);
            Span<char> whole = merge.Length - 1 <= joined.Length ? joined[..(merge.Length - 1)] : new char[merge.Length - 1];
            left.CopyTo(whole);
            right.CopyTo(whole[left.Length..]);
            CheckMergePart(i, merge, left, lookup);
            CheckMergePart(i, merge, right, lookup);
            CheckMergePart(i, merge, whole, lookup);
        }
        CheckSpecial("bos_token_id", BosId);
        CheckSpecial("eos_token_id", EosId);
        CheckSpecial("padding_token_id", PadId);
        CheckSpecial("unknown_token_id", UnkId);
        if (AddBosToken && BosId is null)
        {
            throw Error("add_bos_token", "is true but there is no bos token");
        }
        return ids;
    }

    private void CheckMergePart(int index, string merge, ReadOnlySpan<char> part,
        Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> ids)
    {
        if (!ids.TryGetValue(part, out int id))
        {
            throw Error($"merges[{index}]", $"'{merge}' names '{part}', which is not a token");
        }
        if (_types[id] is not (TokenType.Normal or TokenType.Byte))
        {
            throw Error($"merges[{index}]", $"'{merge}' names '{part}', which is a {_types[id]} token, not a normal one");
        }
    }

    private void CheckSpecial(string field, int? id)
    {
        if (id is int value && (value < 0 || value >= _tokens.Length))
        {
            throw Error(field, $"{value} is outside the vocabulary (0..{_tokens.Length - 1})");
        }
    }
}
