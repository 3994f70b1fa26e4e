using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LLama;
using LLama.Native;
using Spectre.Console;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator bench (--model M.gguf | --shape opt-125m|opt-1.3b|opt-2.7b --type T) [--anchor]</c>: load time,
/// prefill and decode rates, seconds per 80-token description, peak RSS and aggregate decode at 1, 4 and 8 sequences;
/// with <c>--anchor</c>, llama.cpp on a gpt2 model of identical shape and type in the same run. Each engine is
/// measured in a fresh child process so peak RSS is its own, and with <c>--repeat N</c> the engines take turns, round by
/// round (each ratio then shows its range over the rounds); with <c>--interleave</c> the speed figures come from one
/// child that loads both engines and measures them in turns, window by window. <c>--contention N</c> keeps N busy
/// threads running in this process while each engine is measured. Cached models are written under a temporary name
/// and renamed when complete, and a cached file that does not open as complete GGUF is made again.</summary>
public static class BenchCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model", "-m") { Description = "An opt GGUF to measure" };
        var shape = new Option<string?>("--shape") { Description = $"Measure a random-weight model of this shape instead: {string.Join(", ", ModelShapes.Opt.Keys)}" };
        var type = new Option<string>("--type") { Description = "With --shape: weight type (f16, q8_0, q6_k, q5_k_m, q4_k_m, q4_0)", DefaultValueFactory = _ => "q4_k_m" };
        var anchor = new Option<bool>("--anchor") { Description = "Also measure llama.cpp on a gpt2 model of identical shape and type" };
        var threads = new Option<int>("--threads", "-t") { Description = "CPU threads (0: automatic for this engine, one per core for llama.cpp)", DefaultValueFactory = _ => 0 };
        var repeat = new Option<int>("--repeat") { Description = "Rounds (1 to 50): each loads and measures every engine in a fresh process, alternating their order; each figure is the median of the rounds (peak RSS the largest), and with --anchor each ratio also shows its range over the rounds", DefaultValueFactory = _ => 1 };
        var contention = new Option<int>("--contention") { Description = "Busy background threads running while each engine is measured (a machine shared with other work)", DefaultValueFactory = _ => 0 };
        var cacheDir = new Option<DirectoryInfo?>("--cache-dir") { Description = "Where generated models are kept between runs (default: ~/.cache/visual-narrator/bench)" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var interleave = new Option<bool>("--interleave") { Description = "With --anchor: measure both engines' speeds in one process, taking turns window by window, so both meet the same drift in machine speed (load time and peak RSS still come from a fresh process per engine)" };
        var engine = new Option<string?>("--engine") { Description = "Internal: measure one engine (narrator or llama.cpp) on --model, or both (interleaved, llama.cpp on --anchor-model), in this process and print JSON", Hidden = true };
        var oneWindow = new Option<bool>("--one-window") { Description = "Internal: one window per measurement (load time and peak RSS only)", Hidden = true };
        var anchorModel = new Option<FileInfo?>("--anchor-model") { Description = "Internal: with --engine interleaved, llama.cpp's file", Hidden = true };
        var device = new Option<string>("--device") { Description = "ggml device for this engine: cpu, or a GPU (see narrator devices)", DefaultValueFactory = _ => "cpu" };
        var gpuLayers = new Option<string?>("--gpu-layers", "-ngl") { Description = "With a GPU --device: layers there, comma-separated to compare splits, e.g. 0,half,all (each is one column)" };
        var repack = new Option<string>("--repack") { Description = "This engine's Q4_0/Q4_K matmul weights in the CPU backend's repacked layout: on (default) or off, to compare", DefaultValueFactory = _ => "on" };
        var bandwidth = new Option<bool>("--bandwidth") { Description = "Also measure each file's decode bounds: memory read bandwidth (1 GiB, this engine's thread count) ÷ bytes read per token, and the same type's decode kernels with their weights in cache (small models kept in the cache directory) ÷ bytes read per token" };
        var backends = EngineOptions.BackendOption();
        var command = new Command("bench", "Measure load time, prefill and decode speed, memory, and batching gains")
            { model, shape, type, anchor, interleave, threads, repeat, contention, cacheDir, json, engine, anchorModel, oneWindow, device, gpuLayers, repack, bandwidth, backends };
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var rounds = parse.GetValue(repeat);
            if (rounds is < 1 or > 50) throw new UsageException($"--repeat must be 1 to 50 rounds, got {rounds}");
            var plan = new BenchmarkPlan(Threads: parse.GetValue(threads), Repeats: rounds);
            if (parse.GetValue(oneWindow)) plan = plan with { MinSeconds = 0 };
            var deviceName = parse.GetValue(device)!;
            var repackWeights = parse.GetValue(repack) switch
            {
                "on" => true,
                "off" => false,
                var other => throw new UsageException($"--repack must be on or off, got '{other}'"),
            };
            var backendPaths = (parse.GetValue(backends) ?? []).Select(Path.GetFullPath).ToArray();
            // Checked before anything is generated: each split must parse (the device is checked by the first run).
            var splits = parse.GetValue(gpuLayers) is { } list
                ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Engine.Placement.GpuLayers.Parse).ToArray()
                : [];
            if (parse.GetValue(engine) is { } which)
            {
                var file = parse.GetValue(model)?.FullName ?? throw new UsageException("--engine needs --model");
                var placement = new ModelLoadOptions(deviceName, GpuLayers: splits.Length > 0 ? splits[0] : null, BackendPaths: backendPaths,
                    RepackWeights: repackWeights);
                IReadOnlyList<BenchmarkResult> result = which switch
                {
                    // Phases on stderr: a child that dies says in which phase (the parent shows stderr on failure).
                    "narrator" => [EngineBenchmark.Run(file, plan, phase => Console.Error.WriteLine($"narrator: {phase}"), placement)],
                    "llama.cpp" => [LlamaCppBenchmark.Run(file, plan)],
                    "interleaved" => InterleavedBenchmark.Run(file, parse.GetValue(anchorModel)?.FullName ?? throw new UsageException("--engine interleaved needs --anchor-model"),
                        plan, phase => Console.Error.WriteLine($"interleaved: {phase}"), placement),
                    _ => throw new UsageException($"--engine must be narrator, llama.cpp or interleaved, got '{which}'"),
                };
                Console.WriteLine(JsonSerializer.Serialize(result, Json));
                return 0;
            }

            if ((parse.GetValue(model) is null) == (parse.GetValue(shape) is null))
                throw new UsageException("give exactly one of --model and --shape");
            var interleaved = parse.GetValue(interleave);
            if (interleaved && !parse.GetValue(anchor)) throw new UsageException("--interleave needs --anchor (it measures both engines in one process)");
            if (interleaved && splits.Length > 1) throw new UsageException("--interleave takes at most one --gpu-layers split");
            var busy = parse.GetValue(contention);
            if (busy is < 0 or > 1024) throw new UsageException($"--contention must be 0 to 1024 busy threads, got {busy}");
            _quiet = parse.GetValue(json);
            var cache = parse.GetValue(cacheDir)?.FullName
                        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "visual-narrator", "bench");
            Directory.CreateDirectory(cache);
            var typeName = parse.GetValue(type)!.ToLowerInvariant();

            string ours;
            ModelHyperparameters hp;
            double? ourQuantize = null;
            if (parse.GetValue(model) is { } given)
            {
                ours = given.FullName;
                var file = GgufFile.Open(ours);
                hp = FitsPlan(ModelHyperparameters.Read(file, file.GetString(GgufKeys.Architecture)), plan);
                typeName = DominantType(file);
            }
            else
            {
                hp = FitsPlan(ModelShapes.Get(parse.GetValue(shape)!), plan);
                (ours, ourQuantize) = Prepare(cache, parse.GetValue(shape)!, "opt", hp, typeName, QuantizeOurs);
            }
            var columns = new List<Column>();
            if (splits.Length == 0) columns.Add(new Column(Label(deviceName, null), "narrator", ours, deviceName, null, backendPaths, repackWeights, ourQuantize));
            foreach (var split in splits)
                columns.Add(new Column(Label(deviceName, split), "narrator", ours, deviceName, split.ToString(), backendPaths, repackWeights, ourQuantize));
            if (parse.GetValue(anchor))
            {
                var shapeName = parse.GetValue(shape) ?? $"{hp.EmbeddingLength}x{hp.BlockCount}";
                // llama.cpp's gpt2 is pre-LN without projections: the anchor has the same layers, without OPT-350m's
                // post-LN order and 512-wide embedding.
                var anchorHp = hp with { LayerNormBefore = true, TokenEmbeddingLength = null };
                var (gpt2, llamaQuantize) = Prepare(cache, shapeName, "gpt2", anchorHp, typeName, QuantizeWithLlamaCpp);
                columns.Add(new Column("llama.cpp", "llama.cpp", gpt2, "cpu", null, [], true, llamaQuantize));
            }
            var results = interleaved ? MeasureInterleaved(columns[0], columns[1], plan, busy) : MeasureInRounds(columns, plan, busy);
            var rows = columns.Zip(results, (c, r) => (c.Label, Result: r, c.QuantizeSeconds)).ToList();

            BandwidthResult? memory = null;
            KernelThroughputResult? kernels = null;
            if (parse.GetValue(bandwidth))
            {
                // Same threads as this engine used and the same busy threads, so the bounds are for the conditions measured.
                var threadCount = rows[0].Result.Threads;
                Status($"measuring memory read bandwidth ({threadCount} threads)", () =>
                {
                    using var load = new BackgroundLoad(busy);
                    memory = MemoryBandwidth.MeasureRead(threads: threadCount);
                });
                if (QuantizationPreset.TryParse(typeName, out var preset))
                    Status($"measuring {typeName} decode kernels with their weights in cache ({threadCount} threads)", () =>
                    {
                        using var load = new BackgroundLoad(busy);
                        kernels = KernelThroughput.Measure(cache, preset, threadCount);
                    });
            }
            // Bytes one decode step reads, per file: each opened once (its metadata holds the whole vocabulary).
            Dictionary<string, double> bytesPerToken = memory is null ? [] : rows.Select(r => r.Result.Model).Distinct()
                .ToDictionary(m => m, m => (double)MemoryBandwidth.DecodeBytesPerToken(GgufFile.Open(m), hp.BlockCount, hp.EmbeddingLength, DecodeCachedTokens(plan)));
            double? Bound(BenchmarkResult r) => memory is null ? null : memory.BytesPerSecond / bytesPerToken[r.Model];
            double? KernelBound(BenchmarkResult r) => kernels is null ? null : kernels.BytesPerSecond / bytesPerToken[r.Model];

            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
                {
                    r.Label, r.Result, r.QuantizeSeconds, Contention = busy, Interleaved = interleaved,
                    BandwidthBytesPerSecond = memory?.BytesPerSecond, DecodeBoundTokensPerSecond = Bound(r.Result),
                    KernelBytesPerSecond = kernels?.BytesPerSecond, KernelBoundTokensPerSecond = KernelBound(r.Result),
                }), Json));
            else Print(rows, hp, typeName, busy, plan.Repeats, interleaved, memory, Bound, kernels, KernelBound);
            return 0;
        }));
        return command;
    }

    /// <summary>Refuses, before anything is generated or run, a model too short for the plan's positions.</summary>
    private static ModelHyperparameters FitsPlan(ModelHyperparameters hp, BenchmarkPlan plan) => hp.ContextLength >= plan.PositionsNeeded ? hp
        : throw new UsageException($"bench needs a model with at least {plan.PositionsNeeded} positions; this one has {hp.ContextLength}");

    /// <summary>The file's type as a preset name, which is what the anchor is quantized to: the preset of its
    /// <c>general.file_type</c>, else the preset whose weights have the type of the bulk of the file's (ffn_up of layer
    /// 0), else that ggml type's name. A Q4_K file must come out as q4_k_m, not q4_k, which llama.cpp's quantizer
    /// refuses as ambiguous (Q4_K_S or Q4_K_M).</summary>
    private static string DominantType(GgufFile file)
    {
        if (file.GetIntegerOrNull(GgufKeys.FileType) is { } fileType && QuantizationPreset.All.FirstOrDefault(p => p.FileType == fileType) is { } byFileType)
            return byFileType.Name;
        var bulk = (file.FindTensor(TensorNames.Tn(ModelTensor.FfnUp, layer: 0)) ?? file.Tensors.MaxBy(t => t.ByteSize)!).Type;
        return QuantizationPreset.All.FirstOrDefault(p => p.DefaultType == bulk)?.Name ?? GgmlTypeInfo.Name(bulk).ToLowerInvariant();
    }

    /// <summary>Makes (or reuses from the cache) a random F16 model of the shape and converts it to the type.</summary>
    private static (string Path, double? QuantizeSeconds) Prepare(string cache, string shape, string arch, ModelHyperparameters hp, string type,
        Func<string, string, string, double> quantize)
    {
        var f16 = Path.Combine(cache, $"{shape}-{arch}-f16.gguf");
        if (!CachedFileUsable(f16))
        {
            var spec = OptTokenizer.FromGpt2Ranks().Spec;
            if (hp.VocabSize > spec.Count) spec = spec.PadTo(hp.VocabSize);
            Status($"writing random {arch} {shape} F16", () => RandomModelWriter.Write(f16, arch, hp, spec, GgmlType.F16));
        }
        if (type == "f16") return (f16, null);
        var target = Path.Combine(cache, $"{shape}-{arch}-{type}.gguf");
        double? seconds = null;
        if (!CachedFileUsable(target)) seconds = quantize(f16, target, type);
        return (target, seconds);
    }

    private static bool CachedFileUsable(string path)
    {
        var usable = BenchmarkCache.TryReuse(path, out var problem);
        if (problem is not null) Console.Error.WriteLine($"narrator: {problem}");
        return usable;
    }

    private static double QuantizeOurs(string input, string output, string type)
    {
        var preset = QuantizationPreset.All.FirstOrDefault(p => p.Name == type)
                     ?? throw new UsageException($"--type must be one of {string.Join(", ", QuantizationPreset.All.Select(p => p.Name))}, got '{type}'");
        // As for llama.cpp's quantizer below: the native libraries load before the clock starts, so neither time
        // includes them (the first quantize of a run would otherwise carry them for ours alone).
        GgmlLibrary.EnsureLoaded();
        var clock = Stopwatch.StartNew();
        Status($"quantizing to {type} (narrator)", () => ModelQuantizer.Quantize(input, output, preset));
        return clock.Elapsed.TotalSeconds;
    }

    private static double QuantizeWithLlamaCpp(string input, string output, string type)
    {
        GgmlLibrary.EnsureLoaded();
        var clock = Stopwatch.StartNew();
        var ok = false;
        // llama.cpp writes in place; a temp name renamed when done means an interrupted run leaves no file to reuse.
        var temp = $"{output}.{Environment.ProcessId}.partial";
        try
        {
            Status($"quantizing to {type} (llama.cpp)", () => ok = LLamaQuantizer.Quantize(input, temp, type, Environment.ProcessorCount));
            if (!ok) throw new InvalidOperationException($"llama.cpp could not quantize {input} to {type}");
            var seconds = clock.Elapsed.TotalSeconds;
            File.Move(temp, output, overwrite: true);
            return seconds;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Spinner on the terminal; in --json mode a line on stderr, so stdout stays one JSON document.</summary>
    private static void Status(string what, Action action)
    {
        if (_quiet)
        {
            Console.Error.WriteLine($"narrator: {what}");
            action();
        }
        else
        {
            AnsiConsole.Status().Start(what, _ => action());
        }
    }

    private static bool _quiet;

    /// <summary>Column label: <c>narrator</c> on the CPU, else e.g. <c>Vulkan0 -ngl half</c>.</summary>
    private static string Label(string device, Engine.Placement.GpuLayers? split) =>
        device.Equals("cpu", StringComparison.OrdinalIgnoreCase) ? "narrator" : $"{device} -ngl {split?.ToString() ?? "all"}";

    /// <summary>One column of the table: an engine on a file, where it runs, and how long making the file took.</summary>
    private sealed record Column(string Label, string Engine, string Model, string Device, string? Split, string[] Backends, bool Repack,
        double? QuantizeSeconds);

    /// <summary>
    /// Measures every column <see cref="BenchmarkPlan.Repeats"/> times, each time in a fresh child process, round by
    /// round, with the order reversed every other round: on a shared or virtual machine the speed available drifts over
    /// minutes, and measuring one engine's rounds all before the other's put that drift into the ratio. Each figure is
    /// the median of a column's rounds (<see cref="BenchmarkResult.Median"/>), load time included.
    /// </summary>
    private static List<BenchmarkResult> MeasureInRounds(IReadOnlyList<Column> columns, BenchmarkPlan plan, int contention)
    {
        var rounds = columns.Select(_ => new List<BenchmarkResult>()).ToArray();
        for (var round = 0; round < plan.Repeats; round++)
        {
            var order = Enumerable.Range(0, columns.Count).ToList();
            if (round % 2 == 1) order.Reverse();
            var label = plan.Repeats > 1 ? $", round {round + 1} of {plan.Repeats}" : "";
            foreach (var i in order) rounds[i].Add(Measure(columns[i], plan with { Repeats = 1 }, contention, label));
        }
        return rounds.Select(BenchmarkResult.Median).ToList();
    }

    /// <summary>
    /// With <c>--interleave</c>: load time and peak RSS from a fresh process per engine and round, as without it, but
    /// running one window of each measurement (every graph the speed figures use, so the peak is the same); the speed
    /// figures from one process that loads both engines and measures them in turns, window by window
    /// (<see cref="InterleavedBenchmark"/>), with the plan's rounds.
    /// </summary>
    private static List<BenchmarkResult> MeasureInterleaved(Column ours, Column anchor, BenchmarkPlan plan, int contention)
    {
        var separate = MeasureInRounds([ours, anchor], plan with { MinSeconds = 0 }, contention);
        var pair = ours with { Label = "both engines in turns", Engine = "interleaved" };
        var speeds = RunChild(pair, plan, contention, "", ["--anchor-model", anchor.Model]);
        return [.. separate.Zip(speeds, (s, speed) => speed with
        {
            LoadSeconds = s.LoadSeconds,
            PeakRssBytes = s.PeakRssBytes,
            // Round k's load and peak RSS with round k's speeds, so every figure has its spread over the rounds.
            Rounds = s.Rounds is { } loads && speed.Rounds is { } speedRounds && loads.Count == speedRounds.Count
                ? [.. loads.Zip(speedRounds, (l, r) => r with { LoadSeconds = l.LoadSeconds, PeakRssBytes = l.PeakRssBytes })]
                : null,
        })];
    }

    /// <summary>Runs one engine's measurements in a child process (this same tool, hidden --engine option).</summary>
    private static BenchmarkResult Measure(Column column, BenchmarkPlan plan, int contention, string round) =>
        RunChild(column, plan, contention, round, []).Single();

    /// <summary>Runs a column's child process (this same tool, hidden --engine option) and reads the results it prints.</summary>
    private static BenchmarkResult[] RunChild(Column column, BenchmarkPlan plan, int contention, string round, string[] extra)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        foreach (var a in new[] { "bench", "--engine", column.Engine, "--model", column.Model, "--threads", plan.Threads.ToString(CultureInfo.InvariantCulture),
                     "--repeat", plan.Repeats.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        if (plan.MinSeconds == 0) psi.ArgumentList.Add("--one-window");
        foreach (var a in new[] { "--device", column.Device, "--repack", column.Repack ? "on" : "off" }
                     .Concat(column.Split is null ? [] : ["--gpu-layers", column.Split]).Concat(column.Backends.SelectMany(b => new[] { "--backend", b })).Concat(extra))
            psi.ArgumentList.Add(a);
        string stdout = "", stderr = "";
        Status($"measuring {column.Label} on {Path.GetFileName(column.Model)}" + (contention > 0 ? $" with {contention} busy threads" : "") + round, () =>
        {
            using var load = new BackgroundLoad(contention);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            stderr = err.Result;
            if (p.ExitCode != 0) throw new InvalidOperationException($"{column.Engine} benchmark failed (exit {p.ExitCode}): {stderr.Trim()}");
        });
        // --json keeps stdout to JSON and reports on stderr; the child's phases (and any backend log) go there too.
        if (_quiet && stderr.Length > 0) Console.Error.Write(stderr);
        return JsonSerializer.Deserialize<BenchmarkResult[]>(stdout.Trim().Split('\n')[^1], Json)
               ?? throw new InvalidOperationException($"{column.Engine} benchmark printed no result");
    }

    /// <summary>Mean number of cached tokens behind each step of the single-stream decode measurement.</summary>
    private static int DecodeCachedTokens(BenchmarkPlan plan) => plan.PromptTokens + plan.DecodeTokens / 2;

    private static void Print(List<(string Label, BenchmarkResult Result, double? QuantizeSeconds)> rows, ModelHyperparameters hp, string type, int contention, int repeats,
        bool interleaved, BandwidthResult? memory, Func<BenchmarkResult, double?> bound, KernelThroughputResult? kernels,
        Func<BenchmarkResult, double?> kernelBound)
    {
        AnsiConsole.MarkupLine($"[bold]{hp.EmbeddingLength} wide x {hp.BlockCount} layers, {type}[/], " +
                               string.Join(", ", rows.Select(r => $"{r.Label} {r.Result.Threads} threads")) +
                               (contention > 0 ? $", {contention} busy background threads" : "") +
                               (repeats > 1 ? $", medians of {repeats} rounds" : "") +
                               (interleaved ? "; speeds measured in one process, engines taking turns window by window; load and RSS each in a fresh process"
                                   : repeats > 1 ? " (each a fresh process, engines alternating)" : ""));
        var table = new Table().AddColumn("metric");
        foreach (var r in rows) table.AddColumn(new TableColumn(r.Label).RightAligned());
        var anchored = rows.Count == 2 && rows[1].Label == "llama.cpp";
        var spread = anchored && rows[0].Result.Rounds is { Count: > 1 };
        if (anchored) table.AddColumn(new TableColumn(spread ? "ours / llama.cpp (range over rounds)" : "ours / llama.cpp").RightAligned());
        void Row(string name, Func<BenchmarkResult, double> value, string format, bool higherIsBetter = true, bool ranged = true)
        {
            var cells = new List<string> { name };
            cells.AddRange(rows.Select(r => value(r.Result).ToString(format, CultureInfo.InvariantCulture)));
            if (anchored)
            {
                var ratio = EngineRatio.Of(rows[0].Result, rows[1].Result, value, higherIsBetter);
                cells.Add(Times(ratio.Ratio) + (ranged && ratio.Lowest is { } low && ratio.Highest is { } high ? $" ({Times(low)}-{Times(high)})" : ""));
            }
            table.AddRow(cells.ToArray());
        }
        static string Times(double ratio) => ratio.ToString("F2", CultureInfo.InvariantCulture) + "x";
        Row("file size (GiB)", r => r.FileBytes / (double)(1L << 30), "F2", higherIsBetter: false, ranged: false);
        Row("load (s)", r => r.LoadSeconds, "F2", higherIsBetter: false);
        Row("prefill 128 tok (tok/s)", r => r.PrefillTokensPerSecond, "F1");
        Row("decode (tok/s)", r => r.DecodeTokensPerSecond, "F2");
        Row("80-token description (s)", r => r.SecondsPerDescription, "F2", higherIsBetter: false);
        Row("peak RSS (GiB)", r => r.PeakRssBytes / (double)(1L << 30), "F2", higherIsBetter: false);
        foreach (var n in rows[0].Result.AggregateDecode.Keys)
            Row($"{n} sequences (tok/s total)", r => r.AggregateDecode[n], "F2");
        // A ratio of medians, which a range of per-round gains need not contain.
        Row("8 vs 1 sequence gain", r => r.AggregateDecode[8] / r.AggregateDecode[1], "F2", ranged: false);
        AnsiConsole.Write(table);
        foreach (var r in rows.Where(r => r.Result.RunsOn is { } where && where != "CPU"))
            AnsiConsole.MarkupLine($"{Markup.Escape(r.Label)}: {Markup.Escape(r.Result.RunsOn!)}");
        foreach (var r in rows.Where(r => r.QuantizeSeconds is not null))
            AnsiConsole.MarkupLine($"quantize from F16 ({r.Label}): {r.QuantizeSeconds:F1} s");
        if (memory is null) return;
        AnsiConsole.MarkupLine($"memory read bandwidth: {memory.BytesPerSecond / 1e9:F1} GB/s ({memory.Threads} threads, {memory.Bytes >> 20} MiB, fastest of {memory.Passes} passes)");
        if (kernels is not null)
            AnsiConsole.MarkupLine($"{kernels.Type} decode kernels, weights in cache: {kernels.BytesPerSecond / 1e9:F1} GB/s ({kernels.Threads} threads, {kernels.Width}-wide layers)");
        foreach (var r in rows)
        {
            var limit = bound(r.Result)!.Value;
            var compute = kernelBound(r.Result);
            var line = $"decode bound ({Markup.Escape(r.Label)}): memory {limit:F2} tok/s";
            if (compute is not null) line += $", kernels {compute:F2} tok/s";
            var tighter = Math.Min(limit, compute ?? double.MaxValue);
            AnsiConsole.MarkupLine($"{line}; measured {r.Result.DecodeTokensPerSecond:F2}, {100 * r.Result.DecodeTokensPerSecond / limit:F0}% of memory's" +
                                   (kernels is null ? "" : $", {100 * r.Result.DecodeTokensPerSecond / tighter:F0}% of the tighter"));
        }
    }
}
