using System.Text.Json;
using System.Text.RegularExpressions;
using VisualNarrator.DatasetGen;
using VisualNarrator.DatasetGen.OpenVocabulary;
using VisualNarrator.Evaluation;
using VisualNarrator.Testing;

namespace VisualNarrator.DatasetGen.Tests;

/// <summary>The committed open-vocabulary files: the word-held-out test set names words no training line contains,
/// narrations say the scene first, long scenes are long, and the generator reproduces the files from WordNet.</summary>
public sealed partial class OpenDatasetTests
{
    [GeneratedRegex("[a-z]+")]
    private static partial Regex WordPattern();

    private static HashSet<string> Words(IEnumerable<string> texts) =>
        texts.SelectMany(t => WordPattern().Matches(t.ToLowerInvariant()).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Every_held_out_test_scene_names_a_word_that_no_training_line_contains()
    {
        var trained = Words(DatasetFiles.Train.Concat(DatasetFiles.TrainOpen).Concat(DatasetFiles.TrainCopy).SelectMany(l => new[] { l.Prompt, l.Texts[0] }));
        Assert.Equal(200, DatasetFiles.TestOpen.Count);
        foreach (var line in File.ReadLines(Path.Combine(DatasetFiles.Folder, "test-open.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var unseen = r.GetProperty("unseen_words").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.NotEmpty(unseen);
            var scene = Words([r.GetProperty("scene").GetString()!]);
            Assert.All(unseen, w =>
            {
                Assert.Contains(w, scene);
                Assert.DoesNotContain(w, trained);
            });
        }
    }

    [Fact]
    public void Short_narrations_restate_the_whole_scene_in_their_first_sentence_and_stay_within_30_to_60_words()
    {
        foreach (var l in DatasetFiles.TrainOpen.Concat(DatasetFiles.TestOpen).Where(l => OpenText.WordCount(l.Scene) < 30))
            foreach (var text in l.Texts)
            {
                var first = text[..(text.IndexOf(". ", StringComparison.Ordinal) + 1)];
                Assert.True(first.Contains(l.Scene, StringComparison.OrdinalIgnoreCase) || first.StartsWith(char.ToUpperInvariant(l.Scene[0]) + l.Scene[1..], StringComparison.Ordinal),
                    $"{l.Id}: '{first}' does not restate '{l.Scene}'");
                Assert.InRange(OpenText.WordCount(text), 30, 60);
            }
    }

    [Fact]
    public void Long_scenes_have_40_to_60_words_and_paragraphs_of_two_or_more_full_sentences()
    {
        Assert.Equal(48, DatasetFiles.TestLong.Count);
        Assert.All(DatasetFiles.TestLong, l =>
        {
            Assert.InRange(OpenText.WordCount(l.Scene), 40, 60);
            Assert.All(l.Texts, t =>
            {
                Assert.EndsWith(".", t, StringComparison.Ordinal);
                Assert.True(t.Split(". ").Length >= 2, $"{l.Id}: one sentence");
                Assert.InRange(OpenText.WordCount(t), 20, 60);
            });
        });
    }

    [Fact]
    public void Training_covers_thousands_of_distinct_words_across_all_eight_scene_types()
    {
        Assert.Equal(24000, DatasetFiles.TrainOpen.Count);
        Assert.Equal(8, DatasetFiles.TrainOpen.Select(l => l.SceneType).Distinct().Count());
        Assert.True(Words(DatasetFiles.TrainOpen.Select(l => l.Scene)).Count > 5000);
    }

    [Fact]
    public void The_dictionary_holds_no_scene_and_keeps_the_never_seen_half_of_the_held_out_words_out_of_all_training()
    {
        var gloss = File.ReadLines(Path.Combine(DatasetFiles.Folder, "train-gloss.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(gloss.Count > 10000);
        Assert.All(gloss, g =>
        {
            Assert.Equal("dictionary", g.GetProperty("scene_type").GetString());
            Assert.Matches("^(What is an? [a-z ]+|What does it mean to [a-z]+)\\?$", g.GetProperty("prompt").GetString()!);
        });
        var glossWords = Words(gloss.SelectMany(g => new[] { g.GetProperty("prompt").GetString()!, g.GetProperty("description").GetString()! }));
        var unseen = File.ReadLines(Path.Combine(DatasetFiles.Folder, "test-open.jsonl"))
            .SelectMany(l => JsonDocument.Parse(l).RootElement.GetProperty("unseen_words").EnumerateArray().Select(e => e.GetString()!))
            .ToHashSet(StringComparer.Ordinal);
        var neverSeen = unseen.Where(w => !glossWords.Contains(w)).ToList();
        using var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(DatasetFiles.Folder, "stats-open.json")));
        Assert.Equal(stats.RootElement.GetProperty("unseen_words_in_test_open_not_in_dictionary").GetInt32(), neverSeen.Count);
        // Both halves are large enough to measure: words known only from the dictionary, and words met nowhere.
        Assert.InRange(neverSeen.Count, unseen.Count / 4, unseen.Count * 3 / 4);
    }

    [Fact]
    public void The_copy_corpus_narrates_mostly_words_no_other_training_line_holds_and_keeps_every_word_in_prompt_and_narration()
    {
        var copy = DatasetFiles.TrainCopy;
        Assert.Equal(CopyCorpus.Lines, copy.Count);
        var others = Words(DatasetFiles.Train.Concat(DatasetFiles.TrainOpen).SelectMany(l => new[] { l.Prompt, l.Texts[0] }));
        var fresh = Words(copy.SelectMany(l => new[] { l.Prompt, l.Texts[0] }));
        fresh.ExceptWith(others);
        using var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(DatasetFiles.Folder, "stats-open.json")));
        // Thousands of new words, each one a copy word the line's scene names and its narration repeats.
        Assert.True(fresh.Count > 8000, $"{fresh.Count} new words");
        Assert.True(fresh.Count <= stats.RootElement.GetProperty("copy_pool_words").GetInt32());
        foreach (var line in copy.Take(500))
        {
            var sceneFresh = Words([line.Prompt]).Where(fresh.Contains).ToList();
            var narration = Words([line.Texts[0]]);
            Assert.All(sceneFresh, w => Assert.Contains(w, narration));
        }
    }

    [SkippableFact]
    public void The_generator_reproduces_the_committed_files_from_WordNet()
    {
        Skip.IfNot(Directory.Exists("/usr/share/wordnet"), "WordNet 3.0 is not installed (apt-get install wordnet-base)");
        var files = OpenDatasetBuilder.Build("/usr/share/wordnet", Path.Combine(DatasetFiles.Folder, "train.jsonl"));
        foreach (var f in files)
            Assert.True(f.Content == File.ReadAllText(Path.Combine(DatasetFiles.Folder, f.Name)), $"data/{f.Name} differs from what the generator writes");
    }
}
