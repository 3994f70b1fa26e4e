using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Evaluation;

namespace VisualNarrator.Cli.Commands;

/// <summary>
/// <c>narrator eval (--model M.gguf | --baseline nn | both) [--set test|test-bare|validation|seed-benchmark|FILE] [--samples N]
/// [sampling options] [--out DIR]</c>: narrates an evaluation set through the <see cref="NarrationScheduler"/> (several
/// sequences at once) and writes <c>report.md</c> and <c>report.json</c> with every caption metric (CIDEr-D, BLEU-1..4,
/// ROUGE-L against the set's references, PTB tokenizer on raw text) and narrator metric, overall and per scene type,
/// plus speed, peak memory and sample narrations. <c>--baseline nn</c> adds a nearest-neighbour retrieval baseline
/// scored by the same code. Missing or malformed set files exit with code 2 and one line naming the file and line.
/// </summary>
public static class EvalCommand
{
    /// <summary>The name of the nearest-neighbour baseline system in reports.</summary>
    public const string BaselineName = "nn";

    /// <summary>The name of the model system in reports.</summary>
    public const string ModelName = "model";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var engine = new EngineOptions();
        engine.Model.Required = false;
        engine.Model.Description = "GGUF model to evaluate (may be left out with --baseline nn)";
        var sampling = new SamplingOptions();
        var set = new Option<string>("--set") { Description = "test, test-bare, validation, seed-benchmark, or a JSONL file of {\"id\",\"scene_type\",\"scene\"|\"prompt\",\"references\"|\"description\"}", DefaultValueFactory = _ => "test" };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Folder holding the dataset (default: the first data/ with test.jsonl above the current directory or the tool)" };
        var train = new Option<FileInfo?>("--train") { Description = "Training set searched by --baseline nn (default: DATA/train.jsonl)" };
        var samples = new Option<int?>("--samples") { Description = "Evaluate only the first N items of the set" };
        var baseline = new Option<string?>("--baseline") { Description = "Also evaluate a baseline: nn (the training description whose scene is most similar, TF-IDF cosine over scene words)" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Where report.md, report.json and the coco-format caption files go", DefaultValueFactory = _ => new DirectoryInfo("eval-out") };
        var maxSequences = new Option<int>("--max-sequences") { Description = "Narrations decoded together by the scheduler", DefaultValueFactory = _ => 8 };
        var maxPrompt = new Option<int>("--max-prompt-tokens") { Description = "Prompts longer than this are cut from the left (the seed model cuts at 128)", DefaultValueFactory = _ => PromptWindow.DefaultMaxPromptTokens };
        var examples = new Option<int>("--examples") { Description = "Sample narrations per scene type in the reports", DefaultValueFactory = _ => 2 };
        var force = new Option<bool>("--force") { Description = "Replace an existing, non-empty --out folder (as a whole)" };
        var command = new Command("eval", "Narrate an evaluation set and write Markdown and JSON reports of every metric")
        {
            set, data, train, samples, baseline, output, maxSequences, maxPrompt, examples, force,
        };
        engine.AddTo(command);
        sampling.AddTo(command);
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var settings = sampling.Build(parse);
            var modelFile = parse.GetValue(engine.Model);
            var baselineName = parse.GetValue(baseline)?.ToLowerInvariant();
            if (baselineName is not null && baselineName != BaselineName)
                throw new ArgumentException($"--baseline must be {BaselineName}, got '{baselineName}'");
            if (modelFile is null && baselineName is null) throw new ArgumentException("give --model, --baseline nn, or both");
            int sequences = parse.GetValue(maxSequences);
            if (sequences is < 1 or > 64) throw new ArgumentException($"--max-sequences must be in [1, 64], got {sequences}");
            int promptLimit = parse.GetValue(maxPrompt);
            if (promptLimit < 2) throw new ArgumentException($"--max-prompt-tokens must be >= 2, got {promptLimit}");
            int perType = parse.GetValue(examples);
            if (perType < 0) throw new ArgumentException($"--examples must be >= 0, got {perType}");

            var setName = parse.GetValue(set)!;
            var dataDir = parse.GetValue(data)?.FullName;
            var setPath = EvalSets.Resolve(setName, dataDir);
            var items = EvalSets.Read(setPath);
            if (parse.GetValue(samples) is int n)
            {
                if (n < 1) throw new ArgumentException($"--samples must be >= 1, got {n}");
                items = items.Take(n).ToList();
            }
            List<EvalItem>? trainItems = null;
            string? trainPath = null;
            if (baselineName is not null)
            {
                trainPath = parse.GetValue(train)?.FullName ?? EvalSets.Resolve("train", dataDir);
                trainItems = EvalSets.Read(trainPath, requireTexts: true);
            }

            var outDir = parse.GetValue(output)!.FullName;
            // The report folder is written beside the target and swapped in whole when done; an existing folder with
            // content is replaced only with --force (an empty one holds nothing to lose).
            var existsWithContent = Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any();
            OutputGuard.RefuseExisting(outDir, parse.GetValue(force) || !existsWithContent && !File.Exists(outDir));
            Directory.CreateDirectory(Path.GetDirectoryName(outDir)!);
            using var outFolder = AtomicOutput.Folder(outDir, overwrite: true);
            var systems = new List<SystemRun>();
            if (trainItems is not null) systems.Add(NearestNeighbour.Run(trainItems, items));
            if (modelFile is not null)
            {
                systems.Add(RunModel(engine, parse, modelFile.FullName, items, settings, sequences, promptLimit,
                    () => Console.Error.WriteLine($"narrator: narrating {items.Count} item(s) from {setPath} with {sequences} sequence(s)")));
            }
            var report = new EvalReport(setName, setPath, items, systems, settings, new EvalSettings(
                modelFile?.FullName, baselineName, trainPath, parse.GetValue(samples), sequences, promptLimit,
                parse.GetValue(engine.Device)!, parse.GetValue(engine.Threads), parse.GetValue(engine.Context), parse.GetValue(engine.CacheType)!), perType);
            report.Write(outFolder.TempPath);
            outFolder.Commit();
            foreach (var s in report.Scored)
                Console.WriteLine(s.Caption is null
                    ? $"{s.Run.Name}: seed success {s.Narration.Overall.SeedSuccessRate:F3}, scene recall {s.Narration.Overall.SceneRecall:F3}, {s.Narration.Overall.MeanLength:F1} words"
                    : $"{s.Run.Name}: CIDEr-D {s.Caption.Cider:F4}, BLEU-4 {s.Caption.Bleu.Scores[3]:F4}, ROUGE-L {s.Caption.RougeL:F4}, seed success {s.Narration.Overall.SeedSuccessRate:F3}, scene recall {s.Narration.Overall.SceneRecall:F3}, {s.Narration.Overall.MeanLength:F1} words");
            Console.WriteLine($"reports: {Path.Combine(outDir, "report.md")}, {Path.Combine(outDir, "report.json")}");
            return 0;
        }));
        return command;
    }

    private static SystemRun RunModel(EngineOptions engine, ParseResult parse, string modelPath, List<EvalItem> items,
        SamplingSettings settings, int sequences, int promptLimit, Action loaded)
    {
        var load = Stopwatch.StartNew();
        using var model = engine.LoadModel(parse);
        load.Stop();
        loaded(); // the progress line only once the model is known good: a bad model gets its one error line alone
        var inference = engine.Inference(parse);
        var contextSize = inference.ContextSize == 0 ? model.Hyperparameters.ContextLength : inference.ContextSize;
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions(MaxSequences: sequences, QueueCapacity: items.Count,
            ContextSize: contextSize, CacheType: inference.CacheType, FlashAttention: inference.FlashAttention));
        var wall = Stopwatch.StartNew();
        var streams = items.Select(i => scheduler.Submit(new NarrationRequest(i.Prompt, settings, promptLimit, Alternatives: 0))).ToList();
        var results = Task.WhenAll(streams.Select(s => s.Completion)).GetAwaiter().GetResult();
        wall.Stop();
        var outputs = items.Select((item, k) => new SystemOutput(item, results[k].Text.Trim(), null, null)).ToList();
        double seconds = wall.Elapsed.TotalSeconds;
        long tokens = results.Sum(r => (long)r.Timings.GeneratedTokens);
        var perf = new Performance(
            Descriptions: items.Count,
            WallSeconds: seconds,
            SecondsPerDescription: seconds / items.Count,
            MeanLatencySeconds: results.Average(r => r.Timings.Total.TotalSeconds),
            DecodeTokensPerSecond: seconds > 0 ? tokens / seconds : 0,
            MeanStreamDecodeTokensPerSecond: results.Average(r => r.Timings.DecodeTokensPerSecond),
            GeneratedTokens: tokens,
            MeanGeneratedTokens: tokens / (double)items.Count,
            StoppedByLength: results.Count(r => r.Finish == FinishReason.Length),
            PromptsCut: results.Count(r => r.Timings.PromptTokensDropped > 0),
            LoadSeconds: load.Elapsed.TotalSeconds,
            PeakRssBytes: BenchmarkPlan.PeakRss());
        return new SystemRun(ModelName, $"model {Path.GetFileName(modelPath)}", outputs, perf);
    }
}

