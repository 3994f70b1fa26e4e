using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using VisualNarrator.DatasetGen.Grammar;
using VisualNarrator.Evaluation;

namespace VisualNarrator.DatasetGen;

/// <summary>A generated file: its name inside the data folder and its exact content (UTF-8, '\n' line ends).</summary>
/// <param name="Name">File name, e.g. <c>train.jsonl</c>.</param>
/// <param name="Content">The file's text.</param>
public sealed record DatasetFile(string Name, string Content);

/// <summary>
/// Builds the narration dataset: train, validation and test splits over eight scene types, the seed model's
/// 12-prompt benchmark, and statistics. The output depends only on the seed (a SplitMix64 generator, no
/// System.Random, no clock, no culture), so the same seed always gives byte-identical files.
/// </summary>
public static class DatasetBuilder
{
    /// <summary>The seed of the committed files.</summary>
    public const ulong DefaultSeed = 20250607;

    /// <summary>Train lines per scene type.</summary>
    public const int TrainPerType = 500;

    /// <summary>Validation lines (scenes) in all.</summary>
    public const int ValidationTotal = 500;

    /// <summary>Test scenes per scene type.</summary>
    public const int TestPerType = 25;

    /// <summary>Bare-subject train lines per scene type ("a busy city street", "a busy city street at night"),
    /// appended after the subject-feature lines.</summary>
    public const int BareTrainPerType = 64;

    /// <summary>Bare-subject test scenes per scene type (test-bare.jsonl), none of them in train.</summary>
    public const int BareTestPerType = 5;

    /// <summary>Independent references per test scene, each in a different voice.</summary>
    public const int ReferencesPerScene = 4;

    /// <summary>The seed model's four prompt templates (the same strings as the engine's PromptTemplates).</summary>
    public static readonly IReadOnlyList<string> Templates =
        ["Describe this image: {scene}", "What do you see in this picture: {scene}", "Generate a caption: {scene}", "This image shows {scene}"];

    /// <summary>Every context phrase a scene can end with ("at dusk", "in a sunny park"), longest first; a test scene
    /// without its context phrase is the (subject, feature) pair that was held out of train and validation.</summary>
    public static IReadOnlyList<string> ContextPhrases =>
        Catalog.All().SelectMany(t => t.Contexts).Select(c => c.Scene).Distinct().OrderByDescending(p => p.Length).ThenBy(p => p, StringComparer.Ordinal).ToArray();

    /// <summary>Every subject phrase ("a busy city street"): a bare-subject scene is one of these, alone or followed by
    /// a context phrase.</summary>
    public static IReadOnlyList<string> SubjectPhrases =>
        Catalog.All().SelectMany(t => t.Subjects).Select(s => s.Scene).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The scene type names, in order.</summary>
    public static IReadOnlyList<string> SceneTypes => Catalog.All().Select(t => t.Name).ToArray();

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>A scene: subject, feature (null for a bare subject) and optional context.</summary>
    private sealed record Combo(SceneType Type, Subject Subject, Feature? Feature, Context? Context)
    {
        public string Scene => Subject.Scene + (Feature is null ? "" : " " + Feature.Scene) + (Context is null ? "" : " " + Context.Scene);
        public (string, string) Pair => (Subject.Key, Feature?.Key ?? "");
    }

    private sealed record Line(string Id, string SceneType, string Scene, string Prompt, IReadOnlyList<string> Texts);

