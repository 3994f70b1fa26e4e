using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LLama.Native;
using VisualNarrator.Engine.Native;

namespace VisualNarrator.Engine.Sampling;

/// <summary>A token and its probability in the distribution a token was drawn from.</summary>
/// <param name="TokenId">Token id.</param>
/// <param name="Probability">Probability in [0, 1].</param>
public readonly record struct TokenProbability(int TokenId, float Probability);

/// <summary>What the last <see cref="TokenSampler.Sample"/> chose and what else it could have chosen.</summary>
/// <param name="TokenId">The chosen token.</param>
/// <param name="Probability">Its probability in the distribution it was drawn from: after penalties, bans, the
/// truncating filters and temperature (for greedy: the softmax of the penalised logits).</param>
/// <param name="Alternatives">The most likely other tokens of that distribution, most likely first (ties by id).</param>
/// <param name="CandidateCount">How many tokens that distribution had (after truncation).</param>
public sealed record SampledToken(int TokenId, float Probability, IReadOnlyList<TokenProbability> Alternatives, int CandidateCount);

/// <summary>
/// Chooses the tokens of one generated sequence: call <see cref="Sample"/> with the step's logits, then
/// <see cref="Accept"/> with the token actually used, and repeat. Not thread-safe; one instance per sequence.
/// </summary>
/// <remarks>
/// <para>Per step: a copy of the logits gets the <see cref="HistoryPenalties"/> and the scene-word bias
/// (<see cref="SceneWordLogitBias"/>; both own code); tokens left at negative
/// infinity are dropped; the rest go through a llama.cpp sampler chain (LLamaSharp's
/// <see cref="SafeLLamaSamplerChainHandle"/>, applied to a <see cref="LLamaTokenDataArrayNative"/> built from the
/// array, no model or context involved): top-k, typical, top-p, min-p, XTC, temperature, dist; or temperature then
/// mirostat v2; or greedy when the temperature is 0. Only stages that are switched on are added. With the
/// <see cref="WordGuard"/> on, a drawn token that would break a word is masked and the chain runs again; with
/// <see cref="SamplingSettings.WholeSentences"/> on, the first token that is not white space must open a sentence and
/// the end-of-text token is banned until a sentence has ended; in
/// the <see cref="SamplingSettings.WrapUpTokens"/> window the full stop or the end of text gets a growing bias.</para>
/// <para>Each instance owns its chain and so its random number generators: the same settings, prompt and logits give
/// the same tokens whether sequences run alone or interleaved. The draw and XTC use different seeds derived from
/// <see cref="SamplingSettings.Seed"/> (llama.cpp would seed both identically, which correlates XTC's coin with the
/// draw).</para>
/// </remarks>
public sealed class TokenSampler : IDisposable
{
    private readonly SafeLLamaSamplerChainHandle _chain;
    private readonly HistoryPenalties _penalties;
    private readonly SceneWordLogitBias _sceneBias;
    private readonly WordGuard? _wordGuard;
    private readonly Func<int, TokenEnd>? _tokenEnd;
    private readonly Func<int, bool>? _opensSentence;
    private readonly int _endOfText;
    private readonly int _fullStop;
    private readonly bool _holdEndOfText;
    private readonly List<int> _disallowed = [];
    private int[] _order = [];
    private float[] _orderKeys = [];
    private bool _started;        // a token that is not white space has been accepted
    private bool _sentenceEnded;  // the last such token ended a sentence
    private int _generated;
    private readonly bool _greedy;
    private float[] _work = [];
    private LLamaTokenData[] _candidates = [];
    private int _vocabSize = -1;
    private int _offset;
    private int _count;
    private int _selected = -1;
    private bool _awaitingAccept;

