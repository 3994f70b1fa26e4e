using VisualNarrator.Engine.Generation;
using VisualNarrator.Evaluation;

namespace VisualNarrator.Evaluation.Tests;

public sealed class SceneGroundingTests
{
    [Theory]
    [InlineData("dogs", "dog")]
    [InlineData("puppies", "puppi")]
    [InlineData("puppy", "puppi")]
    [InlineData("running", "run")]
    [InlineData("runs", "run")]
    [InlineData("falling", "fall")]
    [InlineData("kissed", "kiss")]
    [InlineData("glasses", "glass")]
    [InlineData("glass", "glass")]
    [InlineData("boxes", "box")]
    [InlineData("benches", "bench")]
    [InlineData("buses", "bus")]
    [InlineData("making", "mak")]
    [InlineData("make", "mak")]
    [InlineData("movies", "movi")]
    [InlineData("movie", "movi")]
    [InlineData("toys", "toy")]
    [InlineData("red", "red")]
    [InlineData("sing", "sing")]
    [InlineData("3am", "3am")]
    public void Stemmer_MapsInflectionsToOneKey(string word, string stem) => Assert.Equal(stem, LightStemmer.Stem(word));

    [Fact]
    public void ContentStems_DropStopWordsAndTemplateWords()
    {
        Assert.Equal(new HashSet<string> { "robot", "repair", "violin" }, SceneGrounding.ContentStems("a robot repairing a violin").ToHashSet());
        var stems = SceneGrounding.ContentStems("Describe this image: an empty parking garage at 3am");
        Assert.Equal(new HashSet<string> { "empti", "park", "garag", "3am" }, stems.ToHashSet());
    }

    [Fact]
    public void SceneRecall_HandComputed()
    {
        // robot, repair, violin: the narration has "robot" and "violins" (stem violin), not "repairing".
        Assert.Equal(2.0 / 3, SceneGrounding.SceneRecall("a robot repairing a violin", "A small robot sits among violins.")!.Value, 12);
        Assert.Equal(1.0, SceneGrounding.SceneRecall("a golden retriever catching a frisbee", "A golden retriever catches a red frisbee.")!.Value, 12);
        // The off-topic narration: none of snowy, village, night.
        Assert.Equal(0.0, SceneGrounding.SceneRecall("a snowy village at night", "A small home office under the midday sun.")!.Value, 12);
        Assert.Null(SceneGrounding.SceneRecall("this is a", "Anything."));
    }

    [Fact]
    public void NonWords_CountWordsNotInTheListUnlessTheSceneHasThem()
    {
        // "golden retri duck": "retri" is no word; "zuridor" is the user's own word and counts as one.
        Assert.Equal((1, 4), SceneGrounding.NonWords("A golden retri duck.", "a golden retriever"));
        Assert.Equal((0, 5), SceneGrounding.NonWords("The zuridor's tail can't move.", "a zuridor"));
        Assert.Equal((1, 5), SceneGrounding.NonWords("The zuridor's tail can't move.", null));
        Assert.Equal((0, 0), SceneGrounding.NonWords("12, 34.", null));
    }

    [Theory]
    [InlineData("A low shot shows a ship.", true)]
    [InlineData("  \"The ship sails.\"", true)]
    [InlineData("3 boats float.", true)]
    [InlineData("bles Looking at this picture, a ship.", false)]
    [InlineData("Bles looking at this picture.", false)]
    [InlineData("a ship sails.", false)]
    [InlineData("", false)]
    [InlineData("...", false)]
    public void WellFormedStart(string narration, bool expected) =>
        Assert.Equal(expected, SceneGrounding.IsWellFormedStart(narration, "a ship at sea"));

    [Theory]
    [InlineData("A ship sails. The sea is calm.", true)]
    [InlineData("A ship sails. Is the sea calm?\"", true)]
    [InlineData("A ship sails at 3.5 knots. The sea is calm", false)]
    [InlineData("A ship sails at 3.5 knots.", false)]
    [InlineData("A ship sails. The sea is calm and the", false)]
    [InlineData("", false)]
    public void CompleteParagraph(string narration, bool expected) =>
        Assert.Equal(expected, SceneGrounding.IsCompleteParagraph(narration));

    [Fact]
    public void WellFormedStart_AcceptsTheScenesOwnWord() =>
        Assert.True(SceneGrounding.IsWellFormedStart("Zuridors graze here.", "two zuridors"));

    [Fact]
    public void SeedSuccess_RequiresSceneRecall()
    {
        // Both narrations pass the seed's checks (coherent, clean); the second is about another scene.
        NarrationSample[] samples =
        [
            new("A red barn stands in a field. Hay lies in front.", "Nature", "a red barn"),
            new("A young street musician plays. People listen.", "Nature", "a red barn"),
        ];
        var s = NarrationMetrics.Score(samples);
        Assert.Equal(1.0, s.SeedLiteralSuccessRate, 12);
        Assert.Equal(0.5, s.SeedSuccessRate, 12);
        Assert.Equal(0.5, s.SceneRecall!.Value, 12);   // (2/2 + 0/2) / 2
        Assert.Equal(0.0, s.NonWordRate, 12);
        Assert.Equal(1.0, s.WellFormedStartRate, 12);
    }

    [Fact]
    public void WithoutScenes_RecallIsNullAndSuccessIsTheSeeds()
    {
        var s = NarrationMetrics.Score([new NarrationSample("A calm lake. Birds fly.", "Nature")]);
        Assert.Null(s.SceneRecall);
        Assert.Equal(s.SeedLiteralSuccessRate, s.SeedSuccessRate);
    }

    [Fact]
    public void DefaultWordList_HoldsAmericanAndBritishSpellings()
    {
        Assert.InRange(WordList.American.Count, 100_000, 105_000);
        Assert.Equal(WordList.American.Count + 1_856, WordList.Default.Count);
        Assert.True(WordList.Default.Contains("retriever"));
        Assert.True(WordList.Default.Contains("can't"));
        Assert.False(WordList.Default.Contains("retri"));
        Assert.True(WordList.Default.Contains("colours"));
        Assert.True(WordList.Default.Contains("centre"));
        Assert.False(WordList.American.Contains("colours"));
    }

    [Fact]
    public void BritishSpellings_AreNotNonWords()
    {
        // The training narrations spell "colours" and "centre"; the American list alone counted them as non-words.
        Assert.Equal((0, 9), SceneGrounding.NonWords("The colours meet at the centre of the frame.", null));
        Assert.Equal((2, 9), SceneGrounding.NonWords("The colours meet at the centre of the frame.", null, WordList.American));
    }
}
