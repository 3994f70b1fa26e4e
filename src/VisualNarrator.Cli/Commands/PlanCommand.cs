using System.CommandLine;
using System.Globalization;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;

namespace VisualNarrator.Cli.Commands;

/// <summary>
/// <c>narrator plan (--model M.gguf | --shape NAME --type T) [--context N] [--cache-type f16|f32] [--batch N]
/// [--memory 2,4,8]</c>: the device memory a model needs (weights, KV cache, compute buffer) and the split
/// <c>--gpu-layers auto</c> would choose on devices of the given sizes, computed by the same code <c>auto</c> uses.
/// </summary>
public static class PlanCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model", "-m") { Description = "GGUF model file" };
        var shape = new Option<string?>("--shape") { Description = $"Instead of --model: a shape ({string.Join(", ", ModelShapes.Opt.Keys)}), sized without any file" };
        var type = new Option<string>("--type") { Description = "With --shape: f32, or a quantization preset (f16, q8_0, q6_k, q5_k_m, q4_k_m, q4_0)", DefaultValueFactory = _ => "f16" };
        var context = new Option<int>("--context", "-c") { Description = "KV-cache cells (0, the default: the model's context length)", DefaultValueFactory = _ => new InferenceOptions().ContextSize };
        var cacheType = new Option<string>("--cache-type") { Description = "KV-cache element type: f16 or f32", DefaultValueFactory = _ => "f16" };
        var batch = new Option<int>("--batch") { Description = "Most tokens per decode (the largest graph's size)", DefaultValueFactory = _ => 512 };
        var memory = new Option<string>("--memory") { Description = "Free device memory to plan for, in GiB, comma-separated", DefaultValueFactory = _ => "2,4,8" };
        var command = new Command("plan", "Device memory a model needs and the --gpu-layers auto split for given device sizes") { model, shape, type, context, cacheType, batch, memory };
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var cells = parse.GetValue(context);
            var maxBatch = parse.GetValue(batch);
            if (cells < 0) throw new UsageException($"--context must be 0 or more, got {cells}");
            if (maxBatch < 1) throw new UsageException($"--batch must be positive, got {maxBatch}");
            var inference = new InferenceOptions(
                ContextSize: cells,
                CacheType: parse.GetValue(cacheType)!.ToLowerInvariant() switch
                {
                    "f16" => KvCacheType.F16,
                    "f32" => KvCacheType.F32,
                    var other => throw new UsageException($"--cache-type must be f16 or f32, got '{other}'"),
                },
                MaxBatchTokens: maxBatch);
            var sizes = parse.GetValue(memory)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var g) && g > 0 ? g
                    : throw new UsageException($"--memory must be comma-separated GiB sizes such as 2,4,8; got '{x}'")).ToArray();

            string name;
            MemoryNeeds needs;
            if (parse.GetValue(model) is { } file)
            {
                if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such model file");
                var gguf = GgufFile.Open(file.FullName);
                var arch = gguf.GetString(GgufKeys.Architecture);
                needs = MemoryNeeds.Of(gguf, ModelHyperparameters.Read(gguf, arch), inference);
                name = file.Name;
            }
            else if (parse.GetValue(shape) is { } shapeName)
            {
                var hp = ModelShapes.Get(shapeName);
                var t = parse.GetValue(type)!.ToLowerInvariant();
                needs = MemoryNeeds.OfShape(DecoderArchitecture.For("opt", shapeName), hp, t == "f32" ? null : QuantizationPreset.Parse(t), inference);
                name = $"{shapeName} {t.ToUpperInvariant()}";
            }
            else
            {
                throw new UsageException("give --model FILE.gguf or --shape NAME");
            }

            var contextText = cells == 0 ? "the model's context" : $"{cells} cells";
            Console.WriteLine($"{name}: {needs.LayerCount} layers; context {contextText} ({parse.GetValue(cacheType)} cache), batch {inference.MaxBatchTokens}");
            Console.WriteLine($"  weights  {OffloadPlanner.MiB(needs.WeightBytes),12}  ({OffloadPlanner.MiB(needs.LayerWeightBytes.Sum())} in layers, {OffloadPlanner.MiB(needs.OuterWeightBytes)} embeddings and head)");
            Console.WriteLine($"  KV cache {OffloadPlanner.MiB(needs.KvBytes),12}");
            Console.WriteLine($"  compute  {OffloadPlanner.MiB(needs.ComputeBytes),12}  (upper bound for the largest graph)");
            Console.WriteLine($"  total    {OffloadPlanner.MiB(needs.TotalBytes),12}");
            foreach (var gib in sizes)
            {
                var free = (long)(gib * (1L << 30));
                var plan = OffloadPlanner.Plan(needs, GpuLayers.Auto, $"a {gib.ToString(CultureInfo.InvariantCulture)} GiB device", free);
                Console.WriteLine($"  {gib.ToString(CultureInfo.InvariantCulture),4} GiB: {plan.DeviceLayers}/{plan.LayerCount} layers{(plan.OuterOnDevice ? " + embeddings and head" : "")}, {OffloadPlanner.MiB(plan.DeviceBytes)}");
            }
            return 0;
        }));
        return command;
    }
}
