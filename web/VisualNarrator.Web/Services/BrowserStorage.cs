using System.Text.Json;
using Microsoft.JSInterop;

namespace VisualNarrator.Web.Services;

/// <summary>JSON values in the browser's <c>localStorage</c> (kept across visits: settings, user presets) and
/// <c>sessionStorage</c> (this tab's session: chat history). Calls fail quietly before the circuit is interactive or
/// when storage is unavailable, so the app works without it.</summary>
public sealed class BrowserStorage(IJSRuntime js, ILogger<BrowserStorage> log)
{
    /// <summary>Key of the current sampling settings.</summary>
    public const string SamplingKey = "narrator.sampling";
    /// <summary>Key of the user presets.</summary>
    public const string PresetsKey = "narrator.presets";
    /// <summary>Key of the chat history (session storage).</summary>
    public const string HistoryKey = "narrator.history";
    /// <summary>Key of the "fixed seed" switch.</summary>
    public const string FixedSeedKey = "narrator.fixedSeed";
    /// <summary>Largest value read back from the browser (the circuit's message limit is set to it): 4 MB, within the
    /// browsers' 5 MB storage quota.</summary>
    public const int MaxValueBytes = 4 << 20;
    /// <summary>Key of the theme choice.</summary>
    public const string ThemeKey = "narrator.dark";

    /// <summary>Serializer settings for stored values.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        // Token probabilities are NaN where unknown (text flushed at the end).
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads a value from localStorage (or sessionStorage); default when absent or unreadable.</summary>
    public async Task<T?> GetAsync<T>(string key, bool session = false)
    {
        try
        {
            var text = await js.InvokeAsync<string?>(Store(session) + ".getItem", key);
            return string.IsNullOrEmpty(text) ? default : JsonSerializer.Deserialize<T>(text, Json);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || ex is TaskCanceledException)
        {
            // Storage is a convenience: a failure must never break the circuit.
            log.LogWarning(ex, "reading {Key} from browser storage failed", key);
            return default;
        }
    }

    /// <summary>Writes a value to localStorage (or sessionStorage).</summary>
    public async Task SetAsync<T>(string key, T value, bool session = false)
    {
        try
        {
            await js.InvokeVoidAsync(Store(session) + ".setItem", key, JsonSerializer.Serialize(value, Json));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || ex is TaskCanceledException)
        {
            log.LogWarning(ex, "writing {Key} to browser storage failed", key);
        }
    }

    private static string Store(bool session) => session ? "sessionStorage" : "localStorage";
}

/// <summary>Identifies one browser circuit to the fair queue.</summary>
public sealed class ClientIdentity
{
    /// <summary>A fresh id per circuit.</summary>
    public string Id { get; } = "ui:" + Guid.NewGuid().ToString("N");
}
