using System.CommandLine;
using System.Diagnostics;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Evaluation.Reports;
using VisualNarrator.Evaluation.Runs;
using VisualNarrator.Evaluation.Sets;

namespace VisualNarrator.Cli.Commands;

/// <summary>
/// <c>narrator eval (--model M.gguf | --baseline nn | both) [--set NAME|FILE] [--samples N] [sampling options]
/// [--out DIR]</c>: narrates an evaluation set through the <see cref="NarrationScheduler"/> (several sequences at once)
/// and writes <c>report.md</c> and <c>report.json</c> (<see cref="EvalReport"/>). <c>--baseline nn</c> adds the
/// <see cref="NearestNeighbour"/> retrieval baseline scored by the same code. This command only reads its options,
/// shows progress and prints the headline numbers; missing or malformed set files exit with code 2 and one line naming
/// the file and line.
/// </summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var engine = new EngineOptions();
        engine.Model.Required = false;
        engine.Model.Description = "GGUF model to evaluate (may be left out with --baseline nn)";
        var sampling = new SamplingOptions();
        var set = new Option<string>("--set") { Description = "A set in the data folder by name (test, test-bare, validation, seed-benchmark, ...: DATA/NAME.jsonl) or a JSONL file of {\"id\",\"scene_type\",\"scene\"|\"prompt\",\"references\"|\"description\"}", DefaultValueFactory = _ => "test" };
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
            if (baselineName is not null && baselineName != NearestNeighbour.Name)
                throw new UsageException($"--baseline must be {NearestNeighbour.Name}, got '{baselineName}'");
            if (modelFile is null && baselineName is null) throw new UsageException("give --model, --baseline nn, or both");
            int sequences = parse.GetValue(maxSequences);
            if (sequences is < 1 or > 64) throw new UsageException($"--max-sequences must be in [1, 64], got {sequences}");
            int promptLimit = parse.GetValue(maxPrompt);
            if (promptLimit < 2) throw new UsageException($"--max-prompt-tokens must be >= 2, got {promptLimit}");
            int perType = parse.GetValue(examples);
            if (perType < 0) throw new UsageException($"--examples must be >= 0, got {perType}");

            var setName = parse.GetValue(set)!;
            var dataDir = parse.GetValue(data)?.FullName;
            var setPath = EvalSets.Resolve(setName, () => dataDir ?? FindDataFolder(setName));
            var items = EvalSets.Read(setPath);
            if (parse.GetValue(samples) is int n)
            {
                if (n < 1) throw new UsageException($"--samples must be >= 1, got {n}");
                items = items.Take(n).ToList();
            }
            List<EvalItem>? trainItems = null;
            string? trainPath = null;
            if (baselineName is not null)
            {
                trainPath = parse.GetValue(train)?.FullName ?? EvalSets.Resolve("train", () => dataDir ?? FindDataFolder("train"));
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
            if (modelFile is not null) systems.Add(RunModel(engine, parse, modelFile.FullName, items, settings, sequences, promptLimit, setPath));
            var report = new EvalReport(setName, setPath, items, systems, settings, new EvalSettings(
                modelFile?.FullName, baselineName, trainPath, parse.GetValue(samples), sequences, promptLimit,
                parse.GetValue(engine.Device)!, parse.GetValue(engine.Threads), parse.GetValue(engine.Context), parse.GetValue(engine.CacheType)!), perType);
            report.Write(outFolder.TempPath);
            outFolder.Commit();
            foreach (var s in report.Scored) Console.WriteLine(Headline(s));
            Console.WriteLine($"reports: {Path.Combine(outDir, "report.md")}, {Path.Combine(outDir, "report.json")}");
            return 0;
        }));
        return command;
    }

    /// <summary>The data folder when --data is not given: the first <c>data/</c> holding test.jsonl above the current
    /// directory, then above the tool.</summary>
    private static string FindDataFolder(string set) =>
        Path.GetDirectoryName(ProjectFiles.FindAbove(Path.Combine("data", "test.jsonl"))) ?? throw new FileNotFoundException(
            $"{set}: no data/ folder with test.jsonl above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}; pass --data DIR");

    private static SystemRun RunModel(EngineOptions engine, ParseResult parse, string modelPath, List<EvalItem> items,
        SamplingSettings settings, int sequences, int promptLimit, string setPath)
    {
        var load = Stopwatch.StartNew();
        using var model = engine.LoadModel(parse);
        load.Stop();
        // The progress line only once the model is known good: a bad model gets its one error line alone.
        Console.Error.WriteLine($"narrator: narrating {items.Count} item(s) from {setPath} with {sequences} sequence(s)");
        // Every engine option (context, cache type, flash attention) reaches the scheduler as the one InferenceOptions.
        var options = new SchedulerOptions { MaxSequences = sequences, Inference = engine.Inference(parse) };
        return ModelRun.Run(model, modelPath, load.Elapsed.TotalSeconds, items, settings, options, promptLimit);
    }

    private static string Headline(ScoredSystem s)
    {
        var n = s.Narration.Overall;
        var narrator = $"seed success {n.SeedSuccessRate:F3}, scene recall {n.SceneRecall:F3}, {n.MeanLength:F1} words";
        return s.Caption is null
            ? $"{s.Run.Name}: {narrator}"
            : $"{s.Run.Name}: CIDEr-D {s.Caption.Cider:F4}, BLEU-4 {s.Caption.Bleu.Scores[3]:F4}, ROUGE-L {s.Caption.RougeL:F4}, {narrator}";
    }
}
