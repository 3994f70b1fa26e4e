using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;

namespace VisualNarrator.Fuzz;

/// <summary>
/// The robustness campaign (not a test; docs/robustness.md quotes its figures):
/// <c>gguf --mutants N [--seed S]</c> loads and evaluates N mutants of models/narrator.gguf and a tiny random model in
/// worker processes (a native crash or a hang is caught and reported, not fatal to the campaign), measuring each
/// mutant's peak RSS and managed allocation against the valid file's; <c>cli [--seed S]</c> runs the hostile
/// command-line table through narrator's Main.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        var opts = Options.Parse(args);
        return opts.Command switch
        {
            "gguf" => GgufCampaign(opts),
            "worker" => Worker(opts),
            "cli" => CliCampaign.Run(opts.Seed, opts.Repo),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: VisualNarrator.Fuzz gguf --mutants N [--seed S] [--chunk C] | cli [--seed S]");
        return 2;
    }

    internal static string FindRepo()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VisualNarrator.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VisualNarrator.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("run from inside the repository");
    }

    /// <summary>Per-worker results, summed by the parent (serialized as JSON between them).</summary>
#pragma warning disable CS1591 // plain data fields, named for what they hold
    public sealed class Stats
    {
        public int Mutants { get; set; }
        public Dictionary<string, int> Outcomes { get; set; } = [];
        public List<string> Violations { get; set; } = [];
        public long ValidPeakRss { get; set; }
        public long MaxMutantPeakRss { get; set; }
        public string MaxRssMutant { get; set; } = "";
        public long ValidAllocated { get; set; }
        public long MaxMutantAllocated { get; set; }
        public string MaxAllocMutant { get; set; } = "";
        public double SlowestSeconds { get; set; }
    }