    /// <summary>Creates the sampler for one sequence.</summary>
    /// <param name="settings">Sampling settings; validated here.</param>
    /// <param name="promptIds">The prompt's token ids (they count for the repetition penalties and the n-gram ban).</param>
    /// <param name="sceneWords">The token ids of each content word of the prompt's scene
    /// (<see cref="Generation.SceneWords.TokenSequences"/>), for <see cref="SamplingSettings.SceneWordBias"/>; none when
    /// null.</param>
    /// <param name="tokenEnd">How a token's text ends (<see cref="Generation.SceneWords.TokenEnd(string)"/>), so the scene-word
    /// bias starts no word where a sentence starts; null: only the narration's first token starts one.</param>
    /// <param name="wordGuard">The prompt's <see cref="WordGuard"/>, used when <see cref="SamplingSettings.WordGuard"/>
    /// is on; none when null.</param>
    /// <param name="endOfText">The end-of-text token, for <see cref="SamplingSettings.WholeSentences"/> (which also needs
    /// <paramref name="tokenEnd"/>); none when null.</param>
    /// <param name="opensSentence">Whether a token's text, leading white space and opening quotes or brackets aside,
    /// starts with an upper-case letter or a digit (<see cref="Generation.SceneWords.OpensSentence"/>), for
    /// <see cref="SamplingSettings.WholeSentences"/> (which also needs <paramref name="tokenEnd"/>); no opening rule when
    /// null.</param>
    /// <param name="fullStop">The full-stop token, for <see cref="SamplingSettings.WrapUpTokens"/> (which also needs
    /// <paramref name="tokenEnd"/> and <paramref name="endOfText"/>); none when null.</param>
    /// <exception cref="Serving.NarrationRejectedException">Invalid settings.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative prompt id.</exception>
    /// <exception cref="ArgumentException">An empty scene word or a negative id in one.</exception>
    /// <exception cref="DllNotFoundException">LLamaSharp's native library could not be loaded.</exception>
    public TokenSampler(SamplingSettings settings, ReadOnlySpan<int> promptIds, IReadOnlyList<int[]>? sceneWords = null,
        Func<int, TokenEnd>? tokenEnd = null, WordGuard? wordGuard = null, int? endOfText = null, int? fullStop = null,
        Func<int, bool>? opensSentence = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings.Validate();
        _penalties = new HistoryPenalties(settings, promptIds);
        _sceneBias = new SceneWordLogitBias(settings.SceneWordBias, sceneWords ?? []);
        _greedy = !settings.DoSample;
        _wordGuard = settings.WordGuard ? wordGuard : null;
        _tokenEnd = tokenEnd;
        _endOfText = tokenEnd is not null && endOfText >= 0 ? endOfText.Value : -1;
        _holdEndOfText = settings.WholeSentences && _endOfText >= 0;
        _opensSentence = settings.WholeSentences && tokenEnd is not null ? opensSentence : null;
        _fullStop = _endOfText >= 0 && fullStop >= 0 ? fullStop.Value : -1;

        GgmlLibrary.EnsureLoaded();
        _chain = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        try
        {
            BuildChain(_chain, settings);
        }
        catch
        {
            _chain.Dispose();
            throw;
        }
    }

    /// <summary>The settings this sampler was built with.</summary>
    public SamplingSettings Settings { get; }

    /// <summary>The prompt followed by every accepted token.</summary>
    public IReadOnlyList<int> History => _penalties.History;

    /// <summary>Names of the llama.cpp stages in the chain, in order (e.g. <c>top-k</c>, <c>temp</c>, <c>dist</c>).</summary>
    public IReadOnlyList<string> ChainStages
    {
        get
        {
            ObjectDisposedException.ThrowIf(_chain.IsClosed, this);
            return Enumerable.Range(0, _chain.Count).Select(_chain.GetName).ToArray();
        }
    }

    private static void BuildChain(SafeLLamaSamplerChainHandle chain, SamplingSettings s)
    {
        if (!s.DoSample)
        {
            chain.AddGreedySampler();
            return;
        }

        if (s.Mirostat == 2)
        {
            chain.AddTemperature(s.Temperature);
            chain.AddMirostat2Sampler(s.Seed, s.MirostatTau, s.MirostatEta);
            return;
        }

        if (s.TopK > 0) chain.AddTopK(s.TopK);
        if (s.TypicalP < 1) chain.AddTypical(s.TypicalP, 1);
        if (s.TopP < 1) chain.AddTopP(s.TopP, 1);
        if (s.MinP > 0) chain.AddMinP(s.MinP, 1);
        if (s.XtcProbability > 0) chain.AddXTC(s.XtcProbability, s.XtcThreshold, 1, XtcSeed(s.Seed));
        chain.AddTemperature(s.Temperature);
        chain.AddDistributionSampler(s.Seed);
    }

    /// <summary>A seed for XTC's coin that differs from the draw's and is never llama.cpp's random-seed marker.</summary>
    private static uint XtcSeed(uint seed)
    {
        var mixed = seed ^ 0x9E3779B9u;
        return mixed == uint.MaxValue ? mixed - 1 : mixed;
    }

