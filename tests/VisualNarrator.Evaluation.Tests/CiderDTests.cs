using VisualNarrator.Evaluation;
using static VisualNarrator.Evaluation.Tests.Corpus;

namespace VisualNarrator.Evaluation.Tests;

public sealed class CiderDTests
{
    // Every test corpus has 2 items with disjoint vocabularies unless said otherwise, so idf = log 2 - log 1 for
    // every n-gram and cancels in the cosine.
    private static readonly CaptionItem Other = Item("other", "p q", "p q");

    [Fact]
    public void IdenticalCaption_OnlyUnigramsAndBigrams_Scores5()
    {
        // cosine 1 for n = 1, 2; no 3- or 4-grams, whose zero norms leave 0 (no NaN): 10 * (1 + 1 + 0 + 0) / 4.
        var r = CiderD.Compute(Of(Item("a", "x y", "x y"), Other));
        Assert.Equal(5.0, r.PerItem["a"], 12);
        Assert.Equal(5.0, r.Corpus, 12);
    }

    [Fact]
    public void CandidateCounts_AreClippedByReferenceCounts()
    {
        // unigram: cand x:2w, ref x:w, y:w. Clipped dot = min(2w, w) * w = w^2; norms 2w and sqrt(2) w:
        // cosine 1 / (2 sqrt 2) (without clipping it would be 1 / sqrt 2). Bigrams "x x" vs "x y": 0.
        var r = CiderD.Compute(Of(Item("a", "x x", "x y"), Other));
        Assert.Equal(10 * (1 / (2 * Math.Sqrt(2))) / 4, r.PerItem["a"], 12);
    }

    [Fact]
    public void LengthDifference_GaussianPenaltySigma6()
    {
        // unigram cosine 2 / sqrt 6, bigram cosine 1 / sqrt 2; lengths (bigram counts) 1 and 2: delta = -1,
        // penalty exp(-1 / 72).
        var r = CiderD.Compute(Of(Item("a", "x y", "x y z"), Other));
        double expected = 10 * (2 / Math.Sqrt(6) + 1 / Math.Sqrt(2)) / 4 * Math.Exp(-1.0 / 72);
        Assert.Equal(expected, r.PerItem["a"], 12);
    }

    [Fact]
    public void MultipleReferences_AreAveraged()
    {
        var r = CiderD.Compute(Of(Item("a", "x y", "x y", "z w"), Other));
        Assert.Equal(5.0 / 2, r.PerItem["a"], 12);
    }

    [Fact]
    public void NGramInEveryItemsReferences_HasZeroIdf()
    {
        // "a" is in both items' references: idf = log 2 - log 2 = 0. Item b's candidate "a" has a zero vector.
        var r = CiderD.Compute(Of(Item("a", "a x", "a x"), Item("b", "a", "a z")));
        Assert.Equal(5.0, r.PerItem["a"], 12);
        Assert.Equal(0.0, r.PerItem["b"]);
        Assert.Equal(2.5, r.Corpus, 12);
    }

    [Fact]
    public void IdfComesFromReferencesOnly_NotCandidates()
    {
        // "x" appears in the other item's candidate but not its references: df(x) stays 1.
        var withX = CiderD.Compute(Of(Item("a", "x y", "x y"), Item("b", "x", "p q")));
        Assert.Equal(5.0, withX.PerItem["a"], 12);
    }

    [Fact]
    public void EmptyCandidate_ScoresZeroNotNaN()
    {
        var r = CiderD.Compute(Of(Item("a", "", "x y"), Other));
        Assert.Equal(0.0, r.PerItem["a"]);
    }

    [Fact]
    public void DuplicateIdsOrMissingReferences_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => CiderD.Compute(Of(Item("a", "x", "x"), Item("a", "y", "y"))));
        Assert.Throws<ArgumentException>(() => CiderD.Compute(Of(Item("a", "x"))));
        Assert.Throws<ArgumentException>(() => CiderD.Compute([]));
    }
}
