using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace VisualNarrator.Web.Load;

/// <summary>
/// <c>load [--model PATH] [--url URL] [--clients 1,4,16] [--requests N] [--max-tokens N] [--api-key KEY] [--max-sequences N] [--threads N]</c>:
/// a load run (not a test) of the HTTP API. Without <c>--url</c> it starts the app in this process on 127.0.0.1 at a
/// free port with <c>--model</c>. For each client count, that many clients each send <c>--requests</c> streaming
/// <c>/v1/completions</c> requests one after another (the seed benchmark's 12 prompts in turn, the seed model's
/// sampling) and the command prints aggregate tokens/s, p50/p95 time to first token and errors as a Markdown table.
/// </summary>
public static class LoadCommand
{
    /// <summary>The seed model's 12 benchmark prompts (verbatim; see docs/metrics.md section 4).</summary>
    public static IReadOnlyList<string> Prompts { get; } =
    [
        "Describe this image: a beautiful sunset over mountains", "What do you see in this picture: a peaceful forest with sunlight",
        "Generate a caption: a tropical beach with palm trees", "This image shows a field of wildflowers",
        "Describe this image: a busy city street with skyscrapers", "What do you see here: a modern kitchen with appliances",
        "Generate a caption: a historic building with architecture", "This picture shows a subway station with commuters",
        "Describe this image: a sports event with athletes", "What do you see in this photo: a classroom with students",
        "Generate a caption: a concert with musicians performing", "This image shows a family gathering in a living room",
    ];

    /// <summary>One client-count row.</summary>
    /// <param name="Clients">Concurrent clients.</param>
    /// <param name="Requests">Requests sent.</param>
    /// <param name="Tokens">Completion tokens received.</param>
    /// <param name="Wall">Wall time of the round.</param>
    /// <param name="TtftP50">Median time to first token.</param>
    /// <param name="TtftP95">95th percentile time to first token.</param>
    /// <param name="Errors">Failed requests.</param>
    public sealed record Row(int Clients, int Requests, long Tokens, TimeSpan Wall, TimeSpan TtftP50, TimeSpan TtftP95, int Errors)
    {
        /// <summary>Completion tokens per second of wall time, over all clients.</summary>
        public double TokensPerSecond => Tokens / Wall.TotalSeconds;
    }

    /// <summary>Runs the command; returns the exit code (2 for bad arguments, 1 when any request failed).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int[] clients;
        int requests, maxTokens;
        try
        {
            clients = (Value("--clients") ?? "1,4,16").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            requests = int.Parse(Value("--requests") ?? "4", CultureInfo.InvariantCulture);
            maxTokens = int.Parse(Value("--max-tokens") ?? "32", CultureInfo.InvariantCulture);
            if (clients.Any(c => c < 1 || c > 256) || requests < 1 || requests > 1000 || maxTokens < 1)
                throw new FormatException("--clients must be 1..256 each, --requests 1..1000, --max-tokens >= 1");
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"load: {ex.Message}");
            return 2;
        }
        var url = Value("--url");
        var model = Value("--model");
        if (url is null && model is null)
        {
            Console.Error.WriteLine("load: give --model PATH (the app is started in this process) or --url of a running app");
            return 2;
        }

        WebApplication? app = null;
        if (url is null)
        {
            var appArgs = new List<string> { "--model", model!, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" };
            if (Value("--max-sequences") is { } seq) appArgs.Add($"--Narrator:MaxSequences={seq}");
            if (Value("--threads") is { } threads) appArgs.Add($"--Narrator:Threads={threads}");
            app = NarratorApp.Configure(NarratorApp.CreateBuilder(appArgs.ToArray()).Build());
            await app.StartAsync();
            url = app.Urls.First();
        }
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(10) };
            if (Value("--api-key") is { } key) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            if (!await WaitForModelAsync(http)) return 1;
            var health = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
            Console.WriteLine($"model: {health.GetProperty("message").GetString()}");
            Console.WriteLine($"{requests} streaming /v1/completions requests per client, max_tokens {maxTokens}, seed-model sampling, {Environment.ProcessorCount} CPU cores");
            await OneRequestAsync(http, Prompts[0], maxTokens, "warm-up");
            var rows = new List<Row>();
            foreach (var n in clients) rows.Add(await RoundAsync(http, n, requests, maxTokens));
            Console.WriteLine();
            Console.WriteLine("| clients | requests | tokens | wall s | aggregate tokens/s | p50 TTFT ms | p95 TTFT ms | errors |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Clients} | {r.Requests} | {r.Tokens} | {r.Wall.TotalSeconds:F1} | {r.TokensPerSecond:F1} | {r.TtftP50.TotalMilliseconds:F0} | {r.TtftP95.TotalMilliseconds:F0} | {r.Errors} |"));
            return rows.Any(r => r.Errors > 0) ? 1 : 0;
        }
        finally
        {
            if (app is not null) await app.DisposeAsync();
        }
    }

    private static async Task<bool> WaitForModelAsync(HttpClient http)
    {
        for (var i = 0; i < 600; i++)
        {
            try
            {
                using var response = await http.GetAsync("/health");
                var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                switch (status.GetProperty("status").GetString())
                {
                    case "ok": return true;
                    case "no-model":
                        Console.Error.WriteLine($"load: {status.GetProperty("message").GetString()}");
                        return false;
                }
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        Console.Error.WriteLine("load: the model did not load within 2 minutes");
        return false;
    }

    private static async Task<Row> RoundAsync(HttpClient http, int clients, int requests, int maxTokens)
    {
        var ttfts = new List<TimeSpan>();
        long tokens = 0;
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (var r = 0; r < requests; r++)
            {
                var outcome = await OneRequestAsync(http, Prompts[(c * requests + r) % Prompts.Count], maxTokens, $"load-client-{c}");
                lock (ttfts)
                {
                    if (outcome.Error is not null)
                    {
                        errors++;
                        Console.Error.WriteLine($"load: client {c} request {r}: {outcome.Error}");
                        continue;
                    }
                    ttfts.Add(outcome.Ttft);
                    tokens += outcome.Tokens;
                }
            }
        }));
        clock.Stop();
        ttfts.Sort();
        return new Row(clients, clients * requests, tokens, clock.Elapsed, Percentile(ttfts, 0.50), Percentile(ttfts, 0.95), errors);
    }

    /// <summary>Nearest-rank percentile.</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private readonly record struct Outcome(TimeSpan Ttft, int Tokens, string? Error);

    private static async Task<Outcome> OneRequestAsync(HttpClient http, string prompt, int maxTokens, string user)
    {
        var body = JsonSerializer.Serialize(new { prompt, max_tokens = maxTokens, stream = true, stream_options = new { include_usage = true }, user });
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;
        int? tokens = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode) return new Outcome(default, 0, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                var data = line[6..];
                if (data == "[DONE]") break;
                var e = JsonDocument.Parse(data).RootElement;
                if (e.TryGetProperty("error", out var error)) return new Outcome(default, 0, error.GetProperty("message").GetString());
                if (e.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object) tokens = usage.GetProperty("completion_tokens").GetInt32();
                if (first is null && e.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                    && choices[0].GetProperty("text").GetString() is { Length: > 0 })
                    first = clock.Elapsed;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or TaskCanceledException)
        {
            return new Outcome(default, 0, ex.Message);
        }
        if (tokens is null) return new Outcome(default, 0, "the stream ended without usage");
        return new Outcome(first ?? clock.Elapsed, tokens.Value, null);
    }
}