    /// <summary>Chooses the next token from one logits row. Call <see cref="Accept"/> before the next call.</summary>
    /// <param name="logits">The model's logits for this step, indexed by token id; the same length every step. Must
    /// be finite or negative infinity (a masked token).</param>
    /// <returns>The chosen token id.</returns>
    /// <exception cref="ArgumentException">Empty row, a length different from the first call's, NaN or +infinity, or a
    /// history token outside the vocabulary.</exception>
    /// <exception cref="InvalidOperationException">The previous sample was not accepted yet, or every token is banned
    /// or masked.</exception>
    public int Sample(ReadOnlySpan<float> logits)
    {
        ObjectDisposedException.ThrowIf(_chain.IsClosed, this);
        if (_awaitingAccept)
            throw new InvalidOperationException("Sample was called twice without Accept; accept the previous token first.");
        CheckVocabulary(logits.Length);

        var work = _work.AsSpan(0, logits.Length);
        for (var i = 0; i < logits.Length; i++)
        {
            var l = logits[i];
            if (float.IsNaN(l) || float.IsPositiveInfinity(l))
                throw new ArgumentException($"Logit of token {i} is {l}; logits must be finite (or -infinity for a masked token).", nameof(logits));
        }
        logits.CopyTo(work);
        _penalties.Apply(work, _sceneBias.Continuation());
        _sceneBias.Apply(work, atSentenceStart: !_started || _sentenceEnded);
        if (_holdEndOfText && !_sentenceEnded && _endOfText < work.Length) work[_endOfText] = float.NegativeInfinity;
        if (_opensSentence is not null && !_started) MaskNonOpening(work);
        WrapUp(work);

        var n = Draw(work);
        // The word guard turns a draw down: every token it would turn down leaves the candidates and the chain draws
        // again, so the draw follows the chain's distribution over the allowed tokens. When it allows none, the first
        // draw stands.
        if (_wordGuard is not null && n > 1 && !_wordGuard.Allows((int)_candidates[_selected].ID) && MaskDisallowed(work))
            Draw(work);

        _awaitingAccept = true;
        return (int)_candidates[_selected].ID;
    }

    /// <summary>The bias <see cref="SamplingSettings.WrapUpTokens"/> reaches on the last token of the limit: as much as
    /// the scene-word bias of the default preset, so the close wins over the pull toward the next scene word.</summary>
    public const float WrapUpPull = 10f;

    /// <summary>Before the narration's first token that is not white space: bans every token that is not white space
    /// and does not open a sentence, unless that would leave none.</summary>
    private void MaskNonOpening(Span<float> work)
    {
        _disallowed.Clear();
        var allowed = 0;
        for (var i = 0; i < work.Length; i++)
        {
            if (float.IsNegativeInfinity(work[i])) continue;
            if (_tokenEnd!(i) == TokenEnd.Blank || _opensSentence!(i)) allowed++;
            else _disallowed.Add(i);
        }
        if (allowed == 0) return;
        foreach (var i in _disallowed) work[i] = float.NegativeInfinity;
    }

    /// <summary>In the wrap-up window, adds the growing pull to the full stop (a sentence is open) or the end of text.</summary>
    private void WrapUp(Span<float> work)
    {
        var window = Settings.WrapUpTokens;
        if (window <= 0 || _fullStop < 0) return;
        var left = Settings.MaxNewTokens - _generated;   // tokens left, this one included
        if (left > window) return;
        var token = _sentenceEnded ? _endOfText : _fullStop;
        if (token < work.Length && !float.IsNegativeInfinity(work[token]))
            work[token] += WrapUpPull * (window - left + 1) / window;
    }

    /// <summary>Sets the tokens the word guard turns down to negative infinity, unless that would leave none; returns
    /// whether it did. Tokens are checked from the most likely down until as many are allowed as the chain can keep
    /// (top-k's k, greedy's one); what lies below those the chain drops anyway, so it need not be checked.</summary>
    private bool MaskDisallowed(Span<float> work)
    {
        var keep = _greedy ? 1 : Settings.Mirostat == 0 && Settings.TopK > 0 ? Settings.TopK : int.MaxValue;
        if (_order.Length != work.Length)
        {
            _order = new int[work.Length];
            _orderKeys = new float[work.Length];
        }
        var n = 0;
        for (var i = 0; i < work.Length; i++)
        {
            if (float.IsNegativeInfinity(work[i])) continue;
            _order[n] = i;
            _orderKeys[n++] = -work[i];
        }
        Array.Sort(_orderKeys, _order, 0, n);

        _disallowed.Clear();
        var allowed = 0;
        for (var j = 0; j < n && allowed < keep; j++)
        {
            if (_wordGuard!.Allows(_order[j])) allowed++;
            else _disallowed.Add(_order[j]);
        }
        if (allowed == 0) return false;
        foreach (var i in _disallowed) work[i] = float.NegativeInfinity;
        return true;
    }