/// <summary>One item of an evaluation set.</summary>
/// <param name="Line">1-based line in its file.</param>
/// <param name="Id">Unique id.</param>
/// <param name="SceneType">Group for the per-scene-type report ("unspecified" when the line has none).</param>
/// <param name="Scene">The scene (given, or the prompt without its template).</param>
/// <param name="Prompt">The full prompt (given, or the scene in the "Describe this image" template).</param>
/// <param name="Texts">Reference descriptions ("references", or "description" as the only one); may be empty.</param>
/// <param name="Keywords">Relevance keywords of the line, if any.</param>
public sealed record EvalItem(int Line, string Id, string SceneType, string Scene, string Prompt, IReadOnlyList<string> Texts, IReadOnlyList<string> Keywords);

/// <summary>Finds and reads evaluation sets (JSONL).</summary>
public static class EvalSets
{
    /// <summary>Named sets and their files in the data folder.</summary>
    public static readonly IReadOnlyDictionary<string, string> Named = new Dictionary<string, string>
    {
        ["test"] = "test.jsonl",
        ["test-bare"] = "test-bare.jsonl",
        ["validation"] = "validation.jsonl",
        ["seed-benchmark"] = "seed-benchmark.jsonl",
        ["train"] = "train.jsonl",
    };

    /// <summary>The file of a named set (in <paramref name="dataDir"/>, or the first <c>data/</c> holding test.jsonl
    /// found walking up from the current directory, then from the tool's folder), or <paramref name="set"/> as a
    /// path.</summary>
    public static string Resolve(string set, string? dataDir)
    {
        if (!Named.TryGetValue(set, out var file)) return Path.GetFullPath(set);
        dataDir ??= FindDataFolder() ?? throw new FileNotFoundException(
            $"{set}: no data/ folder with test.jsonl above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}; pass --data DIR");
        return Path.Combine(Path.GetFullPath(dataDir), file);
    }

