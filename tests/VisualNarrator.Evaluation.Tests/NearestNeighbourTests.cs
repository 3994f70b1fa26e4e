using VisualNarrator.Evaluation.Runs;
using VisualNarrator.Evaluation.Sets;

namespace VisualNarrator.Evaluation.Tests;

/// <summary>The retrieval baseline's definition: TF-IDF cosine over scene words, ties to the earliest training line.</summary>
public sealed class NearestNeighbourTests
{
    private static EvalItem Item(int line, string scene, string text = "") =>
        new(line, $"i{line}", "t", scene, "Describe this image: " + scene, text.Length > 0 ? [text] : [], []);

    [Fact]
    public void PicksTheMostSimilarScene_RareWordsWeighMore()
    {
        var train = new[]
        {
            Item(1, "a busy city street at night", "street at night"),
            Item(2, "a quiet forest at dawn", "forest at dawn"),
            Item(3, "a busy harbour with boats", "harbour"),
        };
        // "harbour" and "boats" occur in one training scene, "busy" in two: the harbour wins over the street.
        var run = NearestNeighbour.Run(train, [Item(10, "a small harbour with fishing boats at night")]);
        Assert.Equal("harbour", run.Outputs[0].Text);
        Assert.Equal("a busy harbour with boats", run.Outputs[0].Neighbour);
    }

    [Fact]
    public void CosineIsHandComputed_AndTiesGoToTheEarliestLine()
    {
        // N = 2 distinct scenes; idf(w) = ln(3 / (1 + df)) + 1. "red" df 2 -> ln(1) + 1 = 1; "cat" df 1, "dog" df 1 -> ln(1.5) + 1.
        var train = new[] { Item(1, "red cat", "first"), Item(2, "red dog", "second"), Item(3, "red cat", "third") };
        var run = NearestNeighbour.Run(train, [Item(10, "red")]);
        Assert.Equal("first", run.Outputs[0].Text); // both scenes score the same; line 1 comes first
        double idf = Math.Log(1.5) + 1;
        Assert.Equal(1 / Math.Sqrt(1 + idf * idf), run.Outputs[0].Similarity!.Value, 12);
        Assert.Equal("second", NearestNeighbour.Run(train, [Item(11, "a dog")]).Outputs[0].Text);
    }

    [Theory]
    [InlineData("Describe this image: a busy city street", "a busy city street")]
    [InlineData("This image shows a family gathering in a living room", "a family gathering in a living room")]
    [InlineData("This picture shows a subway station with commuters", "a subway station with commuters")]
    [InlineData("a red bus", "a red bus")]
    public void SceneOf_StripsTheTemplate(string prompt, string scene) => Assert.Equal(scene, EvalSets.SceneOf(prompt));
}
