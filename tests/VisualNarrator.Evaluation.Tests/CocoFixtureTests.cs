using System.Text.Json;
using VisualNarrator.Evaluation;
using VisualNarrator.Testing;

namespace VisualNarrator.Evaluation.Tests;

/// <summary>The coco-caption demo corpus: our scores must equal the reference scorers' to 1e-9.</summary>
public sealed class CocoFixtureTests
{
    private const double Tolerance = 1e-9;

    internal static (IReadOnlyList<CaptionItem> Items, JsonElement Expected) Load()
    {
        var dir = RepoPaths.Fixture("coco-caption");
        var refsPath = Path.Combine(dir, "references_tokenized.json");
        var resPath = Path.Combine(dir, "results_tokenized.json");
        var items = CaptionFiles.Join(refsPath, CaptionFiles.ReadReferences(refsPath), resPath, CaptionFiles.ReadResults(resPath), Pretokenized.Split);
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json"))).RootElement;
        return (items, expected);
    }

    [Fact]
    public void CorpusScores_MatchCocoCaption()
    {
        var (items, expected) = Load();
        Assert.Equal(1000, items.Count);
        var scores = CocoScorer.Score(items);
        var corpus = expected.GetProperty("corpus");
        foreach (var (name, value) in scores.Named)
        {
            Assert.True(Math.Abs(corpus.GetProperty(name).GetDouble() - value) <= Tolerance,
                $"{name}: expected {corpus.GetProperty(name).GetDouble():R}, got {value:R}");
        }
        Assert.Equal(corpus.EnumerateObject().Count(), scores.Named.Count);
    }

    [Fact]
    public void BleuTotals_MatchCocoCaption()
    {
        var (items, expected) = Load();
        var bleu = Bleu.Compute(items);
        var totals = expected.GetProperty("bleu_totals");
        Assert.Equal(totals.GetProperty("reflen").GetInt64(), bleu.ReferenceLength);
        Assert.Equal(totals.GetProperty("testlen").GetInt64(), bleu.TestLength);
        Assert.Equal(totals.GetProperty("guess").EnumerateArray().Select(e => e.GetInt64()), bleu.Guess);
        Assert.Equal(totals.GetProperty("correct").EnumerateArray().Select(e => e.GetInt64()), bleu.Correct);
    }

    [Fact]
    public void PerImageScores_MatchCocoCaption()
    {
        var (items, expected) = Load();
        var scores = CocoScorer.Score(items);
        var perImage = expected.GetProperty("per_image").EnumerateObject().ToList();
        Assert.NotEmpty(perImage);
        foreach (var image in perImage)
        {
            var mine = scores.PerItem[image.Name];
            Assert.True(Math.Abs(image.Value.GetProperty("CIDEr").GetDouble() - mine.Cider) <= Tolerance, $"CIDEr {image.Name}: {mine.Cider:R}");
            Assert.True(Math.Abs(image.Value.GetProperty("ROUGE_L").GetDouble() - mine.RougeL) <= Tolerance, $"ROUGE_L {image.Name}: {mine.RougeL:R}");
        }
    }

    [Fact]
    public void CorpusMeans_AreMeansOfPerItemScores()
    {
        var (items, _) = Load();
        var scores = CocoScorer.Score(items);
        Assert.Equal(scores.Cider, scores.PerItem.Values.Average(s => s.Cider), 12);
        Assert.Equal(scores.RougeL, scores.PerItem.Values.Average(s => s.RougeL), 12);
    }
}