    private static string? FindDataFolder() => Path.GetDirectoryName(ProjectFiles.FindAbove(Path.Combine("data", "test.jsonl")));

    /// <summary>Reads a set: one JSON object per line (blank lines skipped) with a string "id", optional
    /// "scene_type", a "prompt" or a "scene", and optionally "references" (strings) or "description" and "keywords".
    /// Either every item has references or none has. Problems throw <see cref="InvalidDataException"/> with
    /// "FILE:LINE: problem" (or "FILE: problem").</summary>
    public static List<EvalItem> Read(string path, bool requireTexts = false)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        InputFile.Require(path, "set");
        var items = new List<EvalItem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int n = 0;
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException ex)
        {
            throw new InvalidDataException($"{path}: cannot be read ({ex.Message})", ex);
        }
        foreach (var raw in lines)
        {
            n++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(raw);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{n}: not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')})", ex);
            }
            using (doc)
            {
                var item = Parse(doc.RootElement, path, n);
                if (!ids.Add(item.Id)) throw new InvalidDataException($"{path}:{n}: id '{item.Id}' appears twice");
                if (requireTexts && item.Texts.Count == 0)
                    throw new InvalidDataException($"{path}:{n}: needs a \"description\" or \"references\"");
                if (items.Count > 0 && (items[0].Texts.Count > 0) != (item.Texts.Count > 0))
                    throw new InvalidDataException(item.Texts.Count == 0
                        ? $"{path}:{n}: has no \"references\" or \"description\" but line {items[0].Line} has"
                        : $"{path}:{n}: has references but line {items[0].Line} has none");
                items.Add(item);
            }
        }
        if (items.Count == 0) throw new InvalidDataException($"{path}: no items");
        return items;
    }

    private static EvalItem Parse(JsonElement r, string path, int n)
    {
        if (r.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}:{n}: expected a JSON object, found {r.ValueKind.ToString().ToLowerInvariant()}");
        string? Str(string name, bool required)
        {
            if (!r.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
                return required ? throw new InvalidDataException($"{path}:{n}: \"{name}\" is missing") : null;
            if (v.ValueKind != JsonValueKind.String) throw new InvalidDataException($"{path}:{n}: \"{name}\" must be a string, found {v.ValueKind.ToString().ToLowerInvariant()}");
            var s = v.GetString()!;
            if (string.IsNullOrWhiteSpace(s)) throw new InvalidDataException($"{path}:{n}: \"{name}\" is empty");
            return s;
        }
        List<string> Strings(string name)
        {
            if (!r.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return [];
            if (v.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{path}:{n}: \"{name}\" must be an array of strings, found {v.ValueKind.ToString().ToLowerInvariant()}");
            var list = new List<string>();
            foreach (var e in v.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString()))
                    throw new InvalidDataException($"{path}:{n}: \"{name}\" must hold non-empty strings, found {(e.ValueKind == JsonValueKind.String ? "an empty string" : e.ValueKind.ToString().ToLowerInvariant())}");
                list.Add(e.GetString()!);
            }
            return list;
        }

        var id = Str("id", required: true)!;
        var sceneType = Str("scene_type", required: false) ?? "unspecified";
        var prompt = Str("prompt", required: false);
        var scene = Str("scene", required: false);
        if (prompt is null && scene is null) throw new InvalidDataException($"{path}:{n}: needs a \"prompt\" or a \"scene\"");
        prompt ??= PromptTemplates.Apply(PromptTemplates.Describe, scene!);
        scene ??= SceneOf(prompt);
        var references = Strings("references");
        if (r.TryGetProperty("references", out var refs) && refs.ValueKind == JsonValueKind.Array && references.Count == 0)
            throw new InvalidDataException($"{path}:{n}: \"references\" is empty");
        if (references.Count == 0 && Str("description", required: false) is { } description) references.Add(description);
        return new EvalItem(n, id, sceneType, scene, prompt, references, Strings("keywords"));
    }

    /// <summary>The scene of a prompt: the text after the first ':' ("Describe this image: a cat"), or after
    /// "... shows" ("This image shows a cat"), or the whole prompt.</summary>
    public static string SceneOf(string prompt)
    {
        var colon = prompt.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) return prompt[(colon + 1)..].Trim();
        var shows = prompt.IndexOf(" shows ", StringComparison.OrdinalIgnoreCase);
        return shows >= 0 ? prompt[(shows + 7)..].Trim() : prompt.Trim();
    }
}