    /// <summary>Runs the chain over the tokens of <paramref name="work"/> not at negative infinity and sets
    /// <see cref="_selected"/>; returns how many candidates there were.</summary>
    private int Draw(Span<float> work)
    {
        // Banned and masked tokens leave the candidate set: typical sampling's entropy would turn p = 0 into NaN.
        var n = 0;
        for (var i = 0; i < work.Length; i++)
            if (!float.IsNegativeInfinity(work[i]))
                _candidates[n++] = new LLamaTokenData(i, work[i], 0f);
        if (n == 0)
            throw new InvalidOperationException("Every token is banned (no-repeat n-gram) or masked; nothing can be sampled.");
        if (_greedy) Softmax(_candidates.AsSpan(0, n));

        var array = new LLamaTokenDataArray(_candidates.AsMemory(0, n));
        using (LLamaTokenDataArrayNative.Create(array, out var native))
        {
            _chain.Apply(ref native);
            var kept = native.Data;
            _offset = (int)(Unsafe.ByteOffset(ref _candidates[0], ref MemoryMarshal.GetReference(kept)) / Unsafe.SizeOf<LLamaTokenData>());
            _count = kept.Length;
            var selected = native.Selected;
            if (selected < 0 || selected >= _count || _offset < 0 || _offset + _count > n)
                throw new InvalidOperationException($"The llama.cpp sampler chain selected index {selected} of {_count} candidates at offset {_offset}.");
            _selected = _offset + (int)selected;
        }
        return n;
    }

    /// <summary>Records the token that was actually appended to the sequence (normally the one <see cref="Sample"/>
    /// returned; a different, forced token is allowed). May also be called without a preceding sample.</summary>
    /// <param name="token">Token id in the vocabulary.</param>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or outside the vocabulary seen by <see cref="Sample"/>.</exception>
    public void Accept(int token)
    {
        ObjectDisposedException.ThrowIf(_chain.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(token);
        if (_vocabSize > 0) ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(token, _vocabSize);
        _penalties.Append(token);
        _sceneBias.Append(token);
        _wordGuard?.Append(token);
        // Without token ends every token is a word: only the narration's start opens a sentence.
        var end = _tokenEnd?.Invoke(token) ?? TokenEnd.Other;
        if (end != TokenEnd.Blank)
        {
            _sentenceEnded = end == TokenEnd.Sentence;
            _started = true;
        }
        _generated++;
        _chain.Accept(token);
        _awaitingAccept = false;
    }

    /// <summary>Describes the last <see cref="Sample"/>: the chosen token's probability and the
    /// <paramref name="alternatives"/> most likely other tokens of the distribution it was drawn from.</summary>
    /// <param name="alternatives">How many other tokens to list, &gt;= 0.</param>
    /// <exception cref="InvalidOperationException">Nothing was sampled yet.</exception>
    public SampledToken DescribeLastSample(int alternatives = 5)
    {
        ObjectDisposedException.ThrowIf(_chain.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(alternatives);
        if (_selected < 0) throw new InvalidOperationException("Nothing has been sampled yet.");

        var chosen = _candidates[_selected];
        // Keep the best few with a min-heap on (probability, then reversed id).
        var heap = new PriorityQueue<TokenProbability, (float P, int NegId)>();
        for (var i = _offset; i < _offset + _count && alternatives > 0; i++)
        {
            if (i == _selected) continue;
            var c = _candidates[i];
            var id = (int)c.ID;
            (float P, int NegId) key = (c.Probability, -id);
            if (heap.Count < alternatives) heap.Enqueue(new TokenProbability(id, c.Probability), key);
            else if (heap.TryPeek(out _, out var worst) && key.CompareTo(worst) > 0)
                heap.EnqueueDequeue(new TokenProbability(id, c.Probability), key);
        }
        var list = new TokenProbability[heap.Count];
        for (var i = list.Length - 1; i >= 0; i--) list[i] = heap.Dequeue();
        return new SampledToken((int)chosen.ID, chosen.Probability, list, _count);
    }

    /// <summary>Frees the native sampler chain.</summary>
    public void Dispose() => _chain.Dispose();

    private void CheckVocabulary(int length)
    {
        if (length == 0) throw new ArgumentException("The logits row is empty.", "logits");
        if (_vocabSize < 0)
        {
            foreach (var id in _penalties.History)
                if (id >= length)
                    throw new ArgumentException($"History token {id} is outside the {length}-token vocabulary of the logits row.", "logits");
            _vocabSize = length;
            _work = new float[length];
            _candidates = new LLamaTokenData[length];
        }
        else if (length != _vocabSize)
        {
            throw new ArgumentException($"The logits row has {length} entries; earlier rows had {_vocabSize}.", "logits");
        }
    }

    private static void Softmax(Span<LLamaTokenData> data)
    {
        var max = float.NegativeInfinity;
        foreach (var d in data) max = Math.Max(max, d.Logit);
        double sum = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var e = Math.Exp(data[i].Logit - max);
            data[i].Probability = (float)e;
            sum += e;
        }
        for (var i = 0; i < data.Length; i++) data[i].Probability = (float)(data[i].Probability / sum);
    }
}
