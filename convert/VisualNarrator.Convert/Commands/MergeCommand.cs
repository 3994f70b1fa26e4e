using VisualNarrator.Convert.IO;
using System.CommandLine;
using Spectre.Console;
using VisualNarrator.Convert.Operations;

namespace VisualNarrator.Convert.Commands;

/// <summary><c>convert merge --model HF_DIR --lora ADAPTER_DIR --out HF_DIR2</c>.</summary>
public static class MergeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Base HuggingFace OPT checkpoint folder", Required = true };
        var lora = new Option<string>("--lora") { Description = "PEFT LoRA adapter folder", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Merged checkpoint folder", Required = true };
        var dtype = new Option<string?>("--dtype") { Description = "Stored dtype of the merged weights: f32, f16 or bf16 (default: as the base)" };
        var format = new Option<string>("--format") { Description = "Weight file: safetensors or bin", DefaultValueFactory = _ => "safetensors" };
        var force = new Option<bool>("--force") { Description = "Replace an existing output folder" };
        var command = new Command("merge", "Merge a LoRA adapter into its base model and write a HuggingFace checkpoint") { model, lora, output, dtype, format, force };
        command.SetAction(parse => CommandRunner.Run(_ =>
        {
            var options = new MergeOptions(parse.GetValue(model)!, parse.GetValue(lora)!, parse.GetValue(output)!,
                parse.GetValue(dtype) is { } d ? Options.ParseDType(d) : null, Options.ParseFormat(parse.GetValue(format)!), parse.GetValue(force));
            var warnings = CommandRunner.WithProgress("merge", task => Merging.Run(options, new SyncProgress<(string Phase, double Fraction)>(p =>
            {
                task.Description = p.Phase;
                task.Value = p.Phase == "loading" ? p.Fraction * 0.5 : 0.5 + p.Fraction * 0.5;
            })));
            foreach (var w in warnings) CommandRunner.Warn(w);
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(options.Output))}[/]");
            return 0;
        }));
        return command;
    }
}