/// <summary>
/// The nearest-neighbour retrieval baseline: for each evaluated scene, the description of the training line whose
/// scene is most similar. Similarity is the cosine of TF-IDF vectors over the scenes' words (PTB tokens, lower-case,
/// punctuation removed): term frequency = count in the scene, idf(w) = ln((1 + N) / (1 + df(w))) + 1 with N the number
/// of distinct training scenes and df(w) how many of them contain w. Ties go to the training line that comes first in
/// the file, so the baseline is deterministic. The prompt's template is ignored.
/// </summary>
public static class NearestNeighbour
{
    /// <summary>A training scene and the first training line that has it.</summary>
    private sealed record Candidate(string Scene, EvalItem First, Dictionary<string, double> Vector, double Norm);

    /// <summary>Runs the baseline over <paramref name="items"/>.</summary>
    public static SystemRun Run(IReadOnlyList<EvalItem> train, IReadOnlyList<EvalItem> items)
    {
        var clock = Stopwatch.StartNew();
        var firstByScene = new Dictionary<string, EvalItem>(StringComparer.Ordinal);
        foreach (var t in train) firstByScene.TryAdd(t.Scene, t);
        var scenes = firstByScene.Keys.ToList();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in scenes)
            foreach (var w in PtbTokenizer.Tokenize(s).Distinct())
                df[w] = df.GetValueOrDefault(w) + 1;
        int count = scenes.Count;
        double Idf(string w) => Math.Log((1.0 + count) / (1.0 + df.GetValueOrDefault(w))) + 1.0;
        (Dictionary<string, double> Vector, double Norm) Vectorize(string scene)
        {
            var v = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var w in PtbTokenizer.Tokenize(scene)) v[w] = v.GetValueOrDefault(w) + 1;
            foreach (var w in v.Keys.ToList()) v[w] *= Idf(w);
            return (v, Math.Sqrt(v.Values.Sum(x => x * x)));
        }
        var candidates = scenes.Select(s => { var (v, norm) = Vectorize(s); return new Candidate(s, firstByScene[s], v, norm); }).ToList();

        var outputs = new List<SystemOutput>(items.Count);
        foreach (var item in items)
        {
            var (q, qNorm) = Vectorize(item.Scene);
            Candidate? best = null;
            double bestScore = double.NegativeInfinity;
            foreach (var c in candidates)
            {
                double dot = 0;
                foreach (var (w, x) in q)
                    if (c.Vector.TryGetValue(w, out var y)) dot += x * y;
                double score = qNorm == 0 || c.Norm == 0 ? 0 : dot / (qNorm * c.Norm);
                if (score > bestScore || (score == bestScore && c.First.Line < best!.First.Line))
                {
                    best = c;
                    bestScore = score;
                }
            }
            outputs.Add(new SystemOutput(item, best!.First.Texts[0], best.Scene, bestScore));
        }
        clock.Stop();
        var perf = new Performance(items.Count, clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds / items.Count,
            null, null, null, null, null, null, null, null, BenchmarkPlan.PeakRss());
        return new SystemRun(EvalCommand.BaselineName, "nearest-neighbour retrieval (TF-IDF cosine over scene words)", outputs, perf);
    }
}

/// <summary>What one system produced for one item; <paramref name="Neighbour"/> and <paramref name="Similarity"/> are
/// set by the retrieval baseline only.</summary>
/// <param name="Item">The evaluated item.</param>
/// <param name="Text">The narration.</param>
/// <param name="Neighbour">The training scene the baseline retrieved.</param>
/// <param name="Similarity">Its TF-IDF cosine similarity to the item's scene.</param>
public sealed record SystemOutput(EvalItem Item, string Text, string? Neighbour, double? Similarity);

/// <summary>Speed and memory of one system; model-only fields are null for the baseline.</summary>
/// <param name="Descriptions">Descriptions produced.</param>
/// <param name="WallSeconds">Wall time from the first submission to the last completion.</param>
/// <param name="SecondsPerDescription">Wall time / descriptions (with several sequences in flight).</param>
/// <param name="MeanLatencySeconds">Mean time from submission to the end of one narration (queueing included).</param>
/// <param name="DecodeTokensPerSecond">Generated tokens of all narrations / wall time.</param>
/// <param name="MeanStreamDecodeTokensPerSecond">Mean of each narration's own decode rate (tokens after the first).</param>
/// <param name="GeneratedTokens">Tokens generated in all.</param>
/// <param name="MeanGeneratedTokens">Tokens per description.</param>
/// <param name="StoppedByLength">Narrations that hit max_new_tokens.</param>
/// <param name="PromptsCut">Prompts cut from the left to fit.</param>
/// <param name="LoadSeconds">Model load time.</param>
/// <param name="PeakRssBytes">Peak resident memory of the process so far (VmHWM; 0 where unavailable).</param>
public sealed record Performance(int Descriptions, double WallSeconds, double SecondsPerDescription, double? MeanLatencySeconds,
    double? DecodeTokensPerSecond, double? MeanStreamDecodeTokensPerSecond, long? GeneratedTokens, double? MeanGeneratedTokens,
    int? StoppedByLength, int? PromptsCut, double? LoadSeconds, long PeakRssBytes);

