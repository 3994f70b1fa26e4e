using System.CommandLine;
using System.Diagnostics;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Serving;
using Spectre.Console;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator describe [--model M.gguf] SCENE_OR_PROMPT [sampling options]</c>: streams a narration to stdout.
/// A bare scene is put into the chosen prompt template; the prompt itself is never printed. Runs through the same
/// scheduler the web app uses. <c>--input SCENES --output RESULTS</c> narrates every scene of a .txt, .csv or .jsonl file
/// into a .jsonl or .csv file, with a progress bar.</summary>
public static class DescribeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var engine = new EngineOptions();
        engine.Model.Required = false;
        engine.Model.Description = "GGUF model file (default: the built-in models/narrator.gguf)";
        var sampling = new SamplingOptions();
        var scene = new Argument<string?>("SCENE_OR_PROMPT") { Description = "A scene (\"a busy city street\") or a full prompt; - reads it from stdin", Arity = ArgumentArity.ZeroOrOne };
        var promptFile = new Option<FileInfo?>("--prompt-file", "-f") { Description = "Read the scene or prompt from this file (UTF-8) instead of the command line" };
        var input = new Option<string?>("--input") { Description = "Narrate every scene of this file instead: .txt (one a line), .csv (a 'scene' column) or .jsonl (a 'scene' field)" };
        var output = new Option<string?>("--output") { Description = "With --input: write the narrations here, as .jsonl or .csv" };
        var template = new Option<string?>("--template") { Description = $"Prompt template for a bare scene, by name: the model's own (stored in its GGUF), else the seed's {string.Join(", ", PromptTemplates.ByName.Keys)} (default: the model's default)" };
        var maxPrompt = new Option<int>("--max-prompt-tokens") { Description = "Prompts longer than this are cut from the left (the seed model cuts at 128)", DefaultValueFactory = _ => PromptWindow.DefaultMaxPromptTokens };
        var command = new Command("describe", "Narrate a scene, streaming the description (or a file of scenes with --input)") { scene, promptFile, template, maxPrompt, input, output };
        engine.AddTo(command);
        sampling.AddTo(command);
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var templateName = parse.GetValue(template);
            var promptLimit = parse.GetValue(maxPrompt);
            if (promptLimit < 2) throw new UsageException($"--max-prompt-tokens must be >= 2, got {promptLimit}");
            var settings = sampling.Build(parse);
            var inputPath = parse.GetValue(input);
            var sceneText = parse.GetValue(scene);
            if (inputPath is not null)
            {
                if (sceneText is not null || parse.GetValue(promptFile) is not null) throw new UsageException("give either SCENE_OR_PROMPT (or --prompt-file) or --input FILE, not both");
                var outputPath = parse.GetValue(output) ?? throw new UsageException("--input needs --output FILE (.jsonl or .csv)");
                if (Path.GetExtension(outputPath).ToLowerInvariant() is not (".jsonl" or ".csv"))
                    throw new UsageException($"--output {outputPath}: expected a .jsonl or .csv file");
                if (!File.Exists(inputPath)) throw new FileNotFoundException($"scene file not found: {inputPath}", inputPath);
                var scenes = SceneFile.Parse(inputPath, File.ReadAllText(inputPath));
                using var batchModel = engine.LoadModel(parse);
                var templateText = batchModel.Prompts.Template(templateName, "--template");
                using var batchScheduler = new NarrationScheduler(batchModel,
                    new SchedulerOptions { MaxSequences = BatchSequences, QueueCapacity = scenes.Count, Inference = engine.Inference(parse) });
                return RunBatch(batchScheduler, scenes, templateText, batchModel.Prompts.Templates.Values, settings, promptLimit, outputPath);
            }
            if (parse.GetValue(output) is not null) throw new UsageException("--output needs --input FILE");
            var text = PromptInput.Read(sceneText, parse.GetValue(promptFile), Console.In);

            var load = Stopwatch.StartNew();
            using var model = engine.LoadModel(parse);
            load.Stop();
            var singleTemplate = model.Prompts.Template(templateName, "--template");
            using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 1, QueueCapacity = 0, Inference = engine.Inference(parse) });
            var prompt = PromptTemplates.ToPrompt(text, singleTemplate, model.Prompts.Templates.Values);
            var stream = scheduler.Submit(new NarrationRequest(prompt, settings, promptLimit, Alternatives: 0));
            if (stream.PromptTokensDropped > 0)
                Console.Error.WriteLine($"narrator: the prompt was cut from the left by {stream.PromptTokensDropped} tokens to fit {promptLimit}");
            return Run(stream, load.Elapsed, model.ThreadChoice).GetAwaiter().GetResult();
        }));
        return command;
    }

    /// <summary>Scenes of a file narrated together (batched decoding).</summary>
    public const int BatchSequences = 4;

    /// <summary>Narrates every scene (all queued at once, decoded a few at a time), shows a progress bar, writes the
    /// results (a failed scene gets its error) through a temp file. Exit code 0 when every scene was narrated, 1 otherwise.</summary>
    private static int RunBatch(NarrationScheduler scheduler, IReadOnlyList<SceneItem> scenes, string template, IEnumerable<string> knownTemplates, Engine.Sampling.SamplingSettings settings, int promptLimit, string outputPath)
    {
        var results = new SceneResult[scenes.Count];
        var runs = new (NarrationStream? Stream, string Prompt, string? Error)[scenes.Count];
        for (var i = 0; i < scenes.Count; i++)
        {
            var prompt = PromptTemplates.ToPrompt(scenes[i].Scene, template, knownTemplates);
            try { runs[i] = (scheduler.Submit(new NarrationRequest(prompt, settings, promptLimit, Alternatives: 0)), prompt, null); }
            catch (NarrationRejectedException ex) { runs[i] = (null, prompt, ex.Message); }
        }
        var clock = Stopwatch.StartNew();
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape($"narrating {scenes.Count} scenes"), maxValue: scenes.Count);
                for (var i = 0; i < scenes.Count; i++)
                {
                    var (stream, prompt, error) = runs[i];
                    if (stream is not null)
                    {
                        try
                        {
                            var r = stream.Completion.GetAwaiter().GetResult();
                            results[i] = new SceneResult(scenes[i].Id, scenes[i].Scene, prompt, r.Text.Trim(), r.Finish == FinishReason.Length ? "length" : "stop", settings.Seed, r.Timings.GeneratedTokens, null);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            error = ex.Message;
                        }
                    }
                    results[i] ??= new SceneResult(scenes[i].Id, scenes[i].Scene, prompt, "", "error", settings.Seed, 0, error);
                    task.Increment(1);
                }
            });
        SceneFile.Write(outputPath, results);
        var failed = results.Count(r => r.Error is not null);
        Console.Error.WriteLine($"narrator: {scenes.Count - failed} of {scenes.Count} scenes narrated in {clock.Elapsed.TotalSeconds:F1} s -> {outputPath}" +
                                (failed > 0 ? $"; {failed} failed (see their \"error\")" : ""));
        return failed == 0 ? 0 : 1;
    }

    private static async Task<int> Run(NarrationStream stream, TimeSpan load, ThreadChoice? threads)
    {
        await foreach (var piece in stream)
        {
            Console.Write(TerminalText.Escape(piece.Text, keepNewlines: true)); // a model's vocabulary is file content too
            Console.Out.Flush();
        }
        var result = await stream.Completion;
        Console.WriteLine();
        var t = result.Timings;
        Console.Error.WriteLine($"narrator: {t.GeneratedTokens} tokens ({result.Finish.ToString().ToLowerInvariant()}), load {load.TotalSeconds:F2} s, " +
                                $"first token {t.TimeToFirstToken.TotalSeconds:F2} s, decode {t.DecodeTokensPerSecond:F1} tokens/s" +
                                (threads is null ? "" : $", {threads}"));
        return 0;
    }
}
