using VisualNarrator.Convert.IO;
using System.CommandLine;
using Spectre.Console;
using VisualNarrator.Convert.Operations;

namespace VisualNarrator.Convert.Commands;

/// <summary><c>convert to-gguf --model HF_DIR [--lora ADAPTER_DIR] --out FILE.gguf --type f32|f16|bf16</c>.</summary>
public static class ToGgufCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HuggingFace OPT checkpoint folder", Required = true };
        var lora = new Option<string?>("--lora") { Description = "PEFT LoRA adapter folder to merge on the fly" };
        var output = new Option<string>("--out", "-o") { Description = "Output GGUF file", Required = true };
        var type = new Option<string>("--type") { Description = "Weight type: f32, f16, bf16, or quantized through the engine's quantizer: q8_0, q6_k, q5_k_m, q4_k_m, q4_0", DefaultValueFactory = _ => "f16" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder, when the checkpoint folder has none" };
        var force = new Option<bool>("--force") { Description = "Replace an existing output file" };
        var promptTemplates = new Option<string[]>("--prompt-template")
        {
            Description = "Prompt template the model was trained with, stored in the file as NAME=TEXT with {scene} (repeatable; the first is the default), or 'seed' for the seed's four",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("to-gguf", "Convert a HuggingFace OPT checkpoint (and a LoRA adapter) to the engine's opt GGUF") { model, lora, output, type, tokenizer, force, promptTemplates };
        command.SetAction(parse => CommandRunner.Run(cancel =>
        {
            var (weightType, quantize) = GgufConversion.ParseTarget(parse.GetValue(type)!);
            var options = new ToGgufOptions(parse.GetValue(model)!, parse.GetValue(output)!, weightType,
                parse.GetValue(lora), parse.GetValue(tokenizer), parse.GetValue(force), quantize,
                GgufConversion.ParsePromptTemplates(parse.GetValue(promptTemplates) ?? []));
            var warnings = CommandRunner.WithProgress($"to-gguf {Path.GetFileName(options.Output)}", task =>
                GgufConversion.Convert(options, new SyncProgress<(string Phase, double Fraction)>(p =>
                {
                    task.Description = Markup.Escape($"{p.Phase} {Path.GetFileName(options.Output)}");
                    task.Value = p.Phase switch
                    {
                        "loading" => p.Fraction * 0.4,
                        "writing" => 0.4 + p.Fraction * (options.Quantize is null ? 0.6 : 0.3),
                        _ => 0.7 + p.Fraction * 0.3,
                    };
                }), cancel));
            foreach (var w in warnings) CommandRunner.Warn(w);
            var path = Path.GetFullPath(options.Output);
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/] ({new FileInfo(path).Length / (1024.0 * 1024.0):F1} MiB)");
            return 0;
        }));
        return command;
    }
}
