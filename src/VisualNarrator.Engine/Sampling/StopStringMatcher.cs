namespace VisualNarrator.Engine.Sampling;

/// <summary>What to do with the text of one pushed piece.</summary>
/// <param name="Emit">Text that is safe to show now (never part of a stop string).</param>
/// <param name="Stopped">True when a stop string was found: stop generating; nothing from the stop string on is
/// emitted, now or later.</param>
/// <param name="StopString">The stop string that matched, when <paramref name="Stopped"/>.</param>
public readonly record struct StopStringStep(string Emit, bool Stopped, string? StopString);

/// <summary>
/// Watches a stream of decoded text for stop strings, which may span several tokens. Text that could still be the
/// start of a stop string is held back until it either completes one (then it is dropped and the stream stops) or
/// cannot anymore (then it is emitted). Ordinal (exact, case-sensitive) matching. One instance per sequence.
/// </summary>
public sealed class StopStringMatcher
{
    private readonly string[] _stops;
    private string _pending = "";

    /// <summary>Creates a matcher.</summary>
    /// <param name="stopStrings">Non-empty stop strings; none means every text passes straight through.</param>
    /// <exception cref="ArgumentException">A null or empty stop string.</exception>
    public StopStringMatcher(IEnumerable<string> stopStrings)
    {
        ArgumentNullException.ThrowIfNull(stopStrings);
        _stops = stopStrings.ToArray();
        if (_stops.Any(string.IsNullOrEmpty))
            throw new ArgumentException("Stop strings must be non-empty.", nameof(stopStrings));
    }

    /// <summary>True once a stop string was found.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Text currently held back as a possible stop-string start.</summary>
    public string HeldBack => _pending;

    /// <summary>Adds the next piece of decoded text (may be empty).</summary>
    /// <exception cref="InvalidOperationException">Already stopped.</exception>
    public StopStringStep Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Stopped) throw new InvalidOperationException("A stop string was already found; the stream is over.");
        var buffer = _pending + text;

        // Earliest complete stop string; on a tie at the same position the longer one.
        var at = -1;
        string? match = null;
        foreach (var stop in _stops)
        {
            var i = buffer.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0 && (at < 0 || i < at || (i == at && stop.Length > match!.Length)))
            {
                at = i;
                match = stop;
            }
        }
        if (match is not null)
        {
            Stopped = true;
            _pending = "";
            return new StopStringStep(buffer[..at], true, match);
        }

        // Hold back the longest suffix that is a proper prefix of some stop string: no stop string can start earlier.
        var hold = 0;
        foreach (var stop in _stops)
            for (var len = Math.Min(stop.Length - 1, buffer.Length); len > hold; len--)
                if (buffer.AsSpan(buffer.Length - len).SequenceEqual(stop.AsSpan(0, len)))
                {
                    hold = len;
                    break;
                }
        _pending = buffer[(buffer.Length - hold)..];
        return new StopStringStep(buffer[..(buffer.Length - hold)], false, null);
    }

    /// <summary>Ends the stream without a stop: returns the held-back text (empty when stopped).</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = "";
        return rest;
    }
}