    /// <summary>Builds every file: train.jsonl, validation.jsonl, test.jsonl, test-bare.jsonl, seed-benchmark.jsonl,
    /// stats.json.</summary>
    public static IReadOnlyList<DatasetFile> Build(ulong seed = DefaultSeed)
    {
        var root = new Rng(seed);
        var types = Catalog.All();
        var train = new List<Combo>();
        var validation = new List<Combo>();
        var tests = new List<List<Combo>>();
        int validationLeft = ValidationTotal;
        for (int t = 0; t < types.Length; t++)
        {
            var type = types[t];
            var rng = root.Fork(type.Name);
            int validationCount = validationLeft / (types.Length - t);
            validationLeft -= validationCount;
            var (typeTrain, typeValidation, typeTest) = Split(type, rng, validationCount);
            train.AddRange(typeTrain);
            validation.AddRange(typeValidation);
            tests.Add(typeTest);
        }

        var writeRng = root.Fork("write");
        writeRng.Shuffle(train);
        writeRng.Shuffle(validation);
        var trainLines = train.Select((c, i) => Single($"train-{i + 1:D5}", c, writeRng)).ToList();
        var validationLines = validation.Select((c, i) => Single($"val-{i + 1:D4}", c, writeRng)).ToList();
        var testLines = new List<Line>();
        for (int k = 0; k < TestPerType; k++)
            foreach (var typeTests in tests)
                testLines.Add(Test($"test-{testLines.Count + 1:D4}", typeTests[k], writeRng));

        // Bare-subject scenes come from their own generator, so adding them left every line above unchanged.
        var bareRng = root.Fork("bare");
        var bareTrain = new List<Combo>();
        var bareTests = new List<List<Combo>>();
        foreach (var type in types)
        {
            var (typeTrain, typeTest) = SplitBare(type, bareRng);
            bareTrain.AddRange(typeTrain);
            bareTests.Add(typeTest);
        }
        bareRng.Shuffle(bareTrain);
        int firstBare = trainLines.Count + 1;
        trainLines.AddRange(bareTrain.Select((c, i) => Single($"train-{firstBare + i:D5}", c, bareRng)).ToList());
        var bareTestLines = new List<Line>();
        for (int k = 0; k < BareTestPerType; k++)
            foreach (var typeTests in bareTests)
                bareTestLines.Add(Test($"bare-{bareTestLines.Count + 1:D4}", typeTests[k], bareRng));

        CheckDisjoint(trainLines, validationLines, testLines);
        CheckDisjoint(trainLines, validationLines, bareTestLines);
        return
        [
            new("train.jsonl", Jsonl(trainLines, "description")),
            new("validation.jsonl", Jsonl(validationLines, "description")),
            new("test.jsonl", Jsonl(testLines, "references")),
            new("test-bare.jsonl", Jsonl(bareTestLines, "references")),
            new("seed-benchmark.jsonl", SeedBenchmark.Jsonl()),
            new("stats.json", Stats(seed, types, trainLines, validationLines, testLines, bareTestLines)),
        ];
    }

    /// <summary>Splits one type: whole (subject, feature) pairs are held out for test, so no test scene shares its
    /// subject-and-feature combination with any train or validation scene; validation scenes are other scene
    /// strings; train lines use the rest (each scene once, then random repeats up to <see cref="TrainPerType"/>).</summary>
    private static (List<Combo> Train, List<Combo> Validation, List<Combo> Test) Split(SceneType type, Rng rng, int validationCount)
    {
        var combos = new List<Combo>();
        foreach (var s in type.Subjects)
            foreach (var f in type.Features.Where(f => type.FeatureFits(f, s)))
            {
                var contexts = type.Contexts.Where(c => type.ContextFits(c, s, f)).ToList();
                if (contexts.Count == 0) continue;
                combos.Add(new Combo(type, s, f, null));
                combos.AddRange(contexts.Select(c => new Combo(type, s, f, c)));
            }
        var pairs = combos.Select(c => c.Pair).Distinct().ToList();
        var featureUse = pairs.GroupBy(p => p.Item2).ToDictionary(g => g.Key, g => g.Count());
        var subjectUse = pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.Count());

        var heldOut = new List<(string, string)>();
        var heldFeatures = new HashSet<string>();
        var subjects = type.Subjects.Select(s => s.Key).ToList();
        rng.Shuffle(subjects);
        foreach (var s in subjects)
        {
            if (subjectUse.GetValueOrDefault(s) < 3) continue;
            var candidates = pairs.Where(p => p.Item1 == s && featureUse[p.Item2] >= 2 && !heldFeatures.Contains(p.Item2)).ToList();
            if (candidates.Count == 0) continue;
            var pick = rng.Pick(candidates);
            heldOut.Add(pick);
            heldFeatures.Add(pick.Item2);
        }

