using VisualNarrator.Evaluation;

namespace VisualNarrator.Evaluation.Tests;

public sealed class NarrationMetricsTests
{
    // s1: 10 words "a bright red bird sings a bright red bird sings": adjectives bright, red twice (4); 3 of 8 3-grams repeat.
    // s2: 3 words "a calm forest": 1 adjective; one 3-gram, no repeat.
    // s3: 8 words "busy city street 0001 at night cars pass": 1 adjective; 6 3-grams, no repeat.
    private static readonly NarrationSample[] Samples =
    [
        new("A bright red bird sings. A bright red bird sings.", "Nature"),
        new("A calm forest.", "Nature"),
        new("Busy city street 0001 at night. Cars pass.", "Urban"),
    ];

    [Fact]
    public void Overall_HandComputed()
    {
        var s = NarrationMetrics.Evaluate(Samples).Overall;
        Assert.Equal(3, s.Count);
        Assert.Equal(21.0 / 3, s.MeanLength, 12);
        Assert.Equal(15.0 / 21, s.Distinct1, 12);   // 5 + 2 + 8 distinct words
        Assert.Equal(14.0 / 18, s.Distinct2, 12);   // bigrams 9 (5 distinct) + 2 + 7
        Assert.Equal((3.0 / 8 + 0 + 0) / 3, s.Repeated3GramRate, 12);
        Assert.Equal(6.0 / 21, s.AdjectiveDensity, 12);
        Assert.Equal(1.0 / 3, s.AdjectiveCoverage, 12);
        Assert.Equal((1 + 14.0 / 18 + 1.0 / 3) / 3, s.ContentRichness, 12); // density 0.29 saturates at 0.10
        Assert.Equal(2.0 / 3, s.SeedCoherenceRate, 12);  // s2 is one sentence: its only '.' is stripped
        Assert.Equal(2.0 / 3, s.SeedRelevanceRate, 12);  // forest, city
        Assert.Equal(0.0, s.SeedArtifactRate);           // cleaning removed "0001" before the check
        Assert.Equal(1.0 / 3, s.RawArtifactRate, 12);
        Assert.Equal(2.0 / 3, s.SeedSuccessRate, 12);
    }

    [Fact]
    public void PerSceneType_UsesOnlyThatTypesSamples()
    {
        var report = NarrationMetrics.Evaluate(Samples);
        Assert.Equal(["Nature", "Urban"], report.BySceneType.Keys);
        var nature = report.BySceneType["Nature"];
        Assert.Equal(2, nature.Count);
        Assert.Equal(7.0 / 13, nature.Distinct1, 12);
        Assert.Equal(3.0 / 8 / 2, nature.Repeated3GramRate, 12);
        Assert.Equal(0.5, nature.SeedCoherenceRate, 12);
        var urban = report.BySceneType["Urban"];
        Assert.Equal(8, urban.MeanLength, 12);
        Assert.Equal(1.0, urban.RawArtifactRate);
        Assert.Equal(1.0 / 8, urban.AdjectiveDensity, 12);
        Assert.Equal((1 + 1 + 0) / 3.0, urban.ContentRichness, 12);
    }

    [Fact]
    public void Repeated3GramRate_Definition()
    {
        Assert.Null(NarrationMetrics.Repeated3GramRate(["a", "b"]));
        Assert.Equal(0.0, NarrationMetrics.Repeated3GramRate(["a", "b", "c"]));
        // a b a b a b: 3-grams aba bab aba bab -> the 3rd and 4th repeat earlier ones.
        Assert.Equal(0.5, NarrationMetrics.Repeated3GramRate(["a", "b", "a", "b", "a", "b"]));
        // a a a a a: three "a a a" -> 2 repeats of 3.
        Assert.Equal(2.0 / 3, NarrationMetrics.Repeated3GramRate(["a", "a", "a", "a", "a"])!.Value, 12);
    }

    [Fact]
    public void AdjectiveCoverage_CountsOccurrencesAgainstTheLexicon()
    {
        var lex = new AdjectiveLexicon(["red", "Big"]);
        var opts = new NarrationOptions(Adjectives: lex);
        Assert.Equal(1.0, NarrationMetrics.Score([new("red red car", "x")], opts).AdjectiveCoverage);
        Assert.Equal(1.0, NarrationMetrics.Score([new("a BIG red car", "x")], opts).AdjectiveCoverage);
        Assert.Equal(0.0, NarrationMetrics.Score([new("a red car", "x")], opts).AdjectiveCoverage);
    }

    [Fact]
    public void DefaultLexicon_IsEmbeddedAndCoversTheDocumentedCategories()
    {
        var lex = AdjectiveLexicon.Default;
        Assert.True(lex.Count >= 200, $"{lex.Count} words");
        foreach (var w in new[] { "crimson", "golden", "misty", "velvety", "towering", "serene", "weathered" }) Assert.True(lex.Contains(w), w);
        Assert.False(lex.Contains("dog"));
        Assert.False(lex.Contains("#"));
    }

    [Fact]
    public void EmptyDescription_CountsAsZeroWordsWithoutDividingByZero()
    {
        var s = NarrationMetrics.Score([new("", "x"), new("...", "x")]);
        Assert.Equal(0, s.MeanLength);
        Assert.Equal(0, s.Distinct1);
        Assert.Equal(0, s.Distinct2);
        Assert.Equal(0, s.Repeated3GramRate);
        Assert.Equal(0, s.ContentRichness);
        Assert.Throws<ArgumentException>(() => NarrationMetrics.Evaluate([]));
    }
}
