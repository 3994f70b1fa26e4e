using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using VisualNarrator.Engine.Generation;

namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>
/// Builds the open-vocabulary files: <c>train-open.jsonl</c> (scenes from WordNet's training pools, one narration
/// each), <c>test-open.jsonl</c> (scenes that each name at least one word no training scene or narration contains,
/// four references each), <c>test-long.jsonl</c> (40-60-word scenes), <c>train-gloss.jsonl</c> (the dictionary:
/// <see cref="GlossCorpus"/>), <c>train-copy.jsonl</c> (<see cref="CopyCorpus"/>) and <c>stats-open.json</c>. Like the fixed
/// dataset, the output depends only on the seed and the input files (WordNet 3.0 and the fixed train.jsonl).
/// </summary>
public static class OpenDatasetBuilder
{
    /// <summary>The seed of the committed files.</summary>
    public const ulong DefaultSeed = 20261202;
    /// <summary>Lines of train-open.jsonl.</summary>
    public const int TrainLines = 24000;
    /// <summary>Word-held-out test scenes per scene type.</summary>
    public const int TestPerType = 25;
    /// <summary>Long test scenes per scene type.</summary>
    public const int LongPerType = 6;
    /// <summary>Share of long scenes among the training lines.</summary>
    public const double LongShare = 0.08;

    /// <summary>Generates the files from the WordNet database in <paramref name="wordNetFolder"/> (Debian's wordnet-base:
    /// /usr/share/wordnet) and the fixed grammar's <paramref name="fixedTrain"/>.</summary>
    public static IReadOnlyList<DatasetFile> Build(string wordNetFolder, string fixedTrain, ulong seed = DefaultSeed) =>
        Build(WordNet.Load(wordNetFolder), fixedTrain, seed);

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
    private static readonly Regex Word = new("[a-z]+", RegexOptions.Compiled);

    /// <summary>Generates the files. <paramref name="fixedTrain"/> is the fixed grammar's train.jsonl, trained on alongside.</summary>
    internal static IReadOnlyList<DatasetFile> Build(WordNet wordNet, string fixedTrain, ulong seed)
    {
        var fixedVocabulary = Words(File.ReadLines(fixedTrain));
        var lexicon = Lexicon.Build(wordNet, WordList.American, fixedVocabulary);
        var root = new Rng(seed);

        var trainRng = root.Fork("train");
        var trainWords = new WordSource(lexicon, trainRng, 0);
        var train = new StringBuilder();
        var seen = new HashSet<string>(fixedVocabulary, StringComparer.Ordinal);
        var typeCounts = new Dictionary<string, int>();
        int longCount = 0;
        for (int i = 0; i < TrainLines; i++)
        {
            var type = OpenGrammar.SceneTypes[i % OpenGrammar.SceneTypes.Count];
            var line = NarratedLine($"open-{i + 1:D5}", type, trainRng.Chance(LongShare), trainWords, trainRng);
            seen.UnionWith(Words([line.Prompt, line.Description]));
            typeCounts[type] = typeCounts.GetValueOrDefault(type) + 1;
            if (line.Scene.IsLong) longCount++;
            train.Append(line.Json);
        }

        var testRng = root.Fork("test-open");
        var testWords = new WordSource(lexicon, testRng, 0.45);
        var test = new StringBuilder();
        int n = 0;
        var unseenUsed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in OpenGrammar.SceneTypes)
            for (int k = 0; k < TestPerType; k++)
            {
                OpenScene scene;
                List<string> unseen;
                do
                {
                    scene = DrawScene(type, false, testWords, testRng);
                    unseen = Word.Matches(scene.Text).Select(m => m.Value).Where(w => !seen.Contains(w)).Distinct().ToList();
                } while (unseen.Count == 0);
                unseenUsed.UnionWith(unseen);
                test.Append(TestLine($"open-test-{++n:D4}", scene, unseen, testRng));
            }

        var longRng = root.Fork("test-long");
        var longWords = new WordSource(lexicon, longRng, 0);
        var longSet = new StringBuilder();
        n = 0;
        foreach (var type in OpenGrammar.SceneTypes)
            for (int k = 0; k < LongPerType; k++)
                longSet.Append(TestLine($"long-test-{++n:D4}", DrawScene(type, true, longWords, longRng), [], longRng));

        var gloss = GlossCorpus.Build(wordNet, lexicon, WordList.American, root.Fork("gloss"));
        var copy = CopyCorpus.Build(wordNet, lexicon, WordList.American, seen, unseenUsed, root.Fork("copy"));

