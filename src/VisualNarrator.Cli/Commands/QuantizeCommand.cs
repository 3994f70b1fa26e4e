using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator quantize IN.gguf OUT.gguf --type q4_k_m [--threads N] [--force]</c>: converts an F32/F16/BF16 model to
/// f16, q8_0, q6_k, q5_k_m, q4_k_m or q4_0 with llama.cpp's per-tensor mix; the output appears only when complete.</summary>
public static class QuantizeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Argument<FileInfo>("IN") { Description = "Input GGUF model (F32, F16 or BF16 weights)" };
        var output = new Argument<FileInfo>("OUT") { Description = "Output GGUF file (written atomically)" };
        var type = new Option<string>("--type") { Description = $"Quantization type: {string.Join(", ", QuantizationPreset.All.Select(p => p.Name))}", Required = true };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads quantizing rows (0: one per core)", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force") { Description = "Replace an existing output file" };
        var command = new Command("quantize", "Quantize a GGUF model (llama.cpp's type names and tensor mix)") { input, output, type, threads, force };
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var preset = QuantizationPreset.Parse(parse.GetValue(type)!);
            var inPath = parse.GetValue(input)!.FullName;
            var outPath = parse.GetValue(output)!.FullName;
            OutputGuard.RefuseSameFile(inPath, outPath);
            OutputGuard.RefuseExisting(outPath, parse.GetValue(force));
            QuantizeResult? result = null;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"{preset.Name}: {Path.GetFileName(outPath)}", maxValue: 1);
                    // A synchronous IProgress: Progress<T> would post to the thread pool and could update after Start returns.
                    result = ModelQuantizer.Quantize(inPath, outPath, preset, new QuantizeOptions(parse.GetValue(threads)),
                        new InlineProgress(p =>
                        {
                            task.Description = Markup.Escape($"{preset.Name}: {p.Tensor} -> {GgmlTypeInfo.Name(p.Type)}");
                            task.Value = p.SourceBytesTotal == 0 ? 1 : (double)p.SourceBytesDone / p.SourceBytesTotal;
                        }));
                    task.Description = Markup.Escape($"{preset.Name}: {Path.GetFileName(outPath)}");
                    task.Value = 1;
                });
            var r = result!;
            var byType = r.Plan.Tensors.GroupBy(t => t.Type).OrderByDescending(g => g.Sum(t => t.ByteSize))
                .Select(g => $"{GgmlTypeInfo.Name(g.Key)} {g.Count()}");
            var fallbacks = r.Plan.Tensors.Count(t => t.Choice.FellBack);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"quantized {inPath} ({InspectCommand.FormatBytes(r.InputBytes)}) -> {r.OutputPath} ({InspectCommand.FormatBytes(r.OutputBytes)}, " +
                $"{100.0 * r.OutputBytes / r.InputBytes:F1}%) as {preset.Name} in {r.Elapsed.TotalSeconds:F2} s"));
            Console.WriteLine($"tensors: {string.Join(", ", byType)}" + (fallbacks > 0 ? $"; {fallbacks} fell back (row length)" : ""));
            return 0;
        }));
        return command;
    }

    private sealed class InlineProgress(Action<QuantizeProgress> report) : IProgress<QuantizeProgress>
    {
        public void Report(QuantizeProgress value) => report(value);
    }
}
