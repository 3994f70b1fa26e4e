namespace VisualNarrator.Tokenization;

/// <summary>
/// The kind of a vocabulary entry, numbered as GGUF's <c>tokenizer.ggml.token_type</c> (llama.cpp's
/// <c>llama_token_type</c>) numbers them.
/// </summary>
public enum TokenType
{
    /// <summary>An ordinary BPE token: its text is GPT-2 byte-level characters standing for raw bytes.</summary>
    Normal = 1,

    /// <summary>The unknown token of vocabularies that have one (byte-level BPE never produces it).</summary>
    Unknown = 2,

    /// <summary>A special token such as <c>&lt;/s&gt;</c> or <c>&lt;pad&gt;</c>: recognised in text by its exact
    /// string when special-token parsing is on, skipped when decoding with skipSpecial.</summary>
    Control = 3,

    /// <summary>An added token that is always recognised in text by its exact string and always decoded.</summary>
    UserDefined = 4,

    /// <summary>A placeholder that pads the vocabulary to the embedding's row count (e.g. <c>[PAD50265]</c>):
    /// never produced by encoding, decodes to nothing.</summary>
    Unused = 5,

    /// <summary>A raw byte token (SentencePiece style); decoded like a normal token here.</summary>
    Byte = 6,
}
