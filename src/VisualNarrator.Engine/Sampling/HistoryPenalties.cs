namespace VisualNarrator.Engine.Sampling;

/// <summary>
/// The logit adjustments that depend on the tokens seen so far (prompt, then generated): HuggingFace repetition
/// penalty, OpenAI / llama.cpp presence and frequency penalties, and HuggingFace's no-repeat n-gram ban.
/// </summary>
/// <remarks>
/// <para>Written here rather than taken from llama.cpp's <c>penalties</c> sampler because that one (a) only sees the
/// tokens fed to it through <c>accept</c> and only the last <c>penalty_last_n</c> of them, clamping -1 to 0, which
/// switches it off, whereas HuggingFace penalises the whole <c>input_ids</c> (prompt included); and (b) llama.cpp has
/// no n-gram ban at all. The repetition formula itself is the same in both (divide positive logits, multiply
/// non-positive ones, once per distinct token, however often it occurred); presence and frequency are subtracted
/// after it, as llama.cpp does.</para>
/// <para>Updates are incremental: O(1) per appended token for the penalty window, O(n) for the n-gram index.</para>
/// </remarks>
internal sealed class HistoryPenalties
{
    private readonly float _repetition;
    private readonly float _presence;
    private readonly float _frequency;
    private readonly int _window;
    private readonly int _ngram;
    private readonly int _first;
    private readonly List<int> _history = [];
    private readonly Dictionary<int, int> _counts = [];
    private readonly Dictionary<int[], List<int>> _followers = new(SequenceComparer.Instance);

    /// <summary>Starts from the prompt tokens; with <see cref="SamplingSettings.PenalizePrompt"/> off they are kept in
    /// <see cref="History"/> but neither penalised nor indexed for the n-gram ban.</summary>
    /// <param name="settings">Settings the caller has validated (<see cref="TokenSampler"/> does; only the penalty fields are read).</param>
    /// <param name="promptIds">The prompt's token ids, oldest first; all &gt;= 0.</param>
    /// <exception cref="ArgumentException">A negative token id.</exception>
    public HistoryPenalties(SamplingSettings settings, ReadOnlySpan<int> promptIds)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var penaltiesOn = settings.PenaltyLastN != 0
            && (settings.RepetitionPenalty != 1 || settings.PresencePenalty != 0 || settings.FrequencyPenalty != 0);
        _repetition = settings.RepetitionPenalty;
        _presence = settings.PresencePenalty;
        _frequency = settings.FrequencyPenalty;
        _window = penaltiesOn ? settings.PenaltyLastN : 0;
        _ngram = settings.NoRepeatNgramSize;
        _first = settings.PenalizePrompt ? 0 : promptIds.Length;
        foreach (var id in promptIds) Append(id);
    }

    /// <summary>All tokens seen so far: the prompt, then every appended token.</summary>
    public IReadOnlyList<int> History => _history;

    /// <summary>True when this instance changes any logit.</summary>
    public bool IsActive => _window != 0 || _ngram > 0;

    /// <summary>Records the next token of the sequence.</summary>
    /// <param name="token">Token id, &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="token"/> is negative.</exception>
    public void Append(int token)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(token);
        _history.Add(token);
        if (_history.Count <= _first) return;   // a prompt token that is not penalised
        if (_window != 0)
        {
            _counts[token] = _counts.GetValueOrDefault(token) + 1;
            if (_window > 0 && _history.Count - _first > _window)
            {
                var old = _history[_history.Count - 1 - _window];
                if (--_counts[old] == 0) _counts.Remove(old);
            }
        }

        // HF _get_ngrams: every n-gram of the history maps its first n-1 tokens to its last token (n-grams starting
        // inside an unpenalised prompt are left out, so only generated n-grams are banned from repeating).
        if (_ngram > 0 && _history.Count - _first >= _ngram)
        {
            var prefix = _history.GetRange(_history.Count - _ngram, _ngram - 1).ToArray();
            if (!_followers.TryGetValue(prefix, out var list)) _followers[prefix] = list = [];
            list.Add(token);
        }
    }

    /// <summary>Tokens the no-repeat n-gram rule bans as the next token: those that, after the last n-1 tokens of the
    /// history, would repeat an n-gram already in it (HF <c>_calc_banned_ngram_tokens</c>). May hold duplicates.</summary>
    public IReadOnlyList<int> BannedNextTokens()
    {
        // HF: nothing is banned while cur_len + 1 < n; the index is empty then anyway, so the lookup covers it.
        if (_ngram == 0 || _history.Count < _ngram - 1) return [];
        var key = _history.GetRange(_history.Count - (_ngram - 1), _ngram - 1).ToArray();
        return _followers.TryGetValue(key, out var list) ? list : [];
    }

    /// <summary>Applies the repetition, presence and frequency penalties over the window, then sets every banned
    /// next token to negative infinity.</summary>
    /// <param name="logits">One logits row, indexed by token id; changed in place. History tokens outside it are
    /// ignored.</param>
    /// <param name="unbanned">A token the n-gram ban must leave alone (-1 for none): the piece that finishes a scene
    /// word the narration has started, since a word cut in two reads worse than a repeated phrase.</param>
    public void Apply(Span<float> logits, int unbanned = -1)
    {
        foreach (var (token, count) in _counts)
        {
            if (token >= logits.Length) continue;
            ref var l = ref logits[token];
            // HF RepetitionPenaltyLogitsProcessor: score < 0 ? score * penalty : score / penalty.
            l = l < 0 ? l * _repetition : l / _repetition;
            l -= count * _frequency + _presence;
        }

        foreach (var token in BannedNextTokens())
            if (token < logits.Length && token != unbanned) logits[token] = float.NegativeInfinity;
    }

    private sealed class SequenceComparer : IEqualityComparer<int[]>
    {
        public static readonly SequenceComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj)
        {
            var hash = new HashCode();
            foreach (var v in obj) hash.Add(v);
            return hash.ToHashCode();
        }
    }
}
