using System.Globalization;
using System.Text;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Services;

/// <summary>Counters of every narration the engine ran (browser, API and batch alike), written for <c>GET /metrics</c>
/// in Prometheus' text format.</summary>
public sealed class ServerMetrics
{
    /// <summary>Upper bounds (seconds) of the time-to-first-token histogram's buckets.</summary>
    public static IReadOnlyList<double> TtftBuckets { get; } = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Source, string Outcome), long> _requests = new();
    private readonly long[] _ttftCounts = new long[TtftBuckets.Count + 1];
    private double _ttftSum;
    private long _promptTokens;
    private long _generatedTokens;
    private double _lastTokensPerSecond;

    /// <summary>Where a client id comes from: "ui", "api", "batch" (its prefix), else "other".</summary>
    public static string SourceOf(string clientId)
    {
        var colon = clientId.IndexOf(':');
        var prefix = colon > 0 ? clientId[..colon] : clientId;
        return prefix is "ui" or "api" or "batch" ? prefix : "other";
    }

    /// <summary>Counts a finished narration.</summary>
    public void Record(string clientId, NarrationResult result)
    {
        var t = result.Timings;
        lock (_lock)
        {
            Count(SourceOf(clientId), result.Finish switch { FinishReason.Length => "length", FinishReason.Cancelled => "cancelled", _ => "stop" });
            _promptTokens += t.PromptTokens;
            _generatedTokens += t.GeneratedTokens;
            if (t.GeneratedTokens > 0)
            {
                var seconds = t.TimeToFirstToken.TotalSeconds;
                var bucket = 0;
                while (bucket < TtftBuckets.Count && seconds > TtftBuckets[bucket]) bucket++;
                _ttftCounts[bucket]++;
                _ttftSum += seconds;
            }
            if (t.GeneratedTokens > 1) _lastTokensPerSecond = t.DecodeTokensPerSecond;
        }
    }

    /// <summary>Counts a narration that failed (refused at submit or failed while running).</summary>
    public void RecordFailure(string clientId)
    {
        lock (_lock) Count(SourceOf(clientId), "error");
    }

    private void Count(string source, string outcome) =>
        _requests[(source, outcome)] = _requests.GetValueOrDefault((source, outcome)) + 1;

    /// <summary>The metrics in Prometheus' text exposition format (version 0.0.4).</summary>
    public string Write(NarratorStatus status)
    {
        var s = new StringBuilder();
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        lock (_lock)
        {
            s.AppendLine("# HELP narrator_requests_total Narrations run, by where they came from and how they ended.");
            s.AppendLine("# TYPE narrator_requests_total counter");
            foreach (var ((source, outcome), n) in _requests.OrderBy(k => k.Key.Source).ThenBy(k => k.Key.Outcome))
                s.AppendLine($"narrator_requests_total{{source=\"{source}\",outcome=\"{outcome}\"}} {n}");
            s.AppendLine("# HELP narrator_prompt_tokens_total Prompt tokens run.");
            s.AppendLine("# TYPE narrator_prompt_tokens_total counter");
            s.AppendLine($"narrator_prompt_tokens_total {_promptTokens}");
            s.AppendLine("# HELP narrator_generated_tokens_total Tokens generated.");
            s.AppendLine("# TYPE narrator_generated_tokens_total counter");
            s.AppendLine($"narrator_generated_tokens_total {_generatedTokens}");
            s.AppendLine("# HELP narrator_tokens_per_second Decode speed of the last finished narration (tokens after the first, per second).");
            s.AppendLine("# TYPE narrator_tokens_per_second gauge");
            s.AppendLine($"narrator_tokens_per_second {F(_lastTokensPerSecond)}");
            s.AppendLine("# HELP narrator_time_to_first_token_seconds Time from submission to the first generated token.");
            s.AppendLine("# TYPE narrator_time_to_first_token_seconds histogram");
            long cumulative = 0;
            for (var i = 0; i < TtftBuckets.Count; i++)
            {
                cumulative += _ttftCounts[i];
                s.AppendLine($"narrator_time_to_first_token_seconds_bucket{{le=\"{F(TtftBuckets[i])}\"}} {cumulative}");
            }
            cumulative += _ttftCounts[^1];
            s.AppendLine($"narrator_time_to_first_token_seconds_bucket{{le=\"+Inf\"}} {cumulative}");
            s.AppendLine($"narrator_time_to_first_token_seconds_sum {F(_ttftSum)}");
            s.AppendLine($"narrator_time_to_first_token_seconds_count {cumulative}");
        }
        s.AppendLine("# HELP narrator_queue_depth Narrations waiting for a slot.");
        s.AppendLine("# TYPE narrator_queue_depth gauge");
        s.AppendLine($"narrator_queue_depth {status.Waiting}");
        s.AppendLine("# HELP narrator_running Narrations being decoded.");
        s.AppendLine("# TYPE narrator_running gauge");
        s.AppendLine($"narrator_running {status.Running}");
        s.AppendLine("# HELP narrator_model_loaded 1 while a model serves narrations.");
        s.AppendLine("# TYPE narrator_model_loaded gauge");
        s.AppendLine($"narrator_model_loaded {(status.Model is null ? 0 : 1)}");
        return s.ToString();
    }
}
