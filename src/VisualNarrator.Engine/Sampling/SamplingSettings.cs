using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Engine.Sampling;

/// <summary>
/// How the next token is chosen from a logits row. Names follow HuggingFace <c>generate()</c> and llama.cpp; a default
/// instance samples from the plain softmax at temperature 1 with every filter and penalty off.
/// </summary>
/// <remarks>
/// <para>Order of application (see <see cref="TokenSampler"/>): repetition, presence and frequency penalties and the
/// no-repeat n-gram ban first (own code, over prompt and generated tokens), then llama.cpp's chain: top-k, typical,
/// top-p, min-p, XTC, temperature, then a random draw (or mirostat v2 after temperature); greedy when
/// <see cref="Temperature"/> is 0. Unlike HuggingFace, temperature comes after the truncating filters, so top-p and
/// typical cut on the temperature-1 distribution (llama.cpp's order; top-k and min-p do not depend on it).</para>
/// <para>Where the two libraries' defaults differ the neutral value is used: <see cref="TopK"/> 0 (HF 50, llama.cpp 40),
/// <see cref="TopP"/> 1 (llama.cpp 0.95), <see cref="MinP"/> 0 (llama.cpp 0.05), <see cref="PenaltyLastN"/> -1
/// (HF's whole context; llama.cpp 64).</para>
/// </remarks>
public sealed record SamplingSettings
{
    /// <summary>The seed used when none is given.</summary>
    public const uint DefaultSeed = 42;

    /// <summary>Softmax temperature, &gt;= 0. 0 means greedy (argmax of the penalised logits, no randomness, the
    /// truncating filters and mirostat are skipped); so does any value below <see cref="MinSamplingTemperature"/>.
    /// Default 1.</summary>
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Keep only the k most likely tokens; 0 = off. Default 0.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of most likely tokens whose probability reaches this, in (0, 1];
    /// 1 = off. Default 1.</summary>
    public float TopP { get; init; } = 1.0f;

    /// <summary>Drop tokens whose probability is below this fraction of the most likely token's, in [0, 1); 0 = off.
    /// Default 0.</summary>
    public float MinP { get; init; }

    /// <summary>Locally typical sampling mass, in (0, 1]; 1 = off. Default 1.</summary>
    public float TypicalP { get; init; } = 1.0f;

    /// <summary>HuggingFace repetition penalty, &gt; 0; 1 = off. Every token present in the prompt or the generated
    /// tokens (within <see cref="PenaltyLastN"/>) has its logit divided by this when positive and multiplied by it when
    /// negative, once however often it occurred. Default 1.</summary>
    public float RepetitionPenalty { get; init; } = 1.0f;

    /// <summary>How many of the most recent tokens (prompt then generated) the repetition, presence and frequency
    /// penalties look at: -1 = the whole context, 0 = those penalties are off, n &gt; 0 = the last n tokens. Default -1.
    /// The no-repeat n-gram ban always sees the whole context, as in HuggingFace.</summary>
    public int PenaltyLastN { get; init; } = -1;

    /// <summary>OpenAI / llama.cpp presence penalty, in [-2, 2]: subtracted once from the logit of every token that
    /// occurs in the penalty window. 0 = off. Default 0.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>OpenAI / llama.cpp frequency penalty, in [-2, 2]: subtracted from a token's logit once per occurrence in
    /// the penalty window. 0 = off. Default 0.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Whether the repetition, presence and frequency penalties and the no-repeat n-gram ban count the prompt's
    /// tokens (HuggingFace, which penalises all of <c>input_ids</c>) or only the generated tokens (llama.cpp). With
    /// HuggingFace's behaviour a narration is pushed away from the very words of the scene it should name
    /// ("golden retriever" becomes "golden retri duck"). Default true (HuggingFace, as the seed model ran).</summary>
    public bool PenalizePrompt { get; init; } = true;

    /// <summary>Scene-word bias, in [0, 20]: added to the logit of the token that continues a content word of the prompt
    /// (<see cref="Generation.SceneWords"/>) once the narration has started it, or else of the first token of the next
    /// such word, in the prompt's order, that the narration has not said yet (a share of it stays on words already
    /// said), so a narration names the scene it was given and writes its rare words whole (see
    /// <see cref="SceneWordLogitBias"/>). 0 = off. Default 0.</summary>
    public float SceneWordBias { get; init; }

    /// <summary>Word guard: every word the narration writes is an English word (<see cref="Generation.WordList.Default"/>,
    /// American or British spelling) or a word of the prompt. A drawn token that would glue letters onto a word so that
    /// no such word starts with them ("flake" + "ent"), or that would end a word that is not one ("pia" + "."), is
    /// dropped and the draw repeated from what is left (see <see cref="WordGuard"/>). Default false.</summary>
    public bool WordGuard { get; init; }

    /// <summary>Whole sentences: the narration opens a sentence (its first token that is not white space starts with an
    /// upper-case letter or a digit, after any opening quote or bracket, so it neither carries on the prompt's last word,
    /// "storm" + "y", nor its sentence, "is The picture ...") and the end-of-text token is allowed only when its last
    /// sentence is finished (its text, closing quotes aside, ends with '.', '!' or '?'), so a model that tires at a fixed
    /// length does not stop mid-sentence ("Nearby, there"). The token limit still cuts. Default false.</summary>
    public bool WholeSentences { get; init; }

