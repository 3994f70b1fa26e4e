using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VisualNarrator.Web.Services;

namespace VisualNarrator.LoadTest;

/// <summary>
/// <c>hostile (--model PATH | --url URL) [--requests N] [--seed S] [--api-key KEY]</c>: a robustness run (not a test)
/// of the HTTP API. Sends the fixed hostile cases of <see cref="HostileRequests"/> and then seeded random mutations until
/// <c>--requests</c> (default 600) have gone out, one at a time, and prints the answers by HTTP status and every
/// problem found (a 5xx for a client fault, an empty body, a stack trace, a leaked server path, a wrong status, an error
/// that is not OpenAI-shaped). Without <c>--url</c> it starts the app in this process on 127.0.0.1 with <c>--model</c>.
/// Exit code 0 when no problem was found, 1 otherwise, 2 for bad arguments (one line naming the option).
/// </summary>
public static class HostileCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var target = new AppTarget.Options();
        var requests = new Option<int>("--requests") { Description = "Requests in all: the fixed cases, then seeded random mutations (1..100000)", DefaultValueFactory = _ => 600 };
        requests.Validators.Add(r => OptionRange.Check(r, "--requests", 1, 100_000));
        var seed = new Option<int>("--seed") { Description = "Seed of the random mutations", DefaultValueFactory = _ => 1 };
        var command = new Command("hostile", "A hostile-request run of the HTTP API: answers by status and every problem found") { requests, seed };
        target.AddTo(command);
        command.SetAction((parse, _) => RunAsync(target.Read(parse), parse.GetValue(requests), parse.GetValue(seed)));
        return command;
    }

    /// <summary>Sends the requests; returns the exit code (0: no problem found, 1 otherwise).</summary>
    public static async Task<int> RunAsync(AppTarget target, int requests, int seed)
    {
        var apiKey = target.ApiKey;
        InProcessApp? app = null;
        var url = target.Url;
        var forbidden = new List<string>();
        long maxBytes = 1 << 20;
        if (url is null)
        {
            // Every hostile request would log a framework error.
            List<string> appArgs = ["--Logging:LogLevel:Microsoft.AspNetCore=None"];
            if (apiKey is not null) appArgs.AddRange(["--api-key", apiKey]);
            app = await InProcessApp.StartAsync(target.Model!, appArgs);
            url = app.Url;
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
            using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(120) };
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