/// <summary>One evaluated system: its outputs and its performance.</summary>
/// <param name="Name">Report key ("model" or "nn").</param>
/// <param name="Description">What it is.</param>
/// <param name="Outputs">One output per item, in set order.</param>
/// <param name="Performance">Speed and memory.</param>
public sealed record SystemRun(string Name, string Description, IReadOnlyList<SystemOutput> Outputs, Performance Performance);

/// <summary>Command-line settings recorded in the report.</summary>
/// <param name="Model">Model file, if any.</param>
/// <param name="Baseline">Baseline name, if any.</param>
/// <param name="Train">Training set of the baseline, if any.</param>
/// <param name="Samples">--samples, if given.</param>
/// <param name="MaxSequences">Scheduler sequences.</param>
/// <param name="MaxPromptTokens">Prompt limit.</param>
/// <param name="Device">ggml device.</param>
/// <param name="Threads">CPU threads (0: one per core).</param>
/// <param name="Context">KV-cache cells.</param>
/// <param name="CacheType">KV-cache type.</param>
public sealed record EvalSettings(string? Model, string? Baseline, string? Train, int? Samples, int MaxSequences, int MaxPromptTokens,
    string Device, int Threads, int Context, string CacheType);

/// <summary>Scores of one system: caption metrics (null without references) and narrator metrics, with the caption
/// metrics per scene type.</summary>
/// <param name="Run">The system's run.</param>
/// <param name="Caption">coco-caption scores over the whole set.</param>
/// <param name="CaptionByType">Per scene type: CIDEr-D and ROUGE-L are means of the per-item scores of the whole-set
/// computation (CIDEr-D's idf is over the whole set), BLEU is recomputed over the type's items.</param>
/// <param name="Narration">Narrator metrics overall and per scene type.</param>
public sealed record ScoredSystem(SystemRun Run, CocoScores? Caption, IReadOnlyDictionary<string, (double Cider, BleuResult Bleu, double RougeL)>? CaptionByType, NarrationReport Narration);

/// <summary>Scores every system and writes report.json, report.md, references.json and results-NAME.json.</summary>
public sealed class EvalReport
{
    private readonly string _setName;
    private readonly string _setPath;
    private readonly IReadOnlyList<EvalItem> _items;
    private readonly SamplingSettings _sampling;
    private readonly EvalSettings _settings;
    private readonly int _examplesPerType;
    private readonly bool _hasReferences;
    private readonly List<string> _types;

    /// <summary>Scores the systems.</summary>
    public EvalReport(string setName, string setPath, IReadOnlyList<EvalItem> items, IReadOnlyList<SystemRun> systems,
        SamplingSettings sampling, EvalSettings settings, int examplesPerType)
    {
        _setName = setName;
        _setPath = setPath;
        _items = items;
        _sampling = sampling;
        _settings = settings;
        _examplesPerType = examplesPerType;
        _hasReferences = items[0].Texts.Count > 0;
        _types = items.Select(i => i.SceneType).Distinct().ToList();
        var keywords = items.SelectMany(i => i.Keywords).Distinct().ToList();
        var options = new NarrationOptions(RelevanceKeywords: keywords.Count > 0 ? keywords : null);
        Scored = systems.Select(s => Score(s, options)).ToList();
    }

    /// <summary>The scored systems, in run order.</summary>
    public IReadOnlyList<ScoredSystem> Scored { get; }

    private ScoredSystem Score(SystemRun run, NarrationOptions options)
    {
        var narration = NarrationMetrics.Evaluate(run.Outputs.Select(o => new NarrationSample(o.Text, o.Item.SceneType, o.Item.Scene)).ToList(), options);
        if (!_hasReferences) return new ScoredSystem(run, null, null, narration);
        var captionItems = run.Outputs.Select(o => new CaptionItem(o.Item.Id,
            o.Item.Texts.Select(t => (IReadOnlyList<string>)PtbTokenizer.Tokenize(t)).ToList(), PtbTokenizer.Tokenize(o.Text))).ToList();
        var scores = CocoScorer.Score(captionItems);
        var byType = new Dictionary<string, (double, BleuResult, double)>(StringComparer.Ordinal);
        foreach (var type in _types)
        {
            var subset = captionItems.Where((c, k) => run.Outputs[k].Item.SceneType == type).ToList();
            byType[type] = (subset.Average(c => scores.PerItem[c.Id].Cider), Bleu.Compute(subset), subset.Average(c => scores.PerItem[c.Id].RougeL));
        }
        return new ScoredSystem(run, scores, byType, narration);
    }

