using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Engine.Tests.Sampling;

public class TokenSamplerTests
{
    private const float Tol = 1e-4f;

    /// <summary>Probabilities 0.5, 0.3, 0.15, 0.05 as logits.</summary>
    private static readonly float[] Quarter = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)];

    /// <summary>First draw for each of <paramref name="seeds"/> seeds, with what the sampler reported.</summary>
    private static List<SampledToken> FirstDraws(SamplingSettings settings, float[] logits, int seeds = 200, int[]? prompt = null)
    {
        var result = new List<SampledToken>();
        for (uint seed = 0; seed < seeds; seed++)
        {
            using var sampler = new TokenSampler(settings with { Seed = seed }, prompt ?? []);
            var token = sampler.Sample(logits);
            var info = sampler.DescribeLastSample(10);
            Assert.Equal(token, info.TokenId);
            result.Add(info);
        }
        return result;
    }

    /// <summary>Asserts that exactly <paramref name="expected"/> (token → probability) is the sampled-from distribution.</summary>
    private static void AssertDistribution(IReadOnlyList<SampledToken> draws, params (int Token, float P)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Token).Order(), draws.Select(d => d.TokenId).Distinct().Order());
        foreach (var d in draws)
        {
            Assert.Equal(expected.Length, d.CandidateCount);
            var all = d.Alternatives.Append(new TokenProbability(d.TokenId, d.Probability)).ToDictionary(a => a.TokenId, a => a.Probability);
            Assert.Equal(expected.Length, all.Count);
            foreach (var (token, p) in expected) Assert.Equal(p, all[token], Tol);
        }
    }

    [Fact]
    public void Plain_sampling_follows_the_softmax()
    {
        using var sampler = new TokenSampler(new SamplingSettings { Seed = 5 }, []);
        var counts = new int[4];
        const int n = 20000;
        for (var i = 0; i < n; i++)
        {
            counts[sampler.Sample(Quarter)]++;
            sampler.Accept(0);
        }
        double[] p = [0.5, 0.3, 0.15, 0.05];
        for (var t = 0; t < 4; t++)
            Assert.InRange(counts[t], n * p[t] - 5 * Math.Sqrt(n * p[t] * (1 - p[t])), n * p[t] + 5 * Math.Sqrt(n * p[t] * (1 - p[t])));
    }

    [Fact]
    public void Top_k_keeps_the_k_most_likely()
    {
        // Logits 1 4 2 3 0, k = 2: tokens 1 and 3, p = e^4 / (e^4 + e^3) = 0.7311 and 0.2689.
        var draws = FirstDraws(new SamplingSettings { TopK = 2 }, [1f, 4f, 2f, 3f, 0f]);
        AssertDistribution(draws, (1, 0.7311f), (3, 0.2689f));
    }

    [Fact]
    public void Top_p_keeps_the_smallest_prefix_reaching_p()
    {
        // 0.5 + 0.3 = 0.8 >= 0.75 → {0, 1} renormalised 0.625 / 0.375.
        AssertDistribution(FirstDraws(new SamplingSettings { TopP = 0.75f }, Quarter), (0, 0.625f), (1, 0.375f));
        // 0.8 < 0.85 → one more: 0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95.
        AssertDistribution(FirstDraws(new SamplingSettings { TopP = 0.85f }, Quarter), (0, 0.5f / 0.95f), (1, 0.3f / 0.95f), (2, 0.15f / 0.95f));
    }

    [Fact]
    public void Min_p_cuts_relative_to_the_most_likely_token()
    {
        // 0.25 * 0.5 = 0.125: 0.15 survives, 0.05 does not.
        AssertDistribution(FirstDraws(new SamplingSettings { MinP = 0.25f }, Quarter), (0, 0.5f / 0.95f), (1, 0.3f / 0.95f), (2, 0.15f / 0.95f));
        // 0.35 * 0.5 = 0.175: only 0.5 and 0.3.
        AssertDistribution(FirstDraws(new SamplingSettings { MinP = 0.35f }, Quarter), (0, 0.625f), (1, 0.375f));
    }

    [Fact]
    public void Typical_keeps_tokens_closest_to_the_entropy()
    {
        // H = 1.1421 nats; |-ln p - H| = 0.449, 0.062, 0.755, 1.854 → order 1, 0, 2, 3.
        // p = 0.25: the first (token 1, 0.3) already exceeds it, so only the second most likely token remains.
        AssertDistribution(FirstDraws(new SamplingSettings { TypicalP = 0.25f }, Quarter), (1, 1f));
        // p = 0.5: 0.3 + 0.5 > 0.5 → {1, 0}.
        AssertDistribution(FirstDraws(new SamplingSettings { TypicalP = 0.5f }, Quarter), (0, 0.625f), (1, 0.375f));
    }

    [Fact]
    public void Temperature_scales_the_logits()
    {
        float[] logits = [0f, MathF.Log(2f)];
        // T = 0.5: weights 1 : 4.
        AssertDistribution(FirstDraws(new SamplingSettings { Temperature = 0.5f }, logits, 60), (0, 0.2f), (1, 0.8f));
        // T = 2: weights 1 : sqrt 2.
        AssertDistribution(FirstDraws(new SamplingSettings { Temperature = 2f }, logits, 60), (0, 1 / (1 + MathF.Sqrt(2))), (1, MathF.Sqrt(2) / (1 + MathF.Sqrt(2))));
    }

    [Fact]
    public void Temperature_comes_after_top_p_as_in_llama_cpp()
    {
        // Top-p 0.75 on the T = 1 distribution keeps {0, 1}; T = 2 then gives sqrt(0.5) : sqrt(0.3).
        // (Temperature first, as HuggingFace does, would keep three tokens.)
        var a = MathF.Sqrt(0.5f);
        var b = MathF.Sqrt(0.3f);
        AssertDistribution(FirstDraws(new SamplingSettings { TopP = 0.75f, Temperature = 2f }, Quarter), (0, a / (a + b)), (1, b / (a + b)));
    }

    [Fact]
    public void Greedy_takes_the_argmax_and_reports_the_softmax_of_the_penalised_logits()
    {
        using var sampler = new TokenSampler(SamplingSettings.Greedy, []);
        Assert.Equal(["greedy"], sampler.ChainStages);
        Assert.Equal(1, sampler.Sample([1f, 3f, 2f]));
        var info = sampler.DescribeLastSample(5);
        var z = MathF.Exp(1) + MathF.Exp(3) + MathF.Exp(2);
        Assert.Equal(MathF.Exp(3) / z, info.Probability, Tol);
        Assert.Equal([2, 0], info.Alternatives.Select(a => a.TokenId));
        Assert.Equal(MathF.Exp(2) / z, info.Alternatives[0].Probability, Tol);
        Assert.Equal(MathF.Exp(1) / z, info.Alternatives[1].Probability, Tol);
        Assert.Equal(3, info.CandidateCount);

        // Greedy with a repetition penalty: token 0 from the prompt drops from 2 to 1, below token 1's 1.5.
        using var penalised = new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 2f }, [0]);
        Assert.Equal(1, penalised.Sample([2f, 1.5f]));
        Assert.Equal(MathF.Exp(1.5f) / (MathF.Exp(1.5f) + MathF.Exp(1f)), penalised.DescribeLastSample().Probability, Tol);
    }

    [Fact]
    public void Scene_word_bias_finishes_a_started_word_even_where_the_ngram_ban_would_cut_it()
    {
        // Scene word [1 2]; generated so far 1 2 0 1. No-repeat 2-grams ban 2 after 1; the scene word's second piece is
        // exempt, so with the bias greedy writes 2 (2 + 0.5 = 2.5 beats token 3's 2.2), without it token 3.
        float[] logits = [0f, 0f, 2f, 2.2f];
        var settings = new SamplingSettings { NoRepeatNgramSize = 2, Temperature = 0, PenalizePrompt = false };
        int Next(SamplingSettings s)
        {
            using var sampler = new TokenSampler(s, [0], [[1, 2]]);
            foreach (var t in new[] { 1, 2, 0, 1 }) sampler.Accept(t);
            return sampler.Sample(logits);
        }
        Assert.Equal(3, Next(settings));
        Assert.Equal(2, Next(settings with { SceneWordBias = 0.5f }));
    }

    [Fact]
    public void Scene_word_bias_starts_the_scenes_next_unsaid_word()
    {
        // Token 3 leads by 1. The first token is the model's own; then a bias of 1.5 on the scene word [2] wins it the
        // step, and once said the word keeps only 0.3 of the bias.
        using var sampler = new TokenSampler(new SamplingSettings { Temperature = 0, SceneWordBias = 1.5f }, [], [[2]]);
        float[] logits = [0f, 0f, 1f, 2f];
        Assert.Equal(3, sampler.Sample(logits));
        sampler.Accept(3);
        Assert.Equal(2, sampler.Sample(logits));   // 1 + 1.5 > 2
        sampler.Accept(2);
        Assert.Equal(3, sampler.Sample(logits));   // 1 + 0.45 < 2
    }

    [Fact]
    public void Penalties_and_ngram_bans_run_before_the_chain()
    {
        // Prompt 1 2 3 1 with no-repeat 2 bans token 2 (the favourite); repetition 2 halves token 1 and 3.
        var settings = new SamplingSettings { NoRepeatNgramSize = 2, RepetitionPenalty = 2f, Temperature = 0 };
        using var sampler = new TokenSampler(settings, [1, 2, 3, 1]);
        float[] logits = [1.2f, 2f, 5f, 2f];
        Assert.Equal(0, sampler.Sample(logits));
        var info = sampler.DescribeLastSample();
        Assert.Equal(3, info.CandidateCount);
        Assert.DoesNotContain(info.Alternatives, a => a.TokenId == 2);
        var z = MathF.Exp(1.2f) + 2 * MathF.Exp(1f);
        Assert.Equal(MathF.Exp(1.2f) / z, info.Probability, Tol);
        sampler.Accept(0);
        // History 1 2 3 1 0: token 0 now penalised too (1.2 / 2 = 0.6 < 1), ban lifted (no bigram starts with 0).
        Assert.Equal(2, sampler.Sample(logits));
    }

    [Fact]
    public void Xtc_with_probability_one_removes_the_top_choices_but_the_least_likely_of_them()
    {
        // Threshold 0.1: tokens 0, 1, 2 are above; 0 and 1 go, 2 and 3 remain: 0.15 / 0.2 and 0.05 / 0.2.
        var settings = new SamplingSettings { XtcProbability = 1f, XtcThreshold = 0.1f };
        AssertDistribution(FirstDraws(settings, Quarter), (2, 0.75f), (3, 0.25f));
        // Threshold 0.4: only token 0 is above it, nothing is removed.
        AssertDistribution(FirstDraws(settings with { XtcThreshold = 0.4f }, Quarter, 100), (0, 0.5f), (1, 0.3f), (2, 0.15f), (3, 0.05f));
    }

    [Fact]
    public void Xtc_with_a_partial_probability_acts_on_some_steps_only()
    {
        var draws = FirstDraws(new SamplingSettings { XtcProbability = 0.5f, XtcThreshold = 0.1f }, Quarter, 300);
        var acted = draws.Count(d => d.CandidateCount == 2);
        var skipped = draws.Count(d => d.CandidateCount == 4);
        Assert.Equal(draws.Count, acted + skipped);
        Assert.InRange(acted, 100, 200);
    }

    [Fact]
    public void Mirostat_v2_samples_from_the_set_and_updates_mu()
    {
        // Four nearly equal tokens (surprise ~2 bits each). tau 1.2 → mu starts at 2.4: every token is allowed.
        float[] logits = [0f, -0.01f, -0.02f, -0.03f];
        var first = new HashSet<int>();
        var third = new HashSet<int>();
        for (uint seed = 0; seed < 40; seed++)
        {
            using var sampler = new TokenSampler(new SamplingSettings { Mirostat = 2, MirostatTau = 1.2f, MirostatEta = 1f, Seed = seed }, []);
            // llama.cpp names a stage that cannot change anything (temperature 1) with a leading '?'.
            Assert.Equal(["?temp", "mirostat-v2"], sampler.ChainStages);
            var a = sampler.Sample(logits);
            Assert.InRange(a, 0, 3);
            Assert.Equal(4, sampler.DescribeLastSample().CandidateCount);
            first.Add(a);
            sampler.Accept(a);
            // mu = 2.4 - (~2 - 1.2) = ~1.6 < every surprise: only the most likely token is left, with p = 1.
            Assert.Equal(0, sampler.Sample(logits));
            var info = sampler.DescribeLastSample();
            Assert.Equal((1f, 1), (info.Probability, info.CandidateCount));
            sampler.Accept(0);
            // Surprise 0 → mu = 1.6 + 1.2 = 2.8: all four are back.
            third.Add(sampler.Sample(logits));
            Assert.Equal(4, sampler.DescribeLastSample().CandidateCount);
        }
        Assert.True(first.Count >= 3, string.Join(",", first));
        Assert.True(third.Count >= 3, string.Join(",", third));

        // With a small learning rate mu stays above 2 bits and the second step is unrestricted.
        using var slow = new TokenSampler(new SamplingSettings { Mirostat = 2, MirostatTau = 1.2f, MirostatEta = 0.1f }, []);
        slow.Accept(slow.Sample(logits));
        slow.Sample(logits);
        Assert.Equal(4, slow.DescribeLastSample().CandidateCount);
    }

    [Fact]
    public void Same_seed_gives_the_same_tokens_alone_or_interleaved_and_seeds_differ_on_a_flat_distribution()
    {
        var flat = new float[16];
        var settings = SamplingSettings.Creative with { NoRepeatNgramSize = 0, RepetitionPenalty = 1, TopP = 1 };

        List<int> Run(uint seed)
        {
            using var s = new TokenSampler(settings with { Seed = seed }, [1, 2]);
            var tokens = new List<int>();
            for (var i = 0; i < 60; i++)
            {
                var t = s.Sample(flat);
                s.Accept(t);
                tokens.Add(t);
            }
            return tokens;
        }

        var a = Run(7);
        Assert.Equal(a, Run(7));
        var b = Run(8);
        Assert.NotEqual(a, b);
        Assert.True(a.Distinct().Count() > 8);

        using var sa = new TokenSampler(settings with { Seed = 7 }, [1, 2]);
        using var sb = new TokenSampler(settings with { Seed = 8 }, [1, 2]);
        var ia = new List<int>();
        var ib = new List<int>();
        for (var i = 0; i < 60; i++)
        {
            var ta = sa.Sample(flat);
            var tb = sb.Sample(flat);
            sb.Accept(tb);
            sa.Accept(ta);
            ia.Add(ta);
            ib.Add(tb);
        }
        Assert.Equal(a, ia);
        Assert.Equal(b, ib);
    }

    [Fact]
    public void Reported_alternatives_are_sorted_and_sum_with_the_choice_to_at_most_one()
    {
        var rng = new Random(99);
        var logits = Enumerable.Range(0, 1000).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray();
        foreach (var settings in new[] { SamplingSettings.Creative, SamplingSettings.SeedModel, SamplingSettings.Greedy, new SamplingSettings(), new SamplingSettings { MinP = 0.05f, XtcProbability = 0.5f } })
        {
            using var sampler = new TokenSampler(settings, [3, 4, 5]);
            for (var step = 0; step < 20; step++)
            {
                var token = sampler.Sample(logits);
                var info = sampler.DescribeLastSample(8);
                Assert.Equal(token, info.TokenId);
                Assert.InRange(info.Probability, 1e-9f, 1f);
                Assert.Equal(Math.Min(8, info.CandidateCount - 1), info.Alternatives.Count);
                Assert.DoesNotContain(info.Alternatives, x => x.TokenId == token);
                for (var i = 1; i < info.Alternatives.Count; i++)
                    Assert.True(info.Alternatives[i - 1].Probability >= info.Alternatives[i].Probability);
                Assert.True(info.Probability + info.Alternatives.Sum(x => x.Probability) <= 1 + 1e-5f);
                sampler.Accept(token);
            }
        }
    }

    [Fact]
    public void Chain_holds_only_the_stages_that_are_switched_on()
    {
        using var creative = new TokenSampler(SamplingSettings.Creative, []);
        Assert.Equal(["top-k", "top-p", "temp", "dist"], creative.ChainStages);
        using var all = new TokenSampler(new SamplingSettings { TopK = 5, TypicalP = 0.9f, TopP = 0.9f, MinP = 0.1f, XtcProbability = 0.1f, Temperature = 0.7f }, []);
        Assert.Equal(["top-k", "typical", "top-p", "min-p", "xtc", "temp", "dist"], all.ChainStages);
        // Temperature 1 is still added, and llama.cpp marks it as a no-op stage.
        using var plain = new TokenSampler(new SamplingSettings(), []);
        Assert.Equal(["?temp", "dist"], plain.ChainStages);
        using var mirostat = new TokenSampler(new SamplingSettings { Mirostat = 2, Temperature = 0.5f, TopK = 5 }, []);
        Assert.Equal(["temp", "mirostat-v2"], mirostat.ChainStages);
    }

    [Fact]
    public void Misuse_is_reported()
    {
        using var sampler = new TokenSampler(new SamplingSettings { NoRepeatNgramSize = 1 }, [0]);
        Assert.Throws<InvalidOperationException>(() => sampler.DescribeLastSample());
        Assert.Throws<ArgumentException>(() => sampler.Sample([]));
        Assert.Throws<ArgumentException>(() => sampler.Sample([0f, float.NaN]));
        Assert.Equal(1, sampler.Sample([5f, 0f]));
        Assert.Throws<InvalidOperationException>(() => sampler.Sample([5f, 0f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Accept(2));
        sampler.Accept(1);
        Assert.Throws<ArgumentException>(() => sampler.Sample([0f, 0f, 0f]));
        // Both tokens seen with no-repeat 1: nothing is left.
        Assert.Throws<InvalidOperationException>(() => sampler.Sample([0f, 0f]));
        Assert.Throws<NarrationRejectedException>(() => new TokenSampler(new SamplingSettings { TopP = 0 }, []));

        using var small = new TokenSampler(new SamplingSettings(), [7]);
        Assert.Throws<ArgumentException>(() => small.Sample([0f, 0f]));

        sampler.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sampler.Sample([0f, 0f]));
    }

    [Fact]
    public void Masked_tokens_are_never_sampled()
    {
        float[] logits = [float.NegativeInfinity, 0f, float.NegativeInfinity, 0f];
        var draws = FirstDraws(new SamplingSettings { TypicalP = 0.9f }, logits, 50);
        AssertDistribution(draws, (1, 0.5f), (3, 0.5f));
    }

    [Fact]
    public void Whole_sentences_ban_the_end_of_text_until_a_sentence_has_ended()
    {
        // Token 0 is the end of text and leads every step; 1 is a word, 2 a full stop, 3 blank.
        TokenEnd End(int id) => id switch { 2 => TokenEnd.Sentence, 3 or 0 => TokenEnd.Blank, _ => TokenEnd.Other };
        var settings = new SamplingSettings { Temperature = 0, WholeSentences = true };
        float[] logits = [5f, 2f, 1f, 0f];
        using var sampler = new TokenSampler(settings, [], tokenEnd: End, endOfText: 0);
        Assert.Equal(1, sampler.Sample(logits));   // nothing written yet: no sentence has ended
        sampler.Accept(1);
        Assert.Equal(1, sampler.Sample(logits));   // mid-sentence
        sampler.Accept(2);
        Assert.Equal(0, sampler.Sample(logits));   // after the full stop it may end
        sampler.Accept(3);
        Assert.Equal(0, sampler.Sample(logits));   // white space changes nothing
        sampler.Accept(1);
        Assert.Equal(1, sampler.Sample(logits));   // a new sentence has begun

        using var off = new TokenSampler(settings with { WholeSentences = false }, [], tokenEnd: End, endOfText: 0);
        Assert.Equal(0, off.Sample(logits));
    }

    [Fact]
    public void The_wrap_up_window_pulls_toward_a_full_stop_then_the_end()
    {
        // Token 0 ends the text, 1 is a word (leads by 3), 2 a full stop. Limit 6, window 4: the pull grows 2.5, 5, 7.5,
        // 10 over the last four steps. At 2.5 the word still wins; at 5 the full stop does; then 7.5 goes to the end.
        TokenEnd End(int id) => id == 2 ? TokenEnd.Sentence : id == 0 ? TokenEnd.Blank : TokenEnd.Other;
        var settings = new SamplingSettings { Temperature = 0, MaxNewTokens = 6, WrapUpTokens = 4 };
        float[] logits = [0f, 4f, 1f];
        using var sampler = new TokenSampler(settings, [], tokenEnd: End, endOfText: 0, fullStop: 2);
        int Step()
        {
            var t = sampler.Sample(logits);
            sampler.Accept(t);
            return t;
        }
        Assert.Equal([1, 1, 1, 2, 0], Enumerable.Range(0, 5).Select(_ => Step()));

        using var off = new TokenSampler(settings with { WrapUpTokens = 0 }, [], tokenEnd: End, endOfText: 0, fullStop: 2);
        Assert.All(Enumerable.Range(0, 6), _ => { Assert.Equal(1, off.Sample(logits)); off.Accept(1); });
    }

    [Fact]
    public void Whole_sentences_open_with_a_capital_letter_or_a_digit()
    {
        // Texts: 0 "y" (carries on the prompt's "storm"), 1 " is" (carries on its sentence), 2 " " (blank), 3 " The".
        string[] texts = ["y", " is", " ", " The"];
        TokenEnd End(int id) => id == 2 ? TokenEnd.Blank : TokenEnd.Other;
        bool Opens(int id) => VisualNarrator.Engine.Generation.SceneWords.OpensSentence(texts[id]);
        var settings = new SamplingSettings { Temperature = 0, WholeSentences = true };
        float[] logits = [5f, 4f, 3f, 1f];
        using var sampler = new TokenSampler(settings, [], tokenEnd: End, opensSentence: Opens);
        Assert.Equal(2, sampler.Sample(logits));   // blank is allowed and decides nothing
        sampler.Accept(2);
        Assert.Equal(3, sampler.Sample([5f, 4f, 0f, 1f]));   // " The" opens the sentence
        sampler.Accept(3);
        Assert.Equal(0, sampler.Sample(logits));   // from then on any token

        using var off = new TokenSampler(settings with { WholeSentences = false }, [], tokenEnd: End, opensSentence: Opens);
        Assert.Equal(0, off.Sample(logits));
    }

    [Fact]
    public void The_scene_word_bias_starts_no_word_where_the_sampler_sees_a_sentence_start()
    {
        // Token 8 ends a sentence, 9 is blank, everything else is a word. Scene word [5 6], bias 2: token 5 (logit -1)
        // wins only where the bias starts a word; token 6 (logit -1) only as the continuation.
        TokenEnd End(int id) => id switch { 8 => TokenEnd.Sentence, 9 => TokenEnd.Blank, _ => TokenEnd.Other };
        using var sampler = new TokenSampler(new SamplingSettings { Temperature = 0, SceneWordBias = 2 }, [], [[5, 6]], End);
        float[] logits = [0f, 0f, 0f, 0f, 0f, -1f, -1f, 0f, 0f, 0f];
        int After(int token)
        {
            sampler.Accept(token);
            return sampler.Sample(logits);
        }
        Assert.Equal(0, sampler.Sample(logits));   // the narration's start
        Assert.Equal(0, After(9));                 // blank: still the narration's start
        Assert.Equal(5, After(0));                 // mid-sentence: the word is started
        Assert.Equal(0, After(8));                 // a full stop: the next sentence is the model's
        Assert.Equal(0, After(9));                 // blank after it: still a sentence start
        Assert.Equal(6, After(5));                 // the model began the word anyway: finish it
    }
}