        var statsStream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(statsStream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seed", seed);
            writer.WriteNumber("train_lines", TrainLines);
            writer.WriteNumber("train_long_lines", longCount);
            writer.WriteStartObject("train_nouns_by_pool");
            foreach (var (category, pool) in lexicon.Train.OrderBy(p => p.Key)) writer.WriteNumber(category.ToString().ToLowerInvariant(), pool.Count);
            writer.WriteEndObject();
            writer.WriteStartObject("held_out_nouns_by_pool");
            foreach (var (category, pool) in lexicon.HeldOut.OrderBy(p => p.Key)) writer.WriteNumber(category.ToString().ToLowerInvariant(), pool.Count);
            writer.WriteEndObject();
            writer.WriteNumber("train_verbs", lexicon.TrainVerbs.Count);
            writer.WriteNumber("held_out_verbs", lexicon.HeldOutVerbs.Count);
            writer.WriteNumber("distinct_words_in_training", seen.Count);
            writer.WriteNumber("unseen_words_in_test_open", unseenUsed.Count);
            writer.WriteNumber("gloss_lines", gloss.Lines);
            writer.WriteNumber("unseen_words_in_test_open_not_in_dictionary", unseenUsed.Count(w => !gloss.Words.Contains(w)));
            writer.WriteNumber("copy_lines", CopyCorpus.Lines);
            writer.WriteNumber("copy_pool_words", copy.PoolWords);
            writer.WriteNumber("distinct_words_in_copy_corpus", copy.Words.Count);
            writer.WriteNumber("unseen_words_in_test_open_in_copy_corpus", unseenUsed.Count(copy.Words.Contains));
            writer.WriteEndObject();
        }
        var stats = Encoding.UTF8.GetString(statsStream.ToArray()) + "\n";
        return
        [
            new DatasetFile("train-open.jsonl", train.ToString()),
            new DatasetFile("test-open.jsonl", test.ToString()),
            new DatasetFile("test-long.jsonl", longSet.ToString()),
            new DatasetFile("train-gloss.jsonl", gloss.Text),
            new DatasetFile("train-copy.jsonl", copy.Text),
            new DatasetFile("stats-open.json", stats),
        ];
    }

    /// <summary>One narrated training line: a scene of <paramref name="type"/>, its narration in a random voice and a
    /// prompt in a random template, as JSONL.</summary>
    internal static NarratedScene NarratedLine(string id, string type, bool isLong, WordSource words, Rng rng)
    {
        var scene = DrawScene(type, isLong, words, rng);
        var description = OpenNarrator.Describe(scene, rng.Next(OpenNarrator.Voices.Count), rng);
        var prompt = DatasetBuilder.Templates[rng.Next(DatasetBuilder.Templates.Count)].Replace("{scene}", scene.Text, StringComparison.Ordinal);
        var json = Line(w =>
        {
            w.WriteString("id", id);
            w.WriteString("scene_type", type);
            w.WriteString("scene", scene.Text);
            w.WriteString("prompt", prompt);
            w.WriteString("description", description);
        });
        return new NarratedScene(scene, prompt, description, json);
    }

    /// <summary>A narrated training line.</summary>
    internal sealed record NarratedScene(OpenScene Scene, string Prompt, string Description, string Json);

    /// <summary>A scene; long ones are drawn again until they have 40 to 60 words.</summary>
    internal static OpenScene DrawScene(string type, bool isLong, WordSource words, Rng rng)
    {
        while (true)
        {
            var scene = OpenGrammar.Draw(type, isLong, words, rng);
            if (!isLong || OpenText.WordCount(scene.Text) is >= 40 and <= 60) return scene;
        }
    }

    private static string TestLine(string id, OpenScene scene, List<string> unseen, Rng rng)
    {
        var voices = Enumerable.Range(0, OpenNarrator.Voices.Count).ToList();
        rng.Shuffle(voices);
        var prompt = DatasetBuilder.Templates[rng.Next(DatasetBuilder.Templates.Count)].Replace("{scene}", scene.Text, StringComparison.Ordinal);
        return Line(w =>
        {
            w.WriteString("id", id);
            w.WriteString("scene_type", scene.Type);
            w.WriteString("scene", scene.Text);
            w.WriteString("prompt", prompt);
            w.WriteStartArray("references");
            foreach (var v in voices.Take(DatasetBuilder.ReferencesPerScene)) w.WriteStringValue(OpenNarrator.Describe(scene, v, rng));
            w.WriteEndArray();
            if (unseen.Count > 0)
            {
                w.WriteStartArray("unseen_words");
                foreach (var u in unseen) w.WriteStringValue(u);
                w.WriteEndArray();
            }
        });
    }

    /// <summary>The lower-case words of <paramref name="texts"/>.</summary>
    internal static HashSet<string> Words(IEnumerable<string> texts)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in texts)
            foreach (Match m in Word.Matches(t.ToLowerInvariant())) set.Add(m.Value);
        return set;
    }

    /// <summary>One JSONL line written by <paramref name="write"/>.</summary>
    internal static string Line(Action<Utf8JsonWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