        var byPair = heldOut.Select(p => combos.Where(c => c.Pair == p).ToList()).ToList();
        foreach (var list in byPair) rng.Shuffle(list);
        var test = new List<Combo>();
        for (int round = 0; test.Count < TestPerType; round++)
        {
            bool any = false;
            foreach (var list in byPair)
            {
                if (round >= list.Count || test.Count == TestPerType) continue;
                test.Add(list[round]);
                any = true;
            }
            if (!any) throw new InvalidOperationException($"{type.Name}: held-out pairs give only {test.Count} test scenes, {TestPerType} needed");
        }

        var rest = combos.Where(c => !heldOut.Contains(c.Pair)).ToList();
        rng.Shuffle(rest);
        var validation = rest.Take(validationCount).ToList();
        var trainScenes = rest.Skip(validationCount).ToList();
        var train = new List<Combo>(trainScenes.Take(TrainPerType));
        while (train.Count < TrainPerType) train.Add(rng.Pick(trainScenes));
        return (train, validation, test);
    }

    /// <summary>Bare-subject scenes of one type: the subject alone or with a context that fits it. Test scene strings
    /// are held out; train lines use the rest once each, then random repeats up to <see cref="BareTrainPerType"/>.</summary>
    private static (List<Combo> Train, List<Combo> Test) SplitBare(SceneType type, Rng rng)
    {
        var combos = new List<Combo>();
        foreach (var s in type.Subjects)
        {
            var contexts = type.Contexts.Where(c => type.ContextFits(c, s, null)).ToList();
            if (contexts.Count == 0) continue;
            combos.Add(new Combo(type, s, null, null));
            combos.AddRange(contexts.Select(c => new Combo(type, s, null, c)));
        }
        rng.Shuffle(combos);
        var test = combos.Take(BareTestPerType).ToList();
        var rest = combos.Skip(BareTestPerType).ToList();
        var train = new List<Combo>(rest.Take(BareTrainPerType));
        while (train.Count < BareTrainPerType) train.Add(rng.Pick(rest));
        return (train, test);
    }

    private static string Prompt(Rng rng, string scene) => rng.Pick(Templates).Replace("{scene}", scene, StringComparison.Ordinal);

    private static Line Single(string id, Combo c, Rng rng)
    {
        var facts = Narrator.DrawFacts(rng, c.Type, c.Subject, c.Feature, c.Context);
        var text = Narrator.Describe(rng, facts, rng.Pick(Voice.All));
        return new Line(id, c.Type.Name, c.Scene, Prompt(rng, c.Scene), [text]);
    }

    private static Line Test(string id, Combo c, Rng rng)
    {
        // One imagined picture per test scene: every reference describes the same light, context and objects,
        // each in a different voice with its own choice of details and words.
        var facts = Narrator.DrawFacts(rng, c.Type, c.Subject, c.Feature, c.Context);
        var voices = Voice.All.ToList();
        rng.Shuffle(voices);
        var refs = new List<string>();
        foreach (var voice in voices.Take(ReferencesPerScene))
        {
            string text;
            int tries = 0;
            // Independent references do not share an opening sentence.
            do text = Narrator.Describe(rng, facts, voice);
            while (refs.Any(r => r.Split(". ")[0] == text.Split(". ")[0]) && ++tries < 50);
            if (tries == 50) throw new InvalidOperationException($"{id}: no reference with a new opening in voice {voice.Name}");
            refs.Add(text);
        }
        return new Line(id, c.Type.Name, c.Scene, Prompt(rng, c.Scene), refs);
    }

    private static void CheckDisjoint(List<Line> train, List<Line> validation, List<Line> test)
    {
        var trainScenes = train.Select(l => l.Scene).ToHashSet(StringComparer.Ordinal);
        var validationScenes = validation.Select(l => l.Scene).ToHashSet(StringComparer.Ordinal);
        foreach (var l in test)
            if (trainScenes.Contains(l.Scene) || validationScenes.Contains(l.Scene))
                throw new InvalidOperationException($"test scene '{l.Scene}' also occurs in train or validation");
        foreach (var l in validation)
            if (trainScenes.Contains(l.Scene))
                throw new InvalidOperationException($"validation scene '{l.Scene}' also occurs in train");
        if (test.Select(l => l.Scene).Distinct().Count() != test.Count) throw new InvalidOperationException("a test scene occurs twice");
    }

    private static string Jsonl(List<Line> lines, string textField)
    {
        var sb = new StringBuilder();
        foreach (var l in lines)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonOptions))
            {
                w.WriteStartObject();
                w.WriteString("id", l.Id);
                w.WriteString("scene_type", l.SceneType);
                w.WriteString("scene", l.Scene);
                w.WriteString("prompt", l.Prompt);
                if (textField == "description") w.WriteString("description", l.Texts[0]);
                else
                {
                    w.WriteStartArray("references");
                    foreach (var r in l.Texts) w.WriteStringValue(r);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            sb.Append(Encoding.UTF8.GetString(ms.ToArray())).Append('\n');
        }
        return sb.ToString();
    }

    private static string Stats(ulong seed, SceneType[] types, List<Line> train, List<Line> validation, List<Line> test, List<Line> bareTest)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("generator", "tools/VisualNarrator.DatasetGen");
            w.WriteNumber("seed", seed);
            w.WriteStartObject("splits");
            SplitStats(w, "train", train, types);
            SplitStats(w, "validation", validation, types);
            SplitStats(w, "test", test, types);
            SplitStats(w, "test-bare", bareTest, types);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static void SplitStats(Utf8JsonWriter w, string name, List<Line> lines, SceneType[] types)
    {
        var texts = lines.SelectMany(l => l.Texts.Select(t => new NarrationSample(t, l.SceneType))).ToList();
        var report = NarrationMetrics.Evaluate(texts);
        var words = texts.Select(t => PtbTokenizer.Tokenize(t.Text).Length).ToList();
        w.WriteStartObject(name);
        w.WriteNumber("lines", lines.Count);
        w.WriteNumber("distinct_scenes", lines.Select(l => l.Scene).Distinct().Count());
        w.WriteNumber("descriptions", texts.Count);
        w.WriteNumber("min_words", words.Min());
        w.WriteNumber("max_words", words.Max());
        w.WriteNumber("spatial_relation_rate", Round(texts.Count(t => Narrator.SpatialPhrases.Any(t.Text.ToLowerInvariant().Contains)) / (double)texts.Count));
        w.WriteStartObject("templates");
        foreach (var template in Templates)
        {
            var prefix = template[..template.IndexOf("{scene}", StringComparison.Ordinal)];
            w.WriteNumber(template, lines.Count(l => l.Prompt.StartsWith(prefix, StringComparison.Ordinal)));
        }
        w.WriteEndObject();
        w.WriteStartObject("overall");
        Scores(w, report.Overall);
        w.WriteEndObject();
        w.WriteStartObject("by_scene_type");
        foreach (var type in types)
        {
            w.WriteStartObject(type.Name);
            w.WriteNumber("lines", lines.Count(l => l.SceneType == type.Name));
            Scores(w, report.BySceneType[type.Name]);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Scores(Utf8JsonWriter w, NarrationScores s)
    {
        w.WriteNumber("descriptions", s.Count);
        w.WriteNumber("mean_words", Round(s.MeanLength));
        w.WriteNumber("adjective_coverage", Round(s.AdjectiveCoverage));
        w.WriteNumber("adjective_density", Round(s.AdjectiveDensity));
        w.WriteNumber("distinct_1", Round(s.Distinct1));
        w.WriteNumber("distinct_2", Round(s.Distinct2));
        w.WriteNumber("repeated_3gram_rate", Round(s.Repeated3GramRate));
        w.WriteNumber("content_richness", Round(s.ContentRichness));
        w.WriteNumber("seed_success_rate", Round(s.SeedSuccessRate));
    }

    private static double Round(double x) => Math.Round(x, 4, MidpointRounding.ToEven);
}
