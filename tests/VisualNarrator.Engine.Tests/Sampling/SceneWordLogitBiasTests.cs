using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Tests.Sampling;

public class SceneWordLogitBiasTests
{
    private static float[] Step(SceneWordLogitBias bias, bool atSentenceStart = false, int vocab = 10)
    {
        var logits = new float[vocab];
        bias.Apply(logits, atSentenceStart);
        return logits;
    }

    [Fact]
    public void The_next_unsaid_word_is_started_a_started_word_is_finished_and_said_words_keep_a_share()
    {
        // Scene words: [5 6] (two tokens) then [7]; bias 2, so a said word keeps 2 * 0.3 = 0.6.
        var bias = new SceneWordLogitBias(2f, [[5, 6], [7]]);
        Assert.Equal(new float[10], Step(bias, atSentenceStart: true)); // the narration's first token is its own
        bias.Append(0);
        Assert.Equal([0, 0, 0, 0, 0, 2, 0, 0, 0, 0], Step(bias));      // start the first word
        bias.Append(5);
        Assert.Equal([0, 0, 0, 0, 0, 0, 2, 0, 0, 0], Step(bias));      // only its second piece: nothing else starts mid-word
        bias.Append(6);
        Assert.Equal([0, 0, 0, 0, 0, 0.6f, 0, 2, 0, 0], Step(bias));   // next word; the said one keeps its share
        bias.Append(7);
        Assert.Equal([0, 0, 0, 0, 0, 0.6f, 0, 0.6f, 0, 0], Step(bias)); // all said: the share for each, no full pull
    }

    [Fact]
    public void No_word_is_started_where_a_sentence_starts_but_a_started_word_is_still_finished()
    {
        // Where sentences start is the sampler's to track (TokenSamplerTests); here it is given.
        var bias = new SceneWordLogitBias(2f, [[5, 6]]);
        bias.Append(9);
        Assert.Equal(new float[10], Step(bias, atSentenceStart: true));
        bias.Append(0);
        Assert.Equal(2, Step(bias)[5]);
        bias.Append(8);                                                  // a full stop: the next sentence is the model's
        Assert.Equal(new float[10], Step(bias, atSentenceStart: true));
        bias.Append(5);                                                  // the model began the word anyway: finish it
        Assert.Equal(2, Step(bias, atSentenceStart: true)[6]);
    }

    [Fact]
    public void A_skipped_word_is_taken_up_only_after_the_words_that_follow_it()
    {
        var bias = new SceneWordLogitBias(4f, [[1], [2], [3]]);
        bias.Append(2);                                                  // the narration skipped word 1
        Assert.Equal([0, 0, 1.2f, 4, 0, 0, 0, 0, 0, 0], Step(bias));
        bias.Append(3);
        Assert.Equal([0, 4, 1.2f, 1.2f, 0, 0, 0, 0, 0, 0], Step(bias)); // then back to the skipped one
    }

    [Fact]
    public void A_word_is_said_only_when_all_its_pieces_came_in_order()
    {
        var bias = new SceneWordLogitBias(1f, [[3, 4]]);
        bias.Append(3);
        bias.Append(9);                                                  // started, then wandered off
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 0, 0, 0], Step(bias));      // still unsaid: full pull on its start
        Assert.Equal(-1, bias.Continuation());
        bias.Append(3);
        Assert.Equal(4, bias.Continuation());
    }

    [Fact]
    public void The_longest_started_prefix_decides_the_continuation()
    {
        // " pre" alone starts both words; " pre cept" only the second.
        var bias = new SceneWordLogitBias(1f, [[1, 2], [1, 3, 4]]);
        bias.Append(1);
        Assert.Equal(2, bias.Continuation());
        bias.Append(3);
        Assert.Equal(4, bias.Continuation());
    }

    [Fact]
    public void Banned_tokens_stay_banned_ids_outside_the_row_are_skipped_and_bias_zero_changes_nothing()
    {
        var bias = new SceneWordLogitBias(3f, [[2], [12]]);
        var logits = new float[] { 0, 0, float.NegativeInfinity, 0 };
        bias.Apply(logits, atSentenceStart: false);
        Assert.Equal([0, 0, float.NegativeInfinity, 0], logits);

        var off = new SceneWordLogitBias(0f, [[1]]);
        Assert.False(off.IsActive);
        Assert.Equal(new float[10], Step(off));
        Assert.Equal(-1, off.Continuation());

        Assert.Throws<ArgumentException>(() => new SceneWordLogitBias(1f, [[]]));
        Assert.Throws<ArgumentException>(() => new SceneWordLogitBias(1f, [[1, -2]]));
    }
}
