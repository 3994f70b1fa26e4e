using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Tests.Sampling;

public class WordGuardTests
{
    // A small vocabulary in the shape of GPT-2's byte-level BPE: a leading space starts a word, no space glues on.
    private static readonly string[] Texts =
        ["", " pia", "zza", ".", " flake", "ent", "s", " The", " 3", "am", "'s", " Flake", ", ", "\u2019s", " colours", " xq"];

    private const int End = 0, Pia = 1, Zza = 2, Stop = 3, SpaceFlake = 4, Ent = 5, S = 6, The = 7, Three = 8, Am = 9,
        ApostropheS = 10, CapitalFlake = 11, Comma = 12, CurlyS = 13, Colours = 14, Xq = 15;

    private static WordGuard Guard(string prompt, params int[] said)
    {
        var guard = new WordGuard(WordList.Default, prompt, id => Texts[id]);
        foreach (var t in said) guard.Append(t);
        return guard;
    }

    [Fact]
    public void A_prompt_word_started_must_be_finished_before_the_word_ends()
    {
        var guard = Guard("a tulip behind a piazza", The, Pia);
        Assert.Equal("pia", guard.Tail);
        Assert.False(guard.Allows(Stop));    // "pia." leaves a piece of a word
        Assert.False(guard.Allows(End));     // so does ending the narration there
        Assert.False(guard.Allows(Comma));
        Assert.True(guard.Allows(Zza));      // "piazza" is the prompt's word
        guard.Append(Zza);
        Assert.True(guard.Allows(Stop));
        Assert.True(guard.Allows(End));
    }

    [Fact]
    public void Letters_glued_onto_a_finished_word_must_still_start_a_word()
    {
        var guard = Guard("a flake disentangling a sloop", SpaceFlake);
        Assert.False(guard.Allows(Ent));     // "flakeent": no word starts so
        Assert.True(guard.Allows(S));        // "flakes" is a word
        Assert.True(guard.Allows(Stop));
        Assert.True(guard.Allows(ApostropheS));
        Assert.True(guard.Allows(CurlyS));   // a typographic apostrophe reads as one
    }

    [Fact]
    public void Words_are_checked_case_blind_against_american_and_british_spellings_and_the_prompt()
    {
        var guard = Guard("a dog", The);
        Assert.True(guard.Allows(CapitalFlake));   // "Flake" is "flake"
        Assert.True(guard.Allows(Colours));        // British spelling
        Assert.False(guard.Allows(Xq));            // nothing starts with "xq"
        Assert.True(Guard("an xq on a rock").Allows(Xq)); // unless the user wrote it
    }

    [Fact]
    public void Words_with_digits_and_the_start_of_the_narration_are_left_alone()
    {
        var guard = Guard("a dog");
        Assert.Equal("", guard.Tail);
        Assert.True(guard.Allows(End));
        guard.Append(Three);
        Assert.True(guard.Allows(Am));   // "3am": a time, not a word to check
        guard.Append(Am);
        Assert.True(guard.Allows(Stop));
        guard.Append(Stop);
        Assert.Equal("", guard.Tail);
    }

    [Fact]
    public void The_sampler_draws_again_when_the_guard_turns_a_token_down()
    {
        // Greedy: "ent" leads, but "flakeent" is no word, so the guard's next choice "s" (the runner-up) is drawn.
        var settings = new SamplingSettings { Temperature = 0, WordGuard = true };
        float[] logits = new float[Texts.Length];
        logits[Ent] = 5f;
        logits[S] = 4f;
        logits[Stop] = 3f;
        using (var sampler = new TokenSampler(settings, [], wordGuard: Guard("a flake disentangling a sloop")))
        {
            sampler.Accept(SpaceFlake);
            Assert.Equal(S, sampler.Sample(logits));
            Assert.DoesNotContain(sampler.DescribeLastSample().Alternatives, a => a.TokenId == Ent);
        }

        // The guard only acts when the setting is on.
        using var off = new TokenSampler(settings with { WordGuard = false }, [], wordGuard: Guard("a flake disentangling a sloop"));
        off.Accept(SpaceFlake);
        Assert.Equal(Ent, off.Sample(logits));
    }

    [Fact]
    public void When_every_candidate_breaks_a_word_the_first_draw_stands()
    {
        // Only "ent" and "zza" are possible after " flake": neither makes a word, and a step must still give a token.
        var settings = new SamplingSettings { Temperature = 0, WordGuard = true };
        var logits = Enumerable.Repeat(float.NegativeInfinity, Texts.Length).ToArray();
        logits[Ent] = 2f;
        logits[Zza] = 1f;
        using var sampler = new TokenSampler(settings, [], wordGuard: Guard("a flake"));
        sampler.Accept(SpaceFlake);
        Assert.Equal(Ent, sampler.Sample(logits));
    }
}
