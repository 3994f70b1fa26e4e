using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Tests.Sampling;

public class HistoryPenaltiesTests
{
    private static float[] Apply(SamplingSettings settings, int[] prompt, int[] generated, float[] logits)
    {
        var p = new HistoryPenalties(settings, prompt);
        foreach (var t in generated) p.Append(t);
        var copy = (float[])logits.Clone();
        p.Apply(copy);
        return copy;
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_prompt_and_generated_tokens()
    {
        // Token 0 (prompt, positive), 1 (prompt, negative), 4 (generated, zero), 2 twice (generated): once each.
        var result = Apply(new SamplingSettings { RepetitionPenalty = 2f }, [0, 1], [2, 2, 4],
            [2f, -1f, 3f, 0.5f, 0f]);
        Assert.Equal([1f, -2f, 1.5f, 0.5f, 0f], result);
    }

    [Fact]
    public void Repetition_penalty_below_one_rewards_repeats()
    {
        var result = Apply(new SamplingSettings { RepetitionPenalty = 0.5f }, [0, 1], [], [2f, -1f, 3f]);
        Assert.Equal([4f, -0.5f, 3f], result);
    }

    [Fact]
    public void Penalty_window_covers_only_the_last_n_tokens_across_the_prompt_boundary()
    {
        // History 0 1 | 2 3, window 3: tokens 1, 2, 3 are penalised, 0 has left the window.
        var logits = new[] { 4f, 4f, 4f, 4f, 4f };
        Assert.Equal([4f, 2f, 2f, 2f, 4f], Apply(new SamplingSettings { RepetitionPenalty = 2f, PenaltyLastN = 3 }, [0, 1], [2, 3], logits));
        // A token that left the window but occurs again inside it stays penalised.
        Assert.Equal([2f, 4f, 2f, 2f, 4f], Apply(new SamplingSettings { RepetitionPenalty = 2f, PenaltyLastN = 3 }, [0, 1], [2, 3, 0], logits));
        Assert.Equal(logits, Apply(new SamplingSettings { RepetitionPenalty = 2f, PenaltyLastN = 0 }, [0, 1], [2, 3], logits));
        Assert.Equal([2f, 2f, 2f, 2f, 4f], Apply(new SamplingSettings { RepetitionPenalty = 2f, PenaltyLastN = -1 }, [0, 1], [2, 3], logits));
    }

    [Fact]
    public void Without_prompt_penalties_only_generated_tokens_count()
    {
        // History 0 1 | 2 3 0: the prompt's 1 is not penalised; 0 is, because it was generated too.
        var s = new SamplingSettings { RepetitionPenalty = 2f, PenalizePrompt = false };
        Assert.Equal([2f, 4f, 2f, 2f, 4f], Apply(s, [0, 1], [2, 3, 0], [4f, 4f, 4f, 4f, 4f]));
        // Nothing generated yet: nothing penalised, and the window counts generated tokens only.
        Assert.Equal([4f, 4f, 4f], Apply(s, [0, 1, 2], [], [4f, 4f, 4f]));
        Assert.Equal([4f, 4f, 2f, 4f], Apply(s with { PenaltyLastN = 1 }, [0], [1, 2], [4f, 4f, 4f, 4f]));
    }

    [Fact]
    public void Without_prompt_penalties_the_ngram_ban_sees_generated_ngrams_only()
    {
        // Prompt "7 8 7", generated "9": with the prompt counted, "7 8" after "7" is banned; without, nothing is,
        // and a repeat inside the generated tokens is still banned.
        var hf = new HistoryPenalties(new SamplingSettings { NoRepeatNgramSize = 2 }, [7, 8, 7]);
        Assert.Equal([8], hf.BannedNextTokens());
        var own = new HistoryPenalties(new SamplingSettings { NoRepeatNgramSize = 2, PenalizePrompt = false }, [7, 8, 7]);
        Assert.Empty(own.BannedNextTokens());
        foreach (var t in new[] { 4, 5, 4 }) own.Append(t);
        Assert.Equal([5], own.BannedNextTokens());
        Assert.Equal([7, 8, 7, 4, 5, 4], own.History);
    }

    [Fact]
    public void Presence_and_frequency_subtract_once_and_per_occurrence_after_the_repetition_penalty()
    {
        var s = new SamplingSettings { PresencePenalty = 0.5f, FrequencyPenalty = 0.25f };
        // History 1 1 2: token 1 loses 0.5 + 2 * 0.25, token 2 loses 0.5 + 0.25.
        Assert.Equal([1f, 0f, 0.25f], Apply(s, [1], [1, 2], [1f, 1f, 1f]));
        // With repetition 2: token 1: 1 / 2 - 1 = -0.5; token 2: -1 * 2 - 0.75 = -2.75.
        Assert.Equal([1f, -0.5f, -2.75f], Apply(s with { RepetitionPenalty = 2f }, [1], [1, 2], [1f, 1f, -1f]));
        // Window 2 sees only "1 2": token 1 counted once.
        Assert.Equal([1f, 0.25f, 0.25f], Apply(s with { PenaltyLastN = 2 }, [1], [1, 2], [1f, 1f, 1f]));
        // Negative presence rewards.
        Assert.Equal([1f, 1.5f], Apply(new SamplingSettings { PresencePenalty = -0.5f }, [1], [], [1f, 1f]));
    }

    [Theory]
    [InlineData(2, new[] { 1, 2, 3, 1 }, new[] { 2 })]
    [InlineData(2, new[] { 5, 5, 5 }, new[] { 5 })]
    [InlineData(2, new[] { 1, 2, 1, 3, 1 }, new[] { 2, 3 })]
    [InlineData(3, new[] { 1, 2, 3, 1, 2 }, new[] { 3 })]
    [InlineData(3, new[] { 1, 2, 3, 1 }, new int[0])]
    [InlineData(3, new[] { 7 }, new int[0])]
    [InlineData(1, new[] { 4, 2, 4 }, new[] { 2, 4 })]
    [InlineData(0, new[] { 1, 2, 1 }, new int[0])]
    public void No_repeat_ngram_bans_tokens_that_complete_a_seen_ngram(int n, int[] history, int[] banned)
    {
        var p = new HistoryPenalties(new SamplingSettings { NoRepeatNgramSize = n }, history);
        Assert.Equal(banned, p.BannedNextTokens().Distinct().Order());

        var logits = Enumerable.Repeat(1f, 8).ToArray();
        p.Apply(logits);
        for (var t = 0; t < logits.Length; t++)
            Assert.Equal(banned.Contains(t) ? float.NegativeInfinity : 1f, logits[t]);
    }

    [Fact]
    public void No_repeat_ngram_spans_prompt_and_generated_tokens_and_ignores_the_penalty_window()
    {
        var p = new HistoryPenalties(new SamplingSettings { NoRepeatNgramSize = 2, PenaltyLastN = 1, RepetitionPenalty = 1.5f }, [1, 2]);
        p.Append(3);
        Assert.Empty(p.BannedNextTokens());
        p.Append(1);
        Assert.Equal([2], p.BannedNextTokens());
    }

    [Fact]
    public void No_repeat_ngram_matches_a_literal_port_of_huggingface_on_random_histories()
    {
        var rng = new Random(1234);
        for (var trial = 0; trial < 400; trial++)
        {
            var n = rng.Next(1, 5);
            var prompt = Enumerable.Range(0, rng.Next(0, 6)).Select(_ => rng.Next(4)).ToArray();
            var p = new HistoryPenalties(new SamplingSettings { NoRepeatNgramSize = n }, prompt);
            var ids = prompt.ToList();
            for (var step = 0; step < 12; step++)
            {
                Assert.Equal(HuggingFaceBanned(n, ids).Order(), p.BannedNextTokens().Distinct().Order());
                var next = rng.Next(4);
                p.Append(next);
                ids.Add(next);
            }
        }
    }

    /// <summary>transformers' _get_ngrams + _get_generated_ngrams + _calc_banned_ngram_tokens for one hypothesis.</summary>
    private static HashSet<int> HuggingFaceBanned(int ngramSize, List<int> prevInputIds)
    {
        var curLen = prevInputIds.Count;
        if (curLen + 1 < ngramSize) return [];
        var generated = new Dictionary<string, List<int>>();
        // for ngram in zip(*[gen_tokens[i:] for i in range(ngram_size)])
        for (var start = 0; start + ngramSize <= curLen; start++)
        {
            var key = string.Join(",", prevInputIds.GetRange(start, ngramSize - 1));
            if (!generated.TryGetValue(key, out var list)) generated[key] = list = [];
            list.Add(prevInputIds[start + ngramSize - 1]);
        }
        var startIdx = curLen + 1 - ngramSize;
        var ngramIdx = string.Join(",", prevInputIds.GetRange(startIdx, curLen - startIdx));
        return generated.TryGetValue(ngramIdx, out var banned) ? [.. banned] : [];
    }

    [Fact]
    public void Inactive_when_everything_is_off()
    {
        Assert.False(new HistoryPenalties(new SamplingSettings(), [1, 2]).IsActive);
        Assert.False(new HistoryPenalties(new SamplingSettings { RepetitionPenalty = 2, PenaltyLastN = 0 }, [1]).IsActive);
        Assert.True(new HistoryPenalties(new SamplingSettings { NoRepeatNgramSize = 2 }, [1]).IsActive);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HistoryPenalties(new SamplingSettings(), [-1]));
    }
}
