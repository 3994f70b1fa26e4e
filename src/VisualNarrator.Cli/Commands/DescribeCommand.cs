using System.CommandLine;
using System.Diagnostics;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator describe --model M.gguf SCENE_OR_PROMPT</c>: streams a narration to stdout (greedy for now).
/// A bare scene is put into the chosen prompt template; the prompt itself is never printed.</summary>
public static class DescribeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var engine = new EngineOptions();
        var scene = new Argument<string>("SCENE_OR_PROMPT") { Description = "A scene (\"a busy city street\") or a full prompt" };
        var template = new Option<string>("--template") { Description = $"Prompt template for a bare scene: {string.Join(", ", PromptTemplates.ByName.Keys)}", DefaultValueFactory = _ => "describe" };
        var maxNew = new Option<int>("--max-new-tokens", "-n") { Description = "Most tokens to generate", DefaultValueFactory = _ => 80 };
        var maxPrompt = new Option<int>("--max-prompt-tokens") { Description = "Prompts longer than this are cut from the left (the seed model cuts at 128)", DefaultValueFactory = _ => PromptWindow.DefaultMaxPromptTokens };
        var command = new Command("describe", "Narrate a scene, streaming the description") { scene, template, maxNew, maxPrompt };
        engine.AddTo(command);
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var templateName = parse.GetValue(template)!;
            if (!PromptTemplates.ByName.TryGetValue(templateName, out var templateText))
                throw new ArgumentException($"--template must be one of {string.Join(", ", PromptTemplates.ByName.Keys)}, got '{templateName}'");
            var newTokens = parse.GetValue(maxNew);
            if (newTokens < 1) throw new ArgumentException($"--max-new-tokens must be >= 1, got {newTokens}");
            var promptLimit = parse.GetValue(maxPrompt);
            if (promptLimit < 2) throw new ArgumentException($"--max-prompt-tokens must be >= 2, got {promptLimit}");

            var load = Stopwatch.StartNew();
            using var model = engine.LoadModel(parse);
            load.Stop();
            using var ctx = new InferenceContext(model, engine.Inference(parse));
            var prompt = PromptTemplates.ToPrompt(parse.GetValue(scene)!, templateText);
            var narrator = new GreedyNarrator(ctx);
            var clock = Stopwatch.StartNew();
            TimeSpan? first = null;
            var count = 0;
            foreach (var piece in narrator.Narrate(prompt, newTokens, promptLimit,
                         fitted => { if (fitted.Truncated) Console.Error.WriteLine($"narrator: the prompt was cut from the left by {fitted.DroppedTokens} tokens to fit {promptLimit}"); }))
            {
                first ??= clock.Elapsed;
                if (piece.TokenId >= 0) count++;
                Console.Write(piece.Text);
                Console.Out.Flush();
            }
            clock.Stop();
            Console.WriteLine();
            var decodeSeconds = (clock.Elapsed - (first ?? TimeSpan.Zero)).TotalSeconds;
            Console.Error.WriteLine($"narrator: {count} tokens, load {load.Elapsed.TotalSeconds:F2} s, first token {first?.TotalSeconds ?? 0:F2} s, " +
                                    $"decode {(count > 1 && decodeSeconds > 0 ? (count - 1) / decodeSeconds : 0):F1} tokens/s");
            return 0;
        }));
        return command;
    }
}
