using VisualNarrator.Evaluation;
using static VisualNarrator.Evaluation.Tests.Corpus;

namespace VisualNarrator.Evaluation.Tests;

public sealed class BleuTests
{
    private static void Near(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void ShortCandidate_BrevityPenaltyAndTinySmallConstants()
    {
        // 2 candidate words against a 5-word reference: ratio = 2/5, BP = exp(1 - 5/2).
        var r = Bleu.Compute(Of(Item("1", "the cat", "the cat sat on mat")));
        Assert.Equal([2L, 1L, 0L, 0L], r.Guess);
        Assert.Equal([2L, 1L, 0L, 0L], r.Correct);
        Assert.Equal(2, r.TestLength);
        Assert.Equal(5, r.ReferenceLength);
        double ratio = (2 + 1e-15) / (5 + 1e-9);
        double bp = Math.Exp(1 - 1 / ratio);
        Assert.Equal(Math.Exp(-1.5), bp, 9);
        double p1 = (2 + 1e-15) / (2 + 1e-9), p2 = (1 + 1e-15) / (1 + 1e-9), p0 = 1e-15 / 1e-9;
        Near(p1 * bp, r.Scores[0]);
        Near(Math.Sqrt(p1 * p2) * bp, r.Scores[1]);
        // No 3-grams at all: the factor is tiny/small = 1e-6, not 0, so BLEU-3 = (1e-6)^(1/3) * BP = 0.01 * BP.
        Near(Math.Pow(p1 * p2 * p0, 1.0 / 3) * bp, r.Scores[2]);
        Assert.Equal(0.01 * Math.Exp(-1.5), r.Scores[2], 9);
        Assert.Equal(0.001 * Math.Exp(-1.5), r.Scores[3], 9);
    }

    [Fact]
    public void LongerCandidate_NoBrevityPenalty()
    {
        var r = Bleu.Compute(Of(Item("1", "a b c d e", "a b c")));
        // 3 of 5 unigrams, 2 of 4 bigrams, 1 of 3 trigrams, 0 of 2 4-grams.
        Assert.Equal([3L, 2L, 1L, 0L], r.Correct);
        static double P(long c, long g) => (c + 1e-15) / (g + 1e-9);
        Near(P(3, 5), r.Scores[0]);
        Near(Math.Sqrt(P(3, 5) * P(2, 4)), r.Scores[1]);
        Near(Math.Pow(P(3, 5) * P(2, 4) * P(1, 3), 1.0 / 3), r.Scores[2]);
        Assert.Equal(0.6, r.Scores[0], 9);
    }

    [Fact]
    public void Counts_AreClippedByTheMaxCountInAnySingleReference()
    {
        // "the" occurs 4 times; one reference has it twice, the other once: clip at 2, not 3.
        var r = Bleu.Compute(Of(Item("1", "the the the the", "the the cat", "the dog")));
        Assert.Equal(2, r.Correct[0]);
        Assert.Equal(1, r.Correct[1]); // "the the" once in the first reference
        Assert.Equal(4, r.Guess[0]);
    }

    [Fact]
    public void ClosestReferenceLength_TiesGoToTheShorter()
    {
        Assert.Equal(3, Bleu.ClosestLength([5, 3], 4));
        Assert.Equal(5, Bleu.ClosestLength([9, 5, 2], 6));
        var r = Bleu.Compute(Of(Item("1", "a b c d", "a b c d e", "a b c")));
        Assert.Equal(3, r.ReferenceLength);
    }

    [Fact]
    public void CorpusLevel_SumsCountsBeforeTakingRatios()
    {
        var r = Bleu.Compute(Of(Item("1", "a b", "a b"), Item("2", "x y z w", "q r s t")));
        Assert.Equal(2 + 0, r.Correct[0]);
        Assert.Equal(2 + 4, r.Guess[0]);
        // Equal lengths (6 and 6) still give ratio = (6 + 1e-15) / (6 + 1e-9) < 1, so coco applies a (tiny) brevity penalty.
        double ratio = (6 + 1e-15) / (6 + 1e-9);
        Assert.True(ratio < 1);
        Near((2 + 1e-15) / (6 + 1e-9) * Math.Exp(1 - 1 / ratio), r.Scores[0]); // not the mean of 1 and 0
    }
}