    /// <summary>Writes the report files into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "report.json"), Json());
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown());
        if (_hasReferences)
            File.WriteAllText(Path.Combine(folder, "references.json"),
                JsonSerializer.Serialize(_items.ToDictionary(i => i.Id, i => i.Texts), JsonOptions));
        foreach (var s in Scored)
            File.WriteAllText(Path.Combine(folder, $"results-{s.Run.Name}.json"),
                JsonSerializer.Serialize(s.Run.Outputs.ToDictionary(o => o.Item.Id, o => o.Text), JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    /// <summary>The metric keys of an "overall" or per-scene-type object, in order.</summary>
    public static readonly IReadOnlyList<string> MetricKeys =
    [
        "count", "CIDEr", "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L",
        "mean_length", "distinct_1", "distinct_2", "repeated_3gram_rate", "adjective_coverage", "adjective_density", "content_richness",
        "seed_coherence_rate", "seed_relevance_rate", "seed_artifact_rate", "raw_artifact_rate", "seed_success_rate",
        "seed_literal_success_rate", "scene_recall", "non_word_rate", "well_formed_start_rate",
    ];

    private static IEnumerable<(string Key, double? Value)> Metrics(NarrationScores n, double? cider, BleuResult? bleu, double? rouge) =>
    [
        ("count", n.Count), ("CIDEr", cider), ("Bleu_1", bleu?.Scores[0]), ("Bleu_2", bleu?.Scores[1]), ("Bleu_3", bleu?.Scores[2]),
        ("Bleu_4", bleu?.Scores[3]), ("ROUGE_L", rouge), ("mean_length", n.MeanLength), ("distinct_1", n.Distinct1), ("distinct_2", n.Distinct2),
        ("repeated_3gram_rate", n.Repeated3GramRate), ("adjective_coverage", n.AdjectiveCoverage), ("adjective_density", n.AdjectiveDensity),
        ("content_richness", n.ContentRichness), ("seed_coherence_rate", n.SeedCoherenceRate), ("seed_relevance_rate", n.SeedRelevanceRate),
        ("seed_artifact_rate", n.SeedArtifactRate), ("raw_artifact_rate", n.RawArtifactRate), ("seed_success_rate", n.SeedSuccessRate),
        ("seed_literal_success_rate", n.SeedLiteralSuccessRate), ("scene_recall", n.SceneRecall), ("non_word_rate", n.NonWordRate),
        ("well_formed_start_rate", n.WellFormedStartRate),
    ];

    private IEnumerable<(string Key, double? Value)> Overall(ScoredSystem s) =>
        Metrics(s.Narration.Overall, s.Caption?.Cider, s.Caption?.Bleu, s.Caption?.RougeL);

    private IEnumerable<(string Key, double? Value)> OfType(ScoredSystem s, string type) =>
        s.CaptionByType is { } by
            ? Metrics(s.Narration.BySceneType[type], by[type].Cider, by[type].Bleu, by[type].RougeL)
            : Metrics(s.Narration.BySceneType[type], null, null, null);

    private string Json()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("set");
            w.WriteString("name", _setName);
            w.WriteString("path", _setPath);
            w.WriteNumber("items", _items.Count);
            w.WriteBoolean("references", _hasReferences);
            w.WriteStartArray("scene_types");
            foreach (var t in _types) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("settings");
            WriteNullable(w, "model", _settings.Model);
            WriteNullable(w, "baseline", _settings.Baseline);
            WriteNullable(w, "train", _settings.Train);
            if (_settings.Samples is int n) w.WriteNumber("samples", n); else w.WriteNull("samples");
            w.WriteNumber("max_sequences", _settings.MaxSequences);
            w.WriteNumber("max_prompt_tokens", _settings.MaxPromptTokens);
            w.WriteString("device", _settings.Device);
            w.WriteNumber("threads", _settings.Threads);
            w.WriteNumber("context", _settings.Context);
            w.WriteString("cache_type", _settings.CacheType);
            w.WriteStartObject("sampling");
            var s = _sampling;
            w.WriteNumber("temperature", s.Temperature);
            w.WriteNumber("top_k", s.TopK);
            w.WriteNumber("top_p", s.TopP);
            w.WriteNumber("min_p", s.MinP);
            w.WriteNumber("typical_p", s.TypicalP);
            w.WriteNumber("repetition_penalty", s.RepetitionPenalty);
            w.WriteNumber("penalty_last_n", s.PenaltyLastN);
            w.WriteNumber("presence_penalty", s.PresencePenalty);
            w.WriteNumber("frequency_penalty", s.FrequencyPenalty);
            w.WriteNumber("no_repeat_ngram_size", s.NoRepeatNgramSize);
            w.WriteNumber("xtc_probability", s.XtcProbability);
            w.WriteNumber("xtc_threshold", s.XtcThreshold);
            w.WriteNumber("mirostat", s.Mirostat);
            w.WriteNumber("mirostat_tau", s.MirostatTau);
            w.WriteNumber("mirostat_eta", s.MirostatEta);
            w.WriteNumber("seed", s.Seed);
            w.WriteNumber("max_new_tokens", s.MaxNewTokens);
            w.WriteStartArray("stop");
            foreach (var stop in s.StopStrings) w.WriteStringValue(stop);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("systems");
            foreach (var sys in Scored)
            {
                w.WriteStartObject(sys.Run.Name);
                w.WriteString("description", sys.Run.Description);
                w.WriteStartObject("overall");
                WriteMetrics(w, Overall(sys));
                w.WriteEndObject();
                w.WriteStartObject("by_scene_type");
                foreach (var type in _types)
                {
                    w.WriteStartObject(type);
                    WriteMetrics(w, OfType(sys, type));
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                WritePerformance(w, sys.Run.Performance);
                w.WriteStartArray("samples");
                foreach (var o in Examples(sys.Run))
                {
                    w.WriteStartObject();
                    w.WriteString("id", o.Item.Id);
                    w.WriteString("scene_type", o.Item.SceneType);
                    w.WriteString("prompt", o.Item.Prompt);
                    w.WriteString("narration", o.Text);
                    if (o.Neighbour is not null) w.WriteString("retrieved_scene", o.Neighbour);
                    if (o.Similarity is double sim) w.WriteNumber("similarity", sim);
                    if (o.Item.Texts.Count > 0) w.WriteString("reference", o.Item.Texts[0]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("narrations");
                foreach (var o in sys.Run.Outputs) w.WriteString(o.Item.Id, o.Text);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();

            var model = Scored.FirstOrDefault(x => x.Run.Name == EvalCommand.ModelName);
            var nn = Scored.FirstOrDefault(x => x.Run.Name == EvalCommand.BaselineName);
            if (model?.Caption is not null && nn?.Caption is not null)
            {
                w.WriteStartObject("comparison");
                w.WriteString("metric", "CIDEr");
                w.WriteNumber(EvalCommand.ModelName, model.Caption.Cider);
                w.WriteNumber(EvalCommand.BaselineName, nn.Caption.Cider);
                w.WriteBoolean("model_beats_baseline", model.Caption.Cider > nn.Caption.Cider);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteString(name, value);
    }

    private static void WriteMetrics(Utf8JsonWriter w, IEnumerable<(string Key, double? Value)> metrics)
    {
        foreach (var (key, value) in metrics)
        {
            if (value is not double v) w.WriteNull(key);
            else if (key == "count") w.WriteNumber(key, (int)v);
            else w.WriteNumber(key, v);
        }
    }

    private static void WritePerformance(Utf8JsonWriter w, Performance p)
    {
        w.WriteStartObject("performance");
        w.WriteNumber("descriptions", p.Descriptions);
        w.WriteNumber("wall_seconds", p.WallSeconds);
        w.WriteNumber("seconds_per_description", p.SecondsPerDescription);
        void Opt(string name, double? value)
        {
            if (value is double v) w.WriteNumber(name, v); else w.WriteNull(name);
        }
        Opt("mean_latency_seconds", p.MeanLatencySeconds);
        Opt("decode_tokens_per_second", p.DecodeTokensPerSecond);
        Opt("mean_stream_decode_tokens_per_second", p.MeanStreamDecodeTokensPerSecond);
        Opt("generated_tokens", p.GeneratedTokens);
        Opt("mean_generated_tokens", p.MeanGeneratedTokens);
        Opt("stopped_by_length", p.StoppedByLength);
        Opt("prompts_cut", p.PromptsCut);
        Opt("load_seconds", p.LoadSeconds);
        w.WriteNumber("peak_rss_bytes", p.PeakRssBytes);
        w.WriteEndObject();
    }

    /// <summary>The first few outputs of each scene type, in set order.</summary>
    private IEnumerable<SystemOutput> Examples(SystemRun run) =>
        _types.SelectMany(t => run.Outputs.Where(o => o.Item.SceneType == t).Take(_examplesPerType));

    private static string F(double? v, string format = "F4") => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static readonly (string Key, string Label, string Format)[] TableRows =
    [
        ("CIDEr", "CIDEr-D", "F4"), ("Bleu_1", "BLEU-1", "F4"), ("Bleu_2", "BLEU-2", "F4"), ("Bleu_3", "BLEU-3", "F4"), ("Bleu_4", "BLEU-4", "F4"),
        ("ROUGE_L", "ROUGE-L", "F4"), ("mean_length", "mean words", "F1"), ("distinct_1", "distinct-1", "F3"), ("distinct_2", "distinct-2", "F3"),
        ("repeated_3gram_rate", "repeated 3-gram rate", "F4"), ("adjective_coverage", "adjective coverage", "F3"),
        ("adjective_density", "adjective density", "F3"), ("content_richness", "content richness", "F3"),
        ("seed_coherence_rate", "seed coherence", "F3"), ("seed_relevance_rate", "seed relevance", "F3"),
        ("seed_artifact_rate", "seed artifacts (after cleaning)", "F3"), ("raw_artifact_rate", "artifacts (raw text)", "F3"),
        ("seed_success_rate", "seed success (scene recall >= 0.5)", "F3"), ("seed_literal_success_rate", "seed success (seed's checks only)", "F3"),
        ("scene_recall", "scene recall", "F3"), ("non_word_rate", "non-word rate", "F4"), ("well_formed_start_rate", "well-formed starts", "F3"),
    ];

    private string Markdown()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"# narrator eval: {_setName} ({_items.Count} items)");
        sb.AppendLine();
        sb.AppendLine(inv, $"- set: `{_setPath}`{(_settings.Samples is int n ? $" (first {n} items)" : "")}, scene types: {string.Join(", ", _types)}");
        foreach (var s in Scored) sb.AppendLine(inv, $"- `{s.Run.Name}`: {s.Run.Description}");
        var p = _sampling;
        sb.AppendLine(inv, $"- sampling: temperature {p.Temperature}, top-k {p.TopK}, top-p {p.TopP}, repetition penalty {p.RepetitionPenalty}, no-repeat n-gram {p.NoRepeatNgramSize}, max new tokens {p.MaxNewTokens}, seed {p.Seed}; {_settings.MaxSequences} sequences, prompts cut at {_settings.MaxPromptTokens} tokens, device {_settings.Device}");
        sb.AppendLine(_hasReferences
            ? "- caption metrics: coco-caption CIDEr-D, BLEU-1..4, ROUGE-L against the set's references, PTB tokenizer on the raw text (docs/metrics.md)"
            : "- the set has no references: caption metrics are not computed");
        sb.AppendLine();

        sb.AppendLine("## Overall");
        sb.AppendLine();
        sb.AppendLine("| metric | " + string.Join(" | ", Scored.Select(s => s.Run.Name)) + " |");
        sb.AppendLine("|---|" + string.Concat(Scored.Select(_ => "---:|")));
        foreach (var (key, label, format) in TableRows)
            sb.AppendLine($"| {label} | " + string.Join(" | ", Scored.Select(s => F(Overall(s).First(m => m.Key == key).Value, format))) + " |");
        sb.AppendLine();

        sb.AppendLine("## Per scene type");
        foreach (var s in Scored)
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"### {s.Run.Name}");
            sb.AppendLine();
            var columns = new[] { "CIDEr", "Bleu_4", "ROUGE_L", "mean_length", "distinct_2", "repeated_3gram_rate", "adjective_coverage", "content_richness", "seed_relevance_rate", "seed_success_rate", "scene_recall", "non_word_rate", "well_formed_start_rate" };
            sb.AppendLine("| scene type | items | " + string.Join(" | ", columns.Select(c => TableRows.First(r => r.Key == c).Label)) + " |");
            sb.AppendLine("|---|---:|" + string.Concat(columns.Select(_ => "---:|")));
            foreach (var type in _types)
            {
                var m = OfType(s, type).ToDictionary(x => x.Key, x => x.Value);
                sb.AppendLine($"| {type} | {F(m["count"], "F0")} | " + string.Join(" | ", columns.Select(c => F(m[c], TableRows.First(r => r.Key == c).Format))) + " |");
            }
        }
        sb.AppendLine();

        sb.AppendLine("## Speed and memory");
        sb.AppendLine();
        sb.AppendLine("| | " + string.Join(" | ", Scored.Select(s => s.Run.Name)) + " |");
        sb.AppendLine("|---|" + string.Concat(Scored.Select(_ => "---:|")));
        void Row(string label, Func<Performance, string> value) =>
            sb.AppendLine($"| {label} | " + string.Join(" | ", Scored.Select(s => value(s.Run.Performance))) + " |");
        Row("seconds per description (wall / items)", x => F(x.SecondsPerDescription, "F4"));
        Row("mean latency per description (s)", x => F(x.MeanLatencySeconds, "F3"));
        Row("decode tokens/s (all sequences)", x => F(x.DecodeTokensPerSecond, "F1"));
        Row("decode tokens/s (per narration, mean)", x => F(x.MeanStreamDecodeTokensPerSecond, "F1"));
        Row("tokens per description", x => F(x.MeanGeneratedTokens, "F1"));
        Row("stopped by max new tokens", x => x.StoppedByLength?.ToString(inv) ?? "–");
        Row("prompts cut to fit", x => x.PromptsCut?.ToString(inv) ?? "–");
        Row("model load (s)", x => F(x.LoadSeconds, "F2"));
        Row("wall time (s)", x => F(x.WallSeconds, "F2"));
        Row("peak RSS of the process (MiB, VmHWM)", x => (x.PeakRssBytes / 1048576.0).ToString("F0", inv));
        sb.AppendLine();

        sb.AppendLine("## Sample narrations");
        foreach (var s in Scored)
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"### {s.Run.Name}");
            foreach (var o in Examples(s.Run))
            {
                sb.AppendLine();
                sb.AppendLine(inv, $"- **{o.Item.Id}** ({o.Item.SceneType}) *{o.Item.Prompt}*");
                sb.AppendLine(inv, $"  - narration: {OneLine(o.Text)}");
                if (o.Neighbour is not null) sb.AppendLine(inv, $"  - retrieved scene: {o.Neighbour} (similarity {F(o.Similarity, "F3")})");
                if (o.Item.Texts.Count > 0) sb.AppendLine(inv, $"  - reference: {OneLine(o.Item.Texts[0])}");
            }
        }
        return sb.ToString();
    }

    private static string OneLine(string text) => text.Length == 0 ? "(empty)" : text.ReplaceLineEndings(" ");
}
