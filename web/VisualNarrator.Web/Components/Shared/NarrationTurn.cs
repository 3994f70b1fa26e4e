using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Components.Shared;

/// <summary>One generated token as the inspector shows it.</summary>
/// <param name="Text">Text it added (may be empty while a character is incomplete).</param>
/// <param name="Id">Token id (-1 for text flushed at the end).</param>
/// <param name="Probability">Probability it was drawn with (NaN when unknown).</param>
/// <param name="Alternatives">Top alternatives.</param>
public sealed record TokenView(string Text, int Id, float Probability, IReadOnlyList<TokenAlternative> Alternatives);

/// <summary>Counts and timings shown under a narration.</summary>
/// <param name="PromptTokens">Prompt tokens run.</param>
/// <param name="PromptTokensDropped">Prompt tokens cut to fit.</param>
/// <param name="GeneratedTokens">Generated tokens.</param>
/// <param name="TimeToFirstTokenMs">Time to first token, ms.</param>
/// <param name="TokensPerSecond">Decode speed.</param>
/// <param name="Finish">"stop", "length" or "stopped".</param>
public sealed record NarrationStats(int PromptTokens, int PromptTokensDropped, int GeneratedTokens, double TimeToFirstTokenMs, double TokensPerSecond, string Finish)
{
    /// <summary>From the engine's result.</summary>
    public static NarrationStats From(NarrationResult r) => new(r.Timings.PromptTokens, r.Timings.PromptTokensDropped, r.Timings.GeneratedTokens,
        r.Timings.TimeToFirstToken.TotalMilliseconds, r.Timings.DecodeTokensPerSecond,
        r.Finish switch { FinishReason.Length => "length", FinishReason.Cancelled => "stopped", _ => "stop" });
}

/// <summary>A prompt and its narration (a chat turn, or one side of a comparison). Serialized into session storage.</summary>
public sealed class NarrationTurn
{
    /// <summary>What the user typed.</summary>
    public string Input { get; set; } = "";
    /// <summary>Template name used for a bare scene.</summary>
    public string Template { get; set; } = "describe";
    /// <summary>The prompt sent to the model.</summary>
    public string Prompt { get; set; } = "";
    /// <summary>Settings it was narrated with.</summary>
    public SamplingSettings Settings { get; set; } = SamplingPresetTable.Narrator;
    /// <summary>Model that narrated it.</summary>
    public string Model { get; set; } = "";
    /// <summary>Narration text so far.</summary>
    public string Text { get; set; } = "";
    /// <summary>Generated tokens so far.</summary>
    public List<TokenView> Tokens { get; set; } = [];
    /// <summary>Stats once finished.</summary>
    public NarrationStats? Stats { get; set; }
    /// <summary>Why it failed, or null.</summary>
    public string? Error { get; set; }
    /// <summary>Whether <see cref="Settings"/>' seed was the user's fixed seed (false: drawn at random for this narration).</summary>
    public bool FixedSeed { get; set; }
    /// <summary>The narration was still running when the page went away (stored so a reload shows what it had).</summary>
    public bool Interrupted { get; set; }
    /// <summary>True while streaming (not stored).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool Running { get; set; }
    /// <summary>Queue position while waiting (not stored).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public int QueuePosition { get; set; }

    /// <summary>Raised after each streamed piece, so only the narration's own view re-renders per token.</summary>
    public event Action? Updated;

    /// <summary>A copy for storage while it runs: if the page goes away now, this is what comes back, marked interrupted.</summary>
    public NarrationTurn ForStorage() => !Running ? this : new NarrationTurn
    {
        Input = Input, Template = Template, Prompt = Prompt, Settings = Settings, Model = Model, FixedSeed = FixedSeed,
        Text = Text, Tokens = [.. Tokens], Error = Error, Interrupted = true,
    };

    /// <summary>The history as stored: running turns marked interrupted, and the oldest turns left out while it is over
    /// <paramref name="maxBytes"/> of JSON (a value too large to read back would close the circuit on the next visit).</summary>
    public static List<NarrationTurn> ForStorage(IEnumerable<NarrationTurn> turns, int maxBytes)
    {
        var kept = turns.Select(t => t.ForStorage()).ToList();
        while (kept.Count > 1 && System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(kept, Services.BrowserStorage.Json).Length > maxBytes)
            kept.RemoveAt(0);
        return kept;
    }

    /// <summary>Raises <see cref="Updated"/>.</summary>
    public void NotifyUpdated() => Updated?.Invoke();
}
