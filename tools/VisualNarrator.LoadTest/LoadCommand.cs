using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using VisualNarrator.CommandLine;

namespace VisualNarrator.LoadTest;

/// <summary>
/// <c>load (--model PATH | --url URL) [--clients 1,4,16] [--requests N] [--max-tokens N] [--api-key KEY] [--max-sequences N] [--threads N]</c>:
/// a load run (not a test) of the HTTP API. Without <c>--url</c> it starts the app in this process on 127.0.0.1 at a
/// free port with <c>--model</c> (and <c>--max-sequences</c>, <c>--threads</c> as the app's settings). For each client
/// count, that many clients each send <c>--requests</c> streaming <c>/v1/completions</c> requests one after another
/// (the seed benchmark's 12 prompts in turn, the seed model's sampling) and the command prints aggregate tokens/s, p50/p95 time to first token and errors as a Markdown table.
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

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var target = new AppTarget.Options();
        var clients = new Option<int[]>("--clients")
        {
            Description = "Client counts, one round each (comma-separated, each 1..256)",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = ParseClients,
            DefaultValueFactory = _ => [1, 4, 16],
        };
        var requests = new Option<int>("--requests") { Description = "Requests per client, one after another (1..1000)", DefaultValueFactory = _ => 4 };
        requests.Validators.Add(r => OptionRange.Check(r, "--requests", 1, 1000));
        var maxTokens = new Option<int>("--max-tokens") { Description = "max_tokens of each request", DefaultValueFactory = _ => 32 };
        maxTokens.Validators.Add(r => OptionRange.Check(r, "--max-tokens", 1, int.MaxValue));
        var maxSequences = new Option<int?>("--max-sequences") { Description = "With --model: the app's Narrator:MaxSequences" };
        maxSequences.Validators.Add(r => OptionRange.Check(r, "--max-sequences", 1, int.MaxValue));
        var threads = new Option<int?>("--threads") { Description = "With --model: the app's Narrator:Threads (0: automatic)" };
        threads.Validators.Add(r => OptionRange.Check(r, "--threads", 0, int.MaxValue));
        var command = new Command("load", "A load run of the HTTP API: tokens/s, time to first token and errors per client count")
        {
            clients, requests, maxTokens, maxSequences, threads,
        };
        target.AddTo(command);
        command.SetAction((parse, _) => RunAsync(target.Read(parse), parse.GetValue(clients)!, parse.GetValue(requests), parse.GetValue(maxTokens),
            parse.GetValue(maxSequences), parse.GetValue(threads)));
        return command;
    }

    private static int[] ParseClients(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        var counts = text.Split(',');
        var parsed = new int[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            if (!int.TryParse(counts[i], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]) || parsed[i] is < 1 or > 256)
            {
                result.AddError($"--clients expects client counts from 1 to 256 separated by commas, such as 1,4,16, got '{text}'");
                return [];
            }
        }
        return parsed;
    }

    /// <summary>Runs the rounds; returns the exit code (1 when the model did not load or any request failed).</summary>
    public static async Task<int> RunAsync(AppTarget target, int[] clients, int requests, int maxTokens, int? maxSequences = null, int? threads = null)
    {
        InProcessApp? app = null;
        var url = target.Url;
        if (url is null)
        {
            var appArgs = new List<string>();
            if (maxSequences is { } seq) appArgs.Add(string.Create(CultureInfo.InvariantCulture, $"--Narrator:MaxSequences={seq}"));
            if (threads is { } t) appArgs.Add(string.Create(CultureInfo.InvariantCulture, $"--Narrator:Threads={t}"));
            app = await InProcessApp.StartAsync(target.Model!, appArgs);
            url = app.Url;
        }
        try
        {
            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(10) };
            if (target.ApiKey is { } key) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            if (!await WaitForModelAsync(http)) return 1;
            var health = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
            // A keyed app tells only its status to a client without the key, and would answer every request 401.
            if (!health.TryGetProperty("message", out var message))
                throw new UsageException($"the app at {url} asks for an access key: give it with --api-key");
            Console.WriteLine($"model: {message.GetString()}");
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
