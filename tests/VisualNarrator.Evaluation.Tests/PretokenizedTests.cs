using VisualNarrator.Evaluation;

namespace VisualNarrator.Evaluation.Tests;

public sealed class PretokenizedTests
{
    [Fact]
    public void Split_OnSpacesOnly_KeepsCaseAndPunctuation()
    {
        Assert.Equal(["A", "Dog,", "runs."], Pretokenized.Split("A Dog, runs."));
        Assert.Equal(["a", "b"], Pretokenized.Split("  a  b "));
        Assert.Equal(["a\tb"], Pretokenized.Split("a\tb"));
        Assert.Empty(Pretokenized.Split(""));
    }
}
