using VisualNarrator.Gguf;

namespace VisualNarrator.Tokenization;

public sealed partial record TokenizerSpec
{
    /// <summary>The value of <c>tokenizer.ggml.model</c> for byte-level BPE.</summary>
    public const string GgufModel = "gpt2";

    /// <summary>The value of <c>tokenizer.ggml.pre</c> that selects GPT-2 pre-tokenization in llama.cpp.</summary>
    public const string GgufPreTokenizer = "gpt-2";

    /// <summary>
    /// Reads the tokenizer from GGUF metadata, as llama.cpp does: <c>tokenizer.ggml.model</c> must be "gpt2";
    /// <c>tokenizer.ggml.tokens</c> and <c>tokenizer.ggml.merges</c> are required; <c>tokenizer.ggml.token_type</c>
    /// (INT32 or UINT32 array; all normal when absent), the bos/eos/padding/unknown ids (any integer type) and
    /// <c>tokenizer.ggml.add_bos_token</c> (false when absent) are optional. A <c>tokenizer.ggml.pre</c> other than
    /// "gpt-2" is rejected, because this tokenizer only implements GPT-2 pre-tokenization.
    /// </summary>
    /// <param name="file">An opened GGUF file (metadata is enough).</param>
    /// <returns>The validated specification; <see cref="Source"/> is the file's path.</returns>
    /// <exception cref="TokenizerFormatException">A key is missing, has the wrong type or inconsistent data.</exception>
    public static TokenizerSpec FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string source = file.Path;
        try
        {
            string model = file.GetString(GgufKeys.TokenizerModel);
            if (model != GgufModel)
            {
                throw new TokenizerFormatException(source, GgufKeys.TokenizerModel, $"is '{model}'; only '{GgufModel}' (byte-level BPE) is supported");
            }
            if (file.TryGet(GgufKeys.TokenizerPre, out GgufValue pre) && (pre.Value is not string preName || preName != GgufPreTokenizer))
            {
                throw new TokenizerFormatException(source, GgufKeys.TokenizerPre, $"is '{pre}'; only '{GgufPreTokenizer}' pre-tokenization is supported");
            }
            string[] tokens = file.GetStringArray(GgufKeys.Tokens);
            string[] merges = file.GetStringArray(GgufKeys.Merges);
            TokenType[] types = ReadTokenTypes(file, tokens.Length);
            return new TokenizerSpec(source, tokens, types, merges,
                ReadId(file, GgufKeys.BosTokenId), ReadId(file, GgufKeys.EosTokenId),
                ReadId(file, GgufKeys.PaddingTokenId), ReadId(file, GgufKeys.UnknownTokenId),
                file.GetBool(GgufKeys.AddBosToken, false));
        }
        catch (GgufFormatException e)
        {
            throw new TokenizerFormatException(source, "tokenizer metadata", e.Problem, e);
        }
        catch (TokenizerFormatException e) when (e.InnerException is null && !e.Field.StartsWith("tokenizer.", StringComparison.Ordinal))
        {
            // Validation errors name the spec's own fields (tokens[7], merges[3]); say which GGUF key holds them.
            string key = e.Field switch
            {
                var f when f.StartsWith("token_type", StringComparison.Ordinal) => GgufKeys.TokenType,
                var f when f.StartsWith("token", StringComparison.Ordinal) => GgufKeys.Tokens,
                var f when f.StartsWith("merges", StringComparison.Ordinal) => GgufKeys.Merges,
                "bos_token_id" => GgufKeys.BosTokenId,
                "eos_token_id" => GgufKeys.EosTokenId,
                "padding_token_id" => GgufKeys.PaddingTokenId,
                "unknown_token_id" => GgufKeys.UnknownTokenId,
                _ => GgufKeys.AddBosToken,
            };
            string suffix = e.Field.Contains('[', StringComparison.Ordinal) ? e.Field[e.Field.IndexOf('[', StringComparison.Ordinal)..] : "";
            throw new TokenizerFormatException(source, key + suffix, e.Problem, e);
        }
    }

    /// <summary>
    /// Writes the tokenizer keys llama.cpp reads: <c>tokenizer.ggml.model</c> "gpt2", <c>tokenizer.ggml.pre</c>
    /// "gpt-2", tokens, token_type (INT32), merges, bos/eos/padding/unknown ids (UINT32; a key whose id is null is
    /// removed) and add_bos_token. Other keys of <paramref name="writer"/> are left alone.
    /// </summary>
    /// <param name="writer">The GGUF being built.</param>
    public void WriteTo(GgufWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.SetString(GgufKeys.TokenizerModel, GgufModel);
        writer.SetString(GgufKeys.TokenizerPre, GgufPreTokenizer);
        writer.SetStringArray(GgufKeys.Tokens, _tokens);
        writer.SetInt32Array(GgufKeys.TokenType, _types.Select(t => (int)t));
        writer.SetStringArray(GgufKeys.Merges, _merges);
        foreach ((string key, int? id) in new[]
        {
            (GgufKeys.BosTokenId, BosId), (GgufKeys.EosTokenId, EosId),
            (GgufKeys.PaddingTokenId, PadId), (GgufKeys.UnknownTokenId, UnkId),
        })
        {
            if (id is int value)
            {
                writer.SetUInt32(key, (uint)value);
            }
            else
            {
                writer.Remove(key);
            }
        }
        writer.SetBool(GgufKeys.AddBosToken, AddBosToken);
    }

    /// <summary>The token types of <paramref name="file"/> (all normal when the key is absent).</summary>
    internal static TokenType[] ReadTokenTypes(GgufFile file, int count)
    {
        if (!file.TryGet(GgufKeys.TokenType, out GgufValue value))
        {
            return Enumerable.Repeat(TokenType.Normal, count).ToArray();
        }
        if (value.Value is not GgufArray array || array.ElementType is not (GgufValueType.Int32 or GgufValueType.UInt32))
        {
            throw new TokenizerFormatException(file.Path, GgufKeys.TokenType, $"must be an array of INT32, found {Describe(value)}");
        }
        if (array.Count != count)
        {
            throw new TokenizerFormatException(file.Path, GgufKeys.TokenType, $"has {array.Count} entries but {GgufKeys.Tokens} has {count}");
        }
        return array.ElementType == GgufValueType.Int32
            ? array.As<int>().Select(t => (TokenType)t).ToArray()
            : array.As<uint>().Select(t => (TokenType)(int)Math.Min(t, int.MaxValue)).ToArray();
    }

    private static int? ReadId(GgufFile file, string key)
    {
        long? id = file.GetIntegerOrNull(key);
        if (id is long v && (v < 0 || v > int.MaxValue))
        {
            throw new TokenizerFormatException(file.Path, key, $"{v} is not a token id");
        }
        return (int?)id;
    }

    private static string Describe(GgufValue value) =>
        value.Value is GgufArray a ? $"an array of {a.ElementType}" : value.Type.ToString();
}
