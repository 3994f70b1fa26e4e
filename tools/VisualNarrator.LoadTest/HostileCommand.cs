using System.Globalization;
using Microsoft.Extensions.Options;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Load;

/// <summary>
/// <c>hostile [--model PATH | --url URL] [--requests N] [--seed S] [--api-key KEY]</c>: a robustness run (not a test)
/// of the HTTP API. Sends the fixed hostile cases of <see cref="HostileRequests"/> and then seeded random mutations until
/// <c>--requests</c> (default 600) have gone out, one at a time, and prints the answers by HTTP status and every
/// problem found (a 5xx for a client fault, an empty body, a stack trace, a leaked server path, a wrong status, an error
/// that is not OpenAI-shaped). Without <c>--url</c> it starts the app in this process on 127.0.0.1 with <c>--model</c>.
/// Exit code 0 when no problem was found, 1 otherwise, 2 for bad arguments.
/// </summary>
public static class HostileCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int requests, seed;
        try
        {
            requests = int.Parse(Value("--requests") ?? "600", CultureInfo.InvariantCulture);
            seed = int.Parse(Value("--seed") ?? "1", CultureInfo.InvariantCulture);
            if (requests is < 1 or > 100_000) throw new FormatException("--requests must be 1..100000");
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            Console.Error.WriteLine($"hostile: {ex.Message}");
            return 2;
        }
        var url = Value("--url");
        var model = Value("--model");
        var apiKey = Value("--api-key");
        if (url is null && model is null)
        {
            Console.Error.WriteLine("hostile: give --model PATH (the app is started in this process) or --url of a running app");
            return 2;
        }

        WebApplication? app = null;
        var forbidden = new List<string>();
        long maxBytes = 1 << 20;
        if (url is null)
        {
            var appArgs = new List<string> { "--model", model!, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Microsoft.AspNetCore=None" };
            if (apiKey is not null) appArgs.AddRange(["--api-key", apiKey]);
            app = NarratorApp.Configure(NarratorApp.CreateBuilder(appArgs.ToArray()).Build());
            await app.StartAsync();
            url = app.Urls.First();
            var catalog = app.Services.GetRequiredService<ModelCatalog>();
            forbidden.Add(catalog.Folder);
            forbidden.Add(RealPath.Of(catalog.Folder));
            maxBytes = app.Services.GetRequiredService<IOptions<NarratorOptions>>().Value.MaxRequestBytes;
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (app.Services.GetRequiredService<INarrator>().Status.State != NarratorState.Ready && DateTime.UtcNow < deadline) await Task.Delay(100);
        }
        try
        {
            var cases = HostileRequests.Fixed(maxBytes).ToList();
            cases.AddRange(HostileRequests.Random(seed, Math.Max(0, requests - cases.Count)));
            cases = cases.Take(requests).ToList();
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(120) };
            var statuses = new List<int>();
            var problems = new List<string>();
            var started = DateTime.UtcNow;
            foreach (var c in cases)
            {
                try
                {
                    using var message = c.ToMessage(apiKey);
                    using var response = await client.SendAsync(message);
                    var body = await response.Content.ReadAsStringAsync();
                    statuses.Add((int)response.StatusCode);
                    if (HostileRequests.Problem(c, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, forbidden) is { } problem)
                        problems.Add($"{c}: {problem}");
                }
                catch (HttpRequestException ex)
                {
                    statuses.Add(0);
                    problems.Add($"{c}: no answer ({ex.Message})");
                }
            }
            var wall = DateTime.UtcNow - started;
            Console.WriteLine($"{cases.Count} hostile requests ({cases.Count(c => !c.Name.StartsWith("random", StringComparison.Ordinal))} fixed cases, " +
                              $"the rest seeded random mutations, seed {seed}) in {wall.TotalSeconds:F1} s");
            Console.WriteLine();
            Console.WriteLine("| HTTP status | answers |");
            Console.WriteLine("|---|---|");
            Console.WriteLine(HostileRequests.StatusTable(statuses));
            Console.WriteLine();
            Console.WriteLine($"5xx: {statuses.Count(s => s >= 500)}, no answer: {statuses.Count(s => s == 0)}, " +
                              $"stack traces: {problems.Count(p => p.EndsWith("stack trace in the body", StringComparison.Ordinal))}, " +
                              $"empty bodies: {problems.Count(p => p.Contains("empty body", StringComparison.Ordinal))}, problems in all: {problems.Count}");
            foreach (var p in problems.Take(20)) Console.WriteLine("  " + p);
            return problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (app is not null) await app.DisposeAsync();
        }
    }
}
