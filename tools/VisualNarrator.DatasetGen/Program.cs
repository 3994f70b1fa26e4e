using VisualNarrator.DatasetGen;
using VisualNarrator.DatasetGen.Grammar;
using VisualNarrator.DatasetGen.OpenVocabulary;

// dotnet run --project tools/VisualNarrator.DatasetGen -- [--out data] [--seed N] [--check]
//   writes train.jsonl, validation.jsonl, test.jsonl, seed-benchmark.jsonl and stats.json into --out;
//   with --check, writes nothing and exits 1 if the files there differ from what the seed generates.
// dotnet run --project tools/VisualNarrator.DatasetGen -- --sample TYPE N [SEED]: N descriptions of random scenes of TYPE.
// dotnet run --project tools/VisualNarrator.DatasetGen -- --open [--out data] [--wordnet DIR] [--check]
//   the open-vocabulary files (train-open.jsonl, test-open.jsonl, test-long.jsonl, train-gloss.jsonl, train-copy.jsonl, stats-open.json) from WordNet 3.0
//   (Debian's wordnet-base) and the fixed train.jsonl in --out; --sample-open TYPE N [SEED] prints N of them.
string outDir = "data";
ulong seed = DatasetBuilder.DefaultSeed;
bool check = false;
bool open = false;
string wordNetDir = WordNet.DefaultFolder;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--seed" when i + 1 < args.Length: seed = ulong.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--check": check = true; break;
        case "--open": open = true; break;
        case "--wordnet" when i + 1 < args.Length: wordNetDir = args[++i]; break;
        case "--sample-open" when i + 2 < args.Length: return SampleOpen(args[i + 1], int.Parse(args[i + 2], System.Globalization.CultureInfo.InvariantCulture), i + 3 < args.Length ? ulong.Parse(args[i + 3], System.Globalization.CultureInfo.InvariantCulture) : 1, wordNetDir, outDir);
        case "--sample" when i + 2 < args.Length: return Sample(args[i + 1], int.Parse(args[i + 2], System.Globalization.CultureInfo.InvariantCulture), i + 3 < args.Length ? ulong.Parse(args[i + 3], System.Globalization.CultureInfo.InvariantCulture) : 1);
        default:
            Console.Error.WriteLine($"datasetgen: unknown argument '{args[i]}'; usage: [--open] [--out DIR] [--seed N] [--wordnet DIR] [--check] | --sample TYPE N [SEED] | --sample-open TYPE N [SEED]");
            return 2;
    }
}

var files = open
    ? OpenDatasetBuilder.Build(WordNet.Load(wordNetDir), Path.Combine(outDir, "train.jsonl"), seed == DatasetBuilder.DefaultSeed ? OpenDatasetBuilder.DefaultSeed : seed)
    : DatasetBuilder.Build(seed);
if (check)
{
    var stale = files.Where(f => !File.Exists(Path.Combine(outDir, f.Name)) || File.ReadAllText(Path.Combine(outDir, f.Name)) != f.Content).Select(f => f.Name).ToList();
    foreach (var name in stale) Console.Error.WriteLine($"datasetgen: {Path.Combine(outDir, name)} differs from what seed {seed} generates");
    if (stale.Count == 0) Console.WriteLine($"datasetgen: {files.Count} files in {outDir} match seed {seed}");
    return stale.Count == 0 ? 0 : 1;
}
Directory.CreateDirectory(outDir);
foreach (var f in files)
{
    File.WriteAllText(Path.Combine(outDir, f.Name), f.Content, new System.Text.UTF8Encoding(false));
    Console.WriteLine($"wrote {Path.Combine(outDir, f.Name)} ({f.Content.Count(c => c == '\n')} lines)");
}
return 0;

static int Sample(string typeName, int count, ulong seed)
{
    var rng = new Rng(seed);
    var type = Catalog.All().FirstOrDefault(t => t.Name == typeName);
    if (type is null)
    {
        Console.Error.WriteLine($"datasetgen: unknown scene type '{typeName}'; known: {string.Join(", ", Catalog.All().Select(t => t.Name))}");
        return 2;
    }
    for (int i = 0; i < count; i++)
    {
        var s = rng.Pick(type.Subjects);
        var f = rng.Pick(type.Features.Where(f => type.FeatureFits(f, s)).ToList());
        var c = rng.Pick(type.Contexts.Where(c => type.ContextFits(c, s, f)).ToList());
        var facts = Narrator.DrawFacts(rng, type, s, f, c);
        var voice = rng.Pick(Voice.All);
        Console.WriteLine($"[{s.Scene} {f.Scene} {c.Scene}] ({voice.Name}, {facts.Light})");
        Console.WriteLine(Narrator.Describe(rng, facts, voice));
        Console.WriteLine();
    }
    return 0;
}

static int SampleOpen(string typeName, int count, ulong seed, string wordNetDir, string dataDir)
{
    if (!OpenGrammar.SceneTypes.Contains(typeName))
    {
        Console.Error.WriteLine($"datasetgen: unknown scene type '{typeName}'; known: {string.Join(", ", OpenGrammar.SceneTypes)}");
        return 2;
    }
    var lexicon = Lexicon.Build(WordNet.Load(wordNetDir), VisualNarrator.Engine.Generation.WordList.American, new HashSet<string>());
    var rng = new Rng(seed);
    var words = new WordSource(lexicon, rng, 0);
    for (int i = 0; i < count; i++)
    {
        bool isLong = i % 4 == 3;
        var scene = OpenDatasetBuilder.DrawScene(typeName, isLong, words, rng);
        Console.WriteLine($"[{scene.Text}] ({OpenText.WordCount(scene.Text)} words)");
        var description = OpenNarrator.Describe(scene, rng.Next(OpenNarrator.Voices.Count), rng);
        Console.WriteLine($"{description} ({OpenText.WordCount(description)} words)");
        Console.WriteLine();
    }
    return 0;
}
