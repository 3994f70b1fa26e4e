using System.Text.Json;
using System.Text.RegularExpressions;
using VisualNarrator.DatasetGen;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Evaluation;
using VisualNarrator.Testing;

namespace VisualNarrator.DatasetGen.Tests;

/// <summary>The rules the committed narration dataset (data/*.jsonl) must keep.</summary>
public sealed partial class DatasetInvariantTests
{
    private static readonly string[] SceneTypes = ["urban", "people", "nature", "indoor", "animals", "food", "transport", "sports-events"];

    [Fact]
    public void Lines_HaveExactlyTheDocumentedFields_AndUniqueIds()
    {
        foreach (var l in DatasetFiles.Train.Concat(DatasetFiles.Validation))
            Assert.Equal(["id", "scene_type", "scene", "prompt", "description"], l.Keys);
        foreach (var l in DatasetFiles.Test.Concat(DatasetFiles.TestBare))
            Assert.Equal(["id", "scene_type", "scene", "prompt", "references"], l.Keys);
        var ids = DatasetFiles.Train.Concat(DatasetFiles.Validation).Concat(DatasetFiles.Test).Concat(DatasetFiles.TestBare).Select(l => l.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Sizes_AsDocumented()
    {
        Assert.InRange(DatasetFiles.Train.Count, 3000, 6000);
        Assert.InRange(DatasetFiles.Validation.Count, 400, 600);
        Assert.True(DatasetFiles.Test.Count >= 150, $"{DatasetFiles.Test.Count} test scenes");
    }

    [Fact]
    public void Splits_AreDisjointAtTheSceneLevel()
    {
        var train = DatasetFiles.Train.Select(l => l.Scene).ToHashSet(StringComparer.Ordinal);
        var validation = DatasetFiles.Validation.Select(l => l.Scene).ToHashSet(StringComparer.Ordinal);
        var test = DatasetFiles.Test.Select(l => l.Scene).ToList();
        Assert.Equal(test.Count, test.Distinct().Count());
        Assert.DoesNotContain(test, train.Contains);
        Assert.DoesNotContain(test, validation.Contains);
        Assert.DoesNotContain(validation, train.Contains);
        var bare = DatasetFiles.TestBare.Select(l => l.Scene).ToList();
        Assert.Equal(bare.Count, bare.Distinct().Count());
        Assert.DoesNotContain(bare, train.Contains);
        Assert.DoesNotContain(bare, validation.Contains);
        Assert.DoesNotContain(bare, test.Contains);
    }

    [Fact]
    public void BareSubjectScenes_AreInTrainForEveryType_AndTestBareHoldsOnlyUnseenOnes()
    {
        // README's own example, "a busy city street", is a subject with nothing added; training must show the model
        // such prompts, or it invents a feature to go with them.
        var subjects = DatasetBuilder.SubjectPhrases.ToHashSet(StringComparer.Ordinal);
        var contexts = DatasetBuilder.ContextPhrases;
        bool IsBare(string scene) => subjects.Contains(scene)
            || contexts.Any(c => scene.EndsWith(" " + c, StringComparison.Ordinal) && subjects.Contains(scene[..^(c.Length + 1)]));
        var bareTrain = DatasetFiles.Train.Where(l => IsBare(l.Scene)).ToList();
        Assert.All(SceneTypes, t => Assert.True(bareTrain.Count(l => l.SceneType == t) >= 50, $"{t}: too few bare-subject train lines"));
        Assert.Contains(bareTrain, l => subjects.Contains(l.Scene));
        Assert.All(DatasetFiles.TestBare, l => Assert.True(IsBare(l.Scene), $"test-bare.jsonl:{l.Line}: '{l.Scene}' is not a bare subject"));
        Assert.True(DatasetFiles.TestBare.Count >= 40, $"{DatasetFiles.TestBare.Count} bare test scenes");
        Assert.DoesNotContain(DatasetFiles.Test.Concat(DatasetFiles.Validation), l => IsBare(l.Scene));
    }

    [Fact]
    public void Test_HoldsOutWholeSubjectFeatureCombinations()
    {
        // A test scene without its context phrase ("at dusk", "in a sunny park") is its (subject, feature) pair; no
        // train or validation scene may be that pair with any context, or the pair alone.
        var phrases = DatasetBuilder.ContextPhrases;
        string Pair(string scene) => phrases.FirstOrDefault(p => scene.EndsWith(" " + p, StringComparison.Ordinal)) is { } p
            ? scene[..^(p.Length + 1)] : scene;
        var seen = DatasetFiles.Train.Concat(DatasetFiles.Validation).Select(l => Pair(l.Scene)).ToHashSet(StringComparer.Ordinal);
        var leaked = DatasetFiles.Test.Where(l => seen.Contains(Pair(l.Scene))).Select(l => l.Scene).ToList();
        Assert.True(leaked.Count == 0, "test pairs seen in training: " + string.Join("; ", leaked.Take(5)));
    }

    [Fact]
    public void Test_EveryScene_HasAtLeastThreeDistinctReferences()
    {
        foreach (var l in DatasetFiles.Test.Concat(DatasetFiles.TestBare))
        {
            Assert.InRange(l.Texts.Count, 3, 5);
            Assert.Equal(l.Texts.Count, l.Texts.Distinct().Count());
            // Independently written: the references do not share their opening sentence.
            Assert.Equal(l.Texts.Count, l.Texts.Select(t => t.Split(". ")[0]).Distinct().Count());
        }
    }

    [Fact]
    public void EveryDescription_HasAtLeast25WordsAndAtMost60()
    {
        foreach (var (where, text, _) in DatasetFiles.AllDescriptions())
            Assert.True(PtbTokenizer.Tokenize(text).Length is >= 25 and <= 60, $"{where}: {PtbTokenizer.Tokenize(text).Length} words");
    }

    [Fact]
    public void EveryDescription_UsesLexiconAdjectives_AndASpatialRelation_InOneParagraph()
    {
        string[] spatial = ["to the left of", "to the right of", "behind", "in front of", "next to", "beside", "near ", "in the foreground",
            "in the background", "on the left", "on the right", "across from", "just beyond", "not far", "a few steps from", "at the centre",
            "in the middle distance", "further back", "closer to the camera", "along the left edge", "nearby", "close by"];
        foreach (var (where, text, _) in DatasetFiles.AllDescriptions())
        {
            Assert.True(PtbTokenizer.Tokenize(text).Count(AdjectiveLexicon.Default.Contains) >= 2, $"{where}: fewer than 2 lexicon adjectives");
            Assert.True(spatial.Any(text.ToLowerInvariant().Contains), $"{where}: no spatial relation");
            Assert.DoesNotContain('\n', text);
            Assert.True(text.Split(". ").Length >= 2, $"{where}: one sentence");
        }
        var samples = DatasetFiles.Train.Select(l => new NarrationSample(l.Texts[0], l.SceneType)).ToList();
        var overall = NarrationMetrics.Evaluate(samples).Overall;
        Assert.Equal(1.0, overall.AdjectiveCoverage);
        Assert.Equal(1.0, overall.SeedSuccessRate);
        Assert.InRange(overall.MeanLength, 30, 60);
    }

    [Fact]
    public void AllEightSceneTypes_InEverySplit()
    {
        Assert.Equal(SceneTypes, DatasetBuilder.SceneTypes);
        foreach (var split in new[] { DatasetFiles.Train, DatasetFiles.Validation, DatasetFiles.Test, DatasetFiles.TestBare })
            Assert.Equal(SceneTypes.Order(), split.Select(l => l.SceneType).Distinct().Order());
        Assert.True(DatasetFiles.Test.GroupBy(l => l.SceneType).All(g => g.Count() >= 15));
    }

    [Fact]
    public void Prompts_AreTheSeedTemplatesAppliedToTheScene_AllFourUsed()
    {
        Assert.Equal(PromptTemplates.ByName.Values, DatasetBuilder.Templates);
        foreach (var split in new[] { DatasetFiles.Train, DatasetFiles.Validation, DatasetFiles.Test, DatasetFiles.TestBare })
        {
            var used = new HashSet<string>();
            foreach (var l in split)
            {
                var template = DatasetBuilder.Templates.Single(t => PromptTemplates.Apply(t, l.Scene) == l.Prompt);
                used.Add(template);
            }
            Assert.Equal(4, used.Count);
        }
    }

    [GeneratedRegex(@"[""“”«»0-9]|\b(signs?|logos?|brand|trademark|labelled|lettering|written|inscription|slogan|poster|billboard)\b|™|®")]
    private static partial Regex InventedText();

    [GeneratedRegex(@"(^|[.:!?] )[A-Z]")]
    private static partial Regex SentenceStartCapital();

    [Fact]
    public void NoQuotedText_NoBrandsOrProperNames()
    {
        foreach (var (where, text, _) in DatasetFiles.AllDescriptions())
        {
            Assert.False(InventedText().IsMatch(text), $"{where}: invented text pattern '{InventedText().Match(text).Value}'");
            // Capitals only where a sentence starts: no brand or place names.
            int capitals = text.Count(char.IsUpper);
            Assert.True(capitals == SentenceStartCapital().Matches(text).Count, $"{where}: capital letter inside a sentence: {text}");
        }
    }

    public static TheoryData<string, string> Contradictions => new()
    {
        // scene phrase, words its descriptions must not use
        { "at night", "sunny sunlit sunshine sunlight daylight midday noon morning afternoon dawn sunrise" },
        { "at midday", "night moon moonlit starry stars dusk twilight dawn sunrise sunset evening" },
        { "in the morning", "night moonlit starry dusk sunset evening afternoon" },
        { "at sunset", "night moonlit starry dawn sunrise morning midday noon" },
        { "in the rain", "sunny sunlit sunshine dry dusty starry" },
        { "after a snowfall", "rain tropical hot summer sunbathers" },
        { "on a foggy morning", "sunny sunlit sunshine starry evening" },
        { "in a subway station", "sky sun sunny sunlight daylight starry" },
    };

    [Theory]
    [MemberData(nameof(Contradictions))]
    public void Descriptions_DoNotContradictTheirScene(string phrase, string forbidden)
    {
        var bad = forbidden.Split(' ').ToHashSet();
        int checkedLines = 0;
        foreach (var (where, text, line) in DatasetFiles.AllDescriptions().Where(d => d.Line.Scene.EndsWith(" " + phrase, StringComparison.Ordinal)))
        {
            checkedLines++;
            var word = PtbTokenizer.Tokenize(text).FirstOrDefault(bad.Contains);
            Assert.True(word is null, $"{where} ({line.Scene}): '{word}' in {text}");
        }
        Assert.True(checkedLines > 0, $"no scene ends with '{phrase}'");
    }

    [Fact]
    public void SeedBenchmark_IsTheSeedsTwelvePrompts()
    {
        var lines = File.ReadAllLines(Path.Combine(DatasetFiles.Folder, "seed-benchmark.jsonl"));
        Assert.Equal(12, lines.Length);
        var docs = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["Nature", "Urban", "People"], docs.Select(d => d.GetProperty("scene_type").GetString()).Distinct());
        Assert.All(docs.GroupBy(d => d.GetProperty("scene_type").GetString()), g => Assert.Equal(4, g.Count()));
        Assert.Equal("Describe this image: a beautiful sunset over mountains", docs[0].GetProperty("prompt").GetString());
        Assert.Equal("This image shows a family gathering in a living room", docs[11].GetProperty("prompt").GetString());
        foreach (var d in docs)
        {
            Assert.EndsWith(d.GetProperty("scene").GetString()!, d.GetProperty("prompt").GetString());
            Assert.Equal(SeedChecks.RelevanceKeywords, d.GetProperty("keywords").EnumerateArray().Select(e => e.GetString()!));
        }
    }
}