    /// <summary>Wrap-up window, &gt;= 0 tokens: over the last this many tokens of <see cref="MaxNewTokens"/> the sampler
    /// draws the narration to a close, adding a bias that grows step by step to <see cref="TokenSampler.WrapUpPull"/>
    /// to the full stop while a sentence is open and to the end of text once one has ended, so a narration that would
    /// run past the limit ends on a finished sentence instead of being cut. In the spirit of HuggingFace's
    /// <c>exponential_decay_length_penalty</c>, which raises only the end of text. 0 = off. Default 0.</summary>
    public int WrapUpTokens { get; init; }

    /// <summary>HuggingFace <c>no_repeat_ngram_size</c>, &gt;= 0: bans every token that would complete an n-gram of
    /// this size already present in prompt + generated tokens. 0 = off. Default 0.</summary>
    public int NoRepeatNgramSize { get; init; }

    /// <summary>XTC ("exclude top choices"): chance per step, in [0, 1], that the tokens at or above
    /// <see cref="XtcThreshold"/> are removed except the least likely of them. 0 = off. Default 0.</summary>
    public float XtcProbability { get; init; }

    /// <summary>XTC probability threshold, in [0, 0.5] (above 0.5 at most one token qualifies, so XTC could never act).
    /// Default 0.1 (llama.cpp).</summary>
    public float XtcThreshold { get; init; } = 0.1f;

    /// <summary>Mirostat: 0 = off, 2 = mirostat v2 (replaces top-k/typical/top-p/min-p/XTC; temperature still applies
    /// first). Mirostat v1 is not offered. Default 0.</summary>
    public int Mirostat { get; init; }

    /// <summary>Mirostat target surprise in bits, &gt; 0. Default 5 (llama.cpp).</summary>
    public float MirostatTau { get; init; } = 5.0f;

    /// <summary>Mirostat learning rate, in (0, 1]. Default 0.1 (llama.cpp).</summary>
    public float MirostatEta { get; init; } = 0.1f;

    /// <summary>Seed of the sampler's random number generators; the same seed, settings, prompt and logits give the
    /// same tokens. Any value but <see cref="uint.MaxValue"/>, which llama.cpp reads as "pick a random seed".
    /// Default <see cref="DefaultSeed"/>.</summary>
    public uint Seed { get; init; } = DefaultSeed;

    /// <summary>Upper bound on generated tokens, &gt;= 1. Default 80 (the seed model's).</summary>
    public int MaxNewTokens { get; init; } = 80;

    /// <summary>Generation stops before any of these strings would be emitted (see <see cref="StopStringMatcher"/>).
    /// Entries must be non-empty. Default none.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Temperatures below this act as 0 (greedy). Dividing logits by a tinier one overflows float (a
    /// subnormal 1e-39 turns every logit into infinity and the draw into garbage), and long before that the softmax is
    /// already one-hot, so greedy is the exact limit.</summary>
    public const float MinSamplingTemperature = 1e-4f;

    /// <summary>Most stop strings per request: each one is searched for at every generated token.</summary>
    public const int MaxStopStrings = 16;

    /// <summary>Longest stop string, in characters.</summary>
    public const int MaxStopStringLength = 256;

    /// <summary>True when tokens are drawn at random (temperature at least <see cref="MinSamplingTemperature"/>).</summary>
    public bool DoSample => Temperature >= MinSamplingTemperature;

    /// <summary>The seed model's published generation settings (<see cref="SamplingPresetTable.SeedModel"/>).</summary>
    public static SamplingSettings SeedModel => SamplingPresetTable.SeedModel;

    /// <summary>Plain greedy decoding (<see cref="SamplingPresetTable.Greedy"/>).</summary>
    public static SamplingSettings Greedy => SamplingPresetTable.Greedy;

    /// <summary>Livelier narrations (<see cref="SamplingPresetTable.Creative"/>).</summary>
    public static SamplingSettings Creative => SamplingPresetTable.Creative;

    /// <summary>Checks every field.</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="NarrationRejectedException">A field is out of range; the message names the field, its value and the
    /// allowed range, and <see cref="NarrationRejectedException.Field"/> is the field's name.</exception>
    public SamplingSettings Validate()
    {
        SamplingSettingTable.Validate(this);
        return this;
    }

    /// <summary>Checks every field, and that <see cref="MaxNewTokens"/> is within a server's limit.</summary>
    /// <param name="maxNewTokensLimit">The most new tokens the server allows.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="NarrationRejectedException">A field is out of range or over the limit, named.</exception>
    public SamplingSettings Validate(int maxNewTokensLimit)
    {
        Validate();
        if (MaxNewTokens > maxNewTokensLimit)
            throw new NarrationRejectedException(nameof(MaxNewTokens), $"{nameof(MaxNewTokens)} = {MaxNewTokens} is over this server's limit of {maxNewTokensLimit}");
        return this;
    }
}
