using System.CommandLine;
using System.Diagnostics;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator describe [--model M.gguf] SCENE_OR_PROMPT [sampling options]</c>: streams a narration to stdout.
/// A bare scene is put into the chosen prompt template; the prompt itself is never printed. Runs through the same
/// scheduler the web app uses.</summary>
public static class DescribeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var engine = new EngineOptions();
        engine.Model.Required = false;
        engine.Model.Description = "GGUF model file (default: the built-in models/narrator.gguf)";
        var sampling = new SamplingOptions();
        var scene = new Argument<string>("SCENE_OR_PROMPT") { Description = "A scene (\"a busy city street\") or a full prompt" };
        var template = new Option<string>("--template") { Description = $"Prompt template for a bare scene: {string.Join(", ", PromptTemplates.ByName.Keys)}", DefaultValueFactory = _ => "describe" };
        var maxPrompt = new Option<int>("--max-prompt-tokens") { Description = "Prompts longer than this are cut from the left (the seed model cuts at 128)", DefaultValueFactory = _ => PromptWindow.DefaultMaxPromptTokens };
        var command = new Command("describe", "Narrate a scene, streaming the description") { scene, template, maxPrompt };
        engine.AddTo(command);
        sampling.AddTo(command);
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var templateName = parse.GetValue(template)!;
            if (!PromptTemplates.ByName.TryGetValue(templateName, out var templateText))
                throw new ArgumentException($"--template must be one of {string.Join(", ", PromptTemplates.ByName.Keys)}, got '{templateName}'");
            var promptLimit = parse.GetValue(maxPrompt);
            if (promptLimit < 2) throw new ArgumentException($"--max-prompt-tokens must be >= 2, got {promptLimit}");
            var settings = sampling.Build(parse);

            var load = Stopwatch.StartNew();
            using var model = engine.LoadModel(parse);
            load.Stop();
            var inference = engine.Inference(parse);
            using var scheduler = new NarrationScheduler(model, new SchedulerOptions(MaxSequences: 1, QueueCapacity: 0,
                ContextSize: inference.ContextSize == 0 ? model.Hyperparameters.ContextLength : inference.ContextSize, CacheType: inference.CacheType, FlashAttention: inference.FlashAttention));
            var prompt = PromptTemplates.ToPrompt(parse.GetValue(scene)!, templateText);
            var stream = scheduler.Submit(new NarrationRequest(prompt, settings, promptLimit, Alternatives: 0));
            if (stream.PromptTokensDropped > 0)
                Console.Error.WriteLine($"narrator: the prompt was cut from the left by {stream.PromptTokensDropped} tokens to fit {promptLimit}");
            return Run(stream, load.Elapsed, model.ThreadChoice).GetAwaiter().GetResult();
        }));
        return command;
    }

    private static async Task<int> Run(NarrationStream stream, TimeSpan load, ThreadChoice? threads)
    {
        await foreach (var piece in stream)
        {
            Console.Write(piece.Text);
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
