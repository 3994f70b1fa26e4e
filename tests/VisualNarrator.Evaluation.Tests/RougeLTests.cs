using VisualNarrator.Evaluation;
using static VisualNarrator.Evaluation.Tests.Corpus;

namespace VisualNarrator.Evaluation.Tests;

public sealed class RougeLTests
{
    private static string[] T(string s) => Pretokenized.Split(s);

    [Fact]
    public void Lcs_IsTheLongestCommonSubsequence()
    {
        Assert.Equal(3, RougeL.LcsLength(T("a b c d e"), T("a c e x")));
        Assert.Equal(0, RougeL.LcsLength(T("a b"), T("c d")));
        Assert.Equal(2, RougeL.LcsLength(T("b a b"), T("a b")));
        Assert.Equal(0, RougeL.LcsLength([], T("a")));
    }

    [Fact]
    public void Score_IsFWithBeta12()
    {
        // LCS 3: P = 3/4, R = 3/5, F = (1 + 1.44) P R / (R + 1.44 P) = 1.098 / 1.68.
        double f = RougeL.Score(T("a c e x"), [T("a b c d e")]);
        Assert.Equal(1.098 / 1.68, f, 12);
    }

    [Fact]
    public void PrecisionAndRecall_AreMaximizedSeparatelyOverReferences()
    {
        // "a b c d" gives P = 1, R = 1/2; "a" gives P = 1/2, R = 1; the maxima are 1 and 1.
        Assert.Equal(1.0, RougeL.Score(T("a b"), [T("a b c d"), T("a")]), 12);
    }

    [Fact]
    public void NoOverlapOrEmptyCandidate_ScoresZero()
    {
        Assert.Equal(0.0, RougeL.Score(T("x y"), [T("a b")]));
        Assert.Equal(0.0, RougeL.Score([], [T("a b")]));
    }

    [Fact]
    public void Corpus_IsMeanOfItems()
    {
        var r = RougeL.Compute(Of(Item("1", "a b", "a b"), Item("2", "x", "y")));
        Assert.Equal(1.0, r.PerItem["1"]);
        Assert.Equal(0.0, r.PerItem["2"]);
        Assert.Equal(0.5, r.Corpus);
    }
}