#pragma warning restore CS1591

    private static int GgufCampaign(Options o)
    {
        var repo = o.Repo;
        var mutants = int.Parse(o.Get("--mutants", "5000"), CultureInfo.InvariantCulture);
        var chunk = int.Parse(o.Get("--chunk", "250"), CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("vn-fuzz").FullName;
        try
        {
            var tiny = Path.Combine(work, "tiny.gguf");
            RandomModelWriter.Write(tiny, "opt", ModelShapes.Get("tiny"), RandomModelWriter.TinyTokenizer(), GgmlType.F32, seed: 1, std: 0.3f);
            var models = new[] { Path.Combine(repo, "models", "narrator.gguf"), tiny };
            var total = new Stats();
            int crashes = 0, hangs = 0;
            var clock = Stopwatch.StartNew();
            for (var from = 0; from < mutants;)
            {
                var count = Math.Min(chunk, mutants - from);
                var statsFile = Path.Combine(work, "stats.json");
                var progressFile = Path.Combine(work, "current.txt");
                File.Delete(statsFile);
                var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false };
                foreach (var a in new[] { typeof(Program).Assembly.Location, "worker", "--from", from.ToString(CultureInfo.InvariantCulture),
                             "--count", count.ToString(CultureInfo.InvariantCulture), "--seed", o.Seed.ToString(CultureInfo.InvariantCulture),
                             "--stats", statsFile, "--progress", progressFile, "--work", work, "--models", string.Join(',', models) })
                    psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var done = p.WaitForExit(TimeSpan.FromSeconds(30 + 30.0 * count));
                var last = File.Exists(progressFile) ? File.ReadAllText(progressFile) : "?";
                if (!done)
                {
                    p.Kill(entireProcessTree: true);
                    hangs++;
                    Console.WriteLine($"HANG at {last}");
                }
                else if (p.ExitCode != 0 || !File.Exists(statsFile))
                {
                    crashes++;
                    Console.WriteLine($"CRASH (exit {p.ExitCode}) at {last}");
                }
                if (File.Exists(statsFile)) Merge(total, JsonSerializer.Deserialize<Stats>(File.ReadAllText(statsFile))!);
                // After a crash or hang, go on after the mutant that caused it.
                var next = from + count;
                if (!done || p.ExitCode != 0)
                    next = int.TryParse(last.Split(' ')[0], CultureInfo.InvariantCulture, out var at) ? at + 1 : from + count;
                from = next;
                Console.WriteLine($"{from}/{mutants} mutants, {clock.Elapsed.TotalMinutes:F1} min");
            }
            Console.WriteLine();
            Console.WriteLine($"| GGUF mutants (load + evaluate), seed {o.Seed} | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| mutants run | {total.Mutants} |");
            foreach (var (k, v) in total.Outcomes.OrderByDescending(kv => kv.Value)) Console.WriteLine($"| {k} | {v} |");
            Console.WriteLine($"| native crashes | {crashes} |");
            Console.WriteLine($"| hangs (> 30 s) | {hangs} |");
            Console.WriteLine($"| contract violations (other exceptions) | {total.Violations.Count} |");
            Console.WriteLine($"| slowest mutant | {total.SlowestSeconds:F2} s |");
            Console.WriteLine($"| peak RSS: valid file / worst mutant | {total.ValidPeakRss >> 20} MiB / {total.MaxMutantPeakRss >> 20} MiB ({(double)total.MaxMutantPeakRss / total.ValidPeakRss:F2}x; {total.MaxRssMutant}) |");
            Console.WriteLine($"| managed allocation: valid file / worst mutant | {total.ValidAllocated >> 20} MiB / {total.MaxMutantAllocated >> 20} MiB ({(double)total.MaxMutantAllocated / total.ValidAllocated:F2}x; {total.MaxAllocMutant}) |");
            Console.WriteLine($"| wall time | {clock.Elapsed.TotalMinutes:F1} min |");
            foreach (var v in total.Violations.Take(20)) Console.WriteLine($"violation: {v}");
            return crashes + hangs + total.Violations.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Merge(Stats total, Stats s)
    {
        total.Mutants += s.Mutants;
        foreach (var (k, v) in s.Outcomes) total.Outcomes[k] = total.Outcomes.GetValueOrDefault(k) + v;
        total.Violations.AddRange(s.Violations);
        total.ValidPeakRss = Math.Max(total.ValidPeakRss, s.ValidPeakRss);
        total.ValidAllocated = Math.Max(total.ValidAllocated, s.ValidAllocated);
        if (s.MaxMutantPeakRss > total.MaxMutantPeakRss) (total.MaxMutantPeakRss, total.MaxRssMutant) = (s.MaxMutantPeakRss, s.MaxRssMutant);
        if (s.MaxMutantAllocated > total.MaxMutantAllocated) (total.MaxMutantAllocated, total.MaxAllocMutant) = (s.MaxMutantAllocated, s.MaxAllocMutant);
        total.SlowestSeconds = Math.Max(total.SlowestSeconds, s.SlowestSeconds);
    }

    private static int Worker(Options o)
    {
        var from = int.Parse(o.Get("--from", "0"), CultureInfo.InvariantCulture);
        var count = int.Parse(o.Get("--count", "1"), CultureInfo.InvariantCulture);
        var work = o.Get("--work", Path.GetTempPath());
        var progress = o.Get("--progress", Path.Combine(work, "current.txt"));
        var models = o.Get("--models", "").Split(',');
        var mutators = models.Select(m => { var b = File.ReadAllBytes(m); return new Mutator(b, GgufLayout.Of(b)); }).ToArray();
        var stats = new Stats();
        var path = Path.Combine(work, $"mutant-{Environment.ProcessId}.gguf");
        // The valid files first: their peak RSS and allocation are the yardstick.
        foreach (var m in mutators)
        {
            File.WriteAllBytes(path, m.Valid);
            var (outcome, rss, alloc, _) = Measure(path);
            if (outcome.Kind != "ok") throw new InvalidOperationException($"the valid file fails: {outcome.Message}");
            stats.ValidPeakRss = Math.Max(stats.ValidPeakRss, rss);
            stats.ValidAllocated = Math.Max(stats.ValidAllocated, alloc);
        }
        for (var i = from; i < from + count; i++)
        {
            var rng = new Random(HashCode.Combine(o.Seed, i));
            var which = i % mutators.Length;
            var (bytes, how) = mutators[which].Next(rng);
            var label = $"{i} {Path.GetFileName(models[which])}: {how}";
            File.WriteAllText(progress, label);
            File.WriteAllBytes(path, bytes);
            var (outcome, rss, alloc, seconds) = Measure(path);
            stats.Mutants++;
            var key = outcome.Kind == "ok" ? "loaded and evaluated" : $"{outcome.Kind}: {outcome.Exception}";
            stats.Outcomes[key] = stats.Outcomes.GetValueOrDefault(key) + 1;
            if (outcome.Kind == "violation") stats.Violations.Add($"{label}: {outcome.Exception}: {outcome.Message}");
            if (rss > stats.MaxMutantPeakRss) (stats.MaxMutantPeakRss, stats.MaxRssMutant) = (rss, label);
            if (alloc > stats.MaxMutantAllocated) (stats.MaxMutantAllocated, stats.MaxAllocMutant) = (alloc, label);
            stats.SlowestSeconds = Math.Max(stats.SlowestSeconds, seconds);
        }
        File.Delete(path);
        File.WriteAllText(o.Get("--stats", Path.Combine(work, "stats.json")), JsonSerializer.Serialize(stats));
        return 0;
    }

    private static (Outcome Outcome, long PeakRss, long Allocated, double Seconds) Measure(string path)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ResetPeakRss();
        // Every thread's allocations: Model.Load builds the tokenizer on a worker thread.
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var outcome = LoadEvaluate.Run(path);
        var seconds = clock.Elapsed.TotalSeconds;
        return (outcome, BenchmarkPlan.PeakRss(), GC.GetTotalAllocatedBytes(precise: true) - before, seconds);
    }

    // Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
    private static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    internal sealed class Options(string command, Dictionary<string, string> values)
    {
        public string Command => command;
        public int Seed => int.Parse(Get("--seed", "1"), CultureInfo.InvariantCulture);
        public string Repo => values.TryGetValue("--repo", out var r) ? r : FindRepo();
        public string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);

        public static Options Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 1; i + 1 < args.Length; i += 2) values[args[i]] = args[i + 1];
            return new Options(args.Length > 0 ? args[0] : "", values);
        }
    }
}
