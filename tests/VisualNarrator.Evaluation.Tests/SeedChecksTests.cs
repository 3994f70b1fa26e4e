using VisualNarrator.Evaluation;

namespace VisualNarrator.Evaluation.Tests;

public sealed class SeedChecksTests
{
    [Theory]
    [InlineData("Hello guiActive world!!  ", "Hello world")]
    [InlineData("  a \n\t b  ", "a b")]
    [InlineData("The end...?!", "The end")]
    [InlineData("The end . . )", "The end")]
    [InlineData("strutConnector0001 sky\ufffd.", "sky")]
    [InlineData("Mid. sentence, kept. ", "Mid. sentence, kept")]
    [InlineData("!!!", "")]
    public void Clean_RemovesGlitchesCollapsesWhitespaceStripsTrailingPunctuation(string raw, string cleaned) =>
        Assert.Equal(cleaned, SeedChecks.Clean(raw));

    [Fact]
    public void Coherent_MoreThanTenCharactersAndAPeriodInside()
    {
        Assert.True(SeedChecks.IsCoherent("abc.defghij"));   // 11 characters
        Assert.False(SeedChecks.IsCoherent("abc.defghi"));   // 10 characters
        Assert.False(SeedChecks.IsCoherent("no period in this text"));
        // The literal procedure: a single sentence loses its final period to the cleaning.
        Assert.False(SeedChecks.IsCoherent(SeedChecks.Clean("A long single sentence about a sunset.")));
        Assert.True(SeedChecks.IsCoherent(SeedChecks.Clean("Two sentences. About a sunset.")));
    }

    [Fact]
    public void Relevant_CaseInsensitiveSubstringOfAnyKeyword()
    {
        Assert.True(SeedChecks.IsRelevant("Busy STREETS at dusk"));
        Assert.True(SeedChecks.IsRelevant("a Beach"));
        Assert.True(SeedChecks.IsRelevant("ethnicity")); // substring match: contains "city"
        Assert.False(SeedChecks.IsRelevant("a field of wildflowers"));
        Assert.True(SeedChecks.IsRelevant("wildflowers", ["flower"]));
    }

    [Fact]
    public void Artifacts_AndSuccessScore()
    {
        Assert.True(SeedChecks.HasArtifacts("x guiActive y"));
        Assert.True(SeedChecks.HasArtifacts("bad \ufffd char"));
        Assert.False(SeedChecks.HasArtifacts(SeedChecks.Clean("x guiActive y")));
        Assert.False(SeedChecks.HasArtifacts("guiactive")); // ordinal, case-sensitive
        Assert.Equal(1.0, SeedChecks.Success(coherent: true, artifacts: false));
        Assert.Equal(0.5, SeedChecks.Success(coherent: true, artifacts: true));
        Assert.Equal(0.0, SeedChecks.Success(coherent: false, artifacts: false));
    }
}
