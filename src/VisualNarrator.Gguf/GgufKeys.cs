namespace VisualNarrator.Gguf;

/// <summary>Metadata keys shared by every architecture (general.* and tokenizer.ggml.*), as llama.cpp names them.</summary>
public static class GgufKeys
{
    /// <summary>Architecture name; prefixes the architecture's own keys (opt.block_count, ...).</summary>
    public const string Architecture = "general.architecture";
    /// <summary>Data alignment in bytes (UINT32); 32 when absent.</summary>
    public const string Alignment = "general.alignment";
    /// <summary>Model name.</summary>
    public const string Name = "general.name";
    /// <summary>llama.cpp's llama_ftype of the dominant weight type.</summary>
    public const string FileType = "general.file_type";
    /// <summary>Quantization format version.</summary>
    public const string QuantizationVersion = "general.quantization_version";

    /// <summary>Tokenizer model name ("gpt2" for byte-level BPE).</summary>
    public const string TokenizerModel = "tokenizer.ggml.model";
    /// <summary>Pre-tokenizer name ("gpt-2").</summary>
    public const string TokenizerPre = "tokenizer.ggml.pre";
    /// <summary>Token strings, index = id.</summary>
    public const string Tokens = "tokenizer.ggml.tokens";
    /// <summary>Token types (1 normal, 3 control, 5 unused), index = id.</summary>
    public const string TokenType = "tokenizer.ggml.token_type";
    /// <summary>BPE merges as "left right".</summary>
    public const string Merges = "tokenizer.ggml.merges";
    /// <summary>Beginning-of-sequence id.</summary>
    public const string BosTokenId = "tokenizer.ggml.bos_token_id";
    /// <summary>End-of-sequence id.</summary>
    public const string EosTokenId = "tokenizer.ggml.eos_token_id";
    /// <summary>Padding id.</summary>
    public const string PaddingTokenId = "tokenizer.ggml.padding_token_id";
    /// <summary>Unknown-token id.</summary>
    public const string UnknownTokenId = "tokenizer.ggml.unknown_token_id";
    /// <summary>Whether prompts start with BOS.</summary>
    public const string AddBosToken = "tokenizer.ggml.add_bos_token";

    /// <summary>The model's default prompt template, with <c>{scene}</c> where the scene goes; alternatives are stored
    /// under this key plus <c>.NAME</c> (as llama.cpp's <c>tokenizer.chat_template</c> and <c>tokenizer.chat_template.NAME</c>).</summary>
    public const string PromptTemplate = "visual_narrator.prompt_template";

    /// <summary>Default data alignment when <see cref="Alignment"/> is absent.</summary>
    public const uint DefaultAlignment = 32;
}
