using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Models;

/// <summary>The hyperparameters a decoder-only transformer of the OPT / GPT-2 family needs, read from the
/// <c>{arch}.*</c> GGUF keys that llama.cpp defines.</summary>
/// <param name="Architecture">general.architecture ("opt" or "gpt2").</param>
/// <param name="ContextLength">{arch}.context_length: rows of the position table.</param>
/// <param name="EmbeddingLength">{arch}.embedding_length (hidden size).</param>
/// <param name="FeedForwardLength">{arch}.feed_forward_length.</param>
/// <param name="BlockCount">{arch}.block_count (layers).</param>
/// <param name="HeadCount">{arch}.attention.head_count.</param>
/// <param name="LayerNormEpsilon">{arch}.attention.layer_norm_epsilon.</param>
/// <param name="VocabSize">Rows of token_embd.weight.</param>
/// <param name="LayerNormBefore">opt.layer_norm_before (BOOL, absent = true): pre-LN (each sub-block normalises its
/// input, a final LayerNorm follows the last layer) or post-LN (each LayerNorm follows its residual add, no final
/// LayerNorm; OPT-350m), HF's <c>do_layer_norm_before</c>.</param>
/// <param name="TokenEmbeddingLength">opt.token_embedding_length (UINT32, absent = embedding_length): width of the
/// token embedding, HF's <c>word_embed_proj_dim</c>; when it differs from the hidden size the model has
/// <c>proj_in</c> / <c>proj_out</c> (OPT-350m: 512).</param>
public sealed record ModelHyperparameters(string Architecture, int ContextLength, int EmbeddingLength, int FeedForwardLength,
    int BlockCount, int HeadCount, float LayerNormEpsilon, int VocabSize, bool LayerNormBefore = true, int? TokenEmbeddingLength = null)
{
    /// <summary>Size of one attention head.</summary>
    public int HeadDim => EmbeddingLength / HeadCount;

    /// <summary>Width of the token embedding and of the LM head's input.</summary>
    public int TokenEmbeddingWidth => TokenEmbeddingLength ?? EmbeddingLength;

    /// <summary>Whether the model has proj_in / proj_out.</summary>
    public bool HasProjection => TokenEmbeddingWidth != EmbeddingLength;

    /// <summary>Key name of the pre-/post-LN flag (OPT only).</summary>
    public static string LayerNormBeforeKey(string arch) => $"{arch}.layer_norm_before";
    /// <summary>Key name of the token-embedding width (OPT only).</summary>
    public static string TokenEmbeddingLengthKey(string arch) => $"{arch}.token_embedding_length";

    /// <summary>Key names, for writers and error messages.</summary>
    public static string ContextLengthKey(string arch) => $"{arch}.context_length";
    /// <summary>Key name of the hidden size.</summary>
    public static string EmbeddingLengthKey(string arch) => $"{arch}.embedding_length";
    /// <summary>Key name of the FFN size.</summary>
    public static string FeedForwardLengthKey(string arch) => $"{arch}.feed_forward_length";
    /// <summary>Key name of the layer count.</summary>
    public static string BlockCountKey(string arch) => $"{arch}.block_count";
    /// <summary>Key name of the head count.</summary>
    public static string HeadCountKey(string arch) => $"{arch}.attention.head_count";
    /// <summary>Key name of the LayerNorm epsilon.</summary>
    public static string LayerNormEpsilonKey(string arch) => $"{arch}.attention.layer_norm_epsilon";

    /// <summary>Reads and checks the hyperparameters; the vocabulary size comes from token_embd.weight.</summary>
    /// <exception cref="ModelLoadException">A key is missing, mistyped or out of range.</exception>
    public static ModelHyperparameters Read(GgufFile file, string arch)
    {
        int Positive(string key)
        {
            long v;
            try { v = file.GetInteger(key); }
            catch (GgufFormatException ex) { throw new ModelLoadException(file.Path, ex.Problem); }
            if (v is <= 0 or > int.MaxValue) throw new ModelLoadException(file.Path, $"'{key}' is {v}, expected a positive 32-bit integer");
            return (int)v;
        }
        var embd = Positive(EmbeddingLengthKey(arch));
        var heads = Positive(HeadCountKey(arch));
        if (embd % heads != 0)
            throw new ModelLoadException(file.Path, $"'{EmbeddingLengthKey(arch)}' {embd} is not divisible by '{HeadCountKey(arch)}' {heads}");
        float eps;
        try { eps = file.GetFloat32(LayerNormEpsilonKey(arch)); }
        catch (GgufFormatException ex) { throw new ModelLoadException(file.Path, ex.Problem); }
        if (!(eps > 0 && eps < 1))
            throw new ModelLoadException(file.Path, $"'{LayerNormEpsilonKey(arch)}' is {eps}, expected a small positive number such as 1e-5");
        bool layerNormBefore = true;
        int? tokenEmbd = null;
        if (arch == "opt")
        {
            try { layerNormBefore = file.GetBool(LayerNormBeforeKey(arch), true); }
            catch (GgufFormatException ex) { throw new ModelLoadException(file.Path, ex.Problem); }
            if (file.TryGet(TokenEmbeddingLengthKey(arch), out _)) tokenEmbd = Positive(TokenEmbeddingLengthKey(arch));
        }
        else
        {
            foreach (var key in new[] { LayerNormBeforeKey(arch), TokenEmbeddingLengthKey(arch) })
                if (file.TryGet(key, out _))
                    throw new ModelLoadException(file.Path, $"'{key}' is an OPT key; the '{arch}' architecture is pre-LN without embedding projections");
        }
        var embdName = TensorNames.TokenEmbd;
        var embdTensor = file.FindTensor(embdName)
            ?? throw new ModelLoadException(file.Path, $"missing tensor '{embdName}'");
        if (embdTensor.Shape.Length != 2 || embdTensor.Shape[0] != (tokenEmbd ?? embd) || embdTensor.Shape[1] > int.MaxValue)
            throw new ModelLoadException(file.Path, $"tensor '{embdName}' has shape {embdTensor.ShapeText}, expected {{{tokenEmbd ?? embd}, n_vocab}}");
        var hp = new ModelHyperparameters(arch, Positive(ContextLengthKey(arch)), embd, Positive(FeedForwardLengthKey(arch)),
            Positive(BlockCountKey(arch)), heads, eps, (int)embdTensor.Shape[1], layerNormBefore, tokenEmbd);
        hp.CheckAgainst(file);
        return hp;
    }

    /// <summary>Bounds every count and size by what the file can hold, before anything is sized from them: a header
    /// claiming a million layers or a 2^31-row context must fail here, not after building the expected-tensor list
    /// or allocating a cache for it.</summary>
    private void CheckAgainst(GgufFile file)
    {
        // Every layer owns at least one tensor of its own, so a file cannot describe more layers than it has tensors.
        if (BlockCount > file.Tensors.Count)
            throw new ModelLoadException(file.Path, $"'{BlockCountKey(Architecture)}' is {BlockCount}, but the file holds only {file.Tensors.Count} tensors");
        // The position table is {n_embd, n_ctx} and its data lies inside the file (the reader checks that): at least
        // n_embd * n_ctx / 4 bytes, which bounds n_ctx (and likewise n_ff) by the data section.
        var dataBytes = Math.Max(0, file.FileLength - file.DataOffset);
        var minBytesPerRow = Math.Max(1L, (long)EmbeddingLength / 4); // no supported type packs more than 4 weights per byte
        if (ContextLength > dataBytes / minBytesPerRow)
            throw new ModelLoadException(file.Path, $"'{ContextLengthKey(Architecture)}' is {ContextLength}, more positions than the file's {dataBytes}-byte data section can hold for width {EmbeddingLength}");
        if ((long)FeedForwardLength > dataBytes / minBytesPerRow)
            throw new ModelLoadException(file.Path, $"'{FeedForwardLengthKey(Architecture)}' is {FeedForwardLength}, larger than the file's {dataBytes}-byte data section can hold for width {EmbeddingLength}");
    }

    /// <summary>Writes the hyperparameter keys (not the vocabulary size, which the embedding carries).</summary>
    public void WriteTo(GgufWriter writer)
    {
        writer.SetString(GgufKeys.Architecture, Architecture)
            .SetUInt32(ContextLengthKey(Architecture), (uint)ContextLength)
            .SetUInt32(EmbeddingLengthKey(Architecture), (uint)EmbeddingLength)
            .SetUInt32(FeedForwardLengthKey(Architecture), (uint)FeedForwardLength)
            .SetUInt32(BlockCountKey(Architecture), (uint)BlockCount)
            .SetUInt32(HeadCountKey(Architecture), (uint)HeadCount)
            .SetFloat32(LayerNormEpsilonKey(Architecture), LayerNormEpsilon);
        // Written only when they differ from the default, so pre-LN files stay what llama.cpp-style readers expect.
        if (!LayerNormBefore) writer.SetBool(LayerNormBeforeKey(Architecture), false);
        if (HasProjection) writer.SetUInt32(TokenEmbeddingLengthKey(Architecture), (uint)TokenEmbeddingWidth);
    }
}
