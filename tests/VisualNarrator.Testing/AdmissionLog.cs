using System.Diagnostics;
using VisualNarrator.Engine.Serving;
using Xunit;

namespace VisualNarrator.Testing;

/// <summary>
/// Tells in which order the scheduler admitted queued narrations, from each one's own queue wait. The order their
/// completions are observed in cannot tell: the scheduler completes them with continuations on the thread pool,
/// which may run them in any order on a loaded machine.
/// </summary>
/// <remarks>A narration's clock starts inside its Submit call, so its admission lies between (time before the call
/// + queue wait) and (time after the call + queue wait). Two admissions are ordered when those windows do not
/// overlap, which holds whenever each admitted narration runs longer than one Submit call takes.</remarks>
public sealed class AdmissionLog
{
    private readonly List<(string Id, long Before, long After, Task<NarrationResult> Done)> _runs = [];

    /// <summary>Submits through <paramref name="submit"/>, recording the time around the call under <paramref name="id"/>.</summary>
    public TRun Submit<TRun>(string id, Func<TRun> submit, Func<TRun, Task<NarrationResult>> completion)
    {
        var before = Stopwatch.GetTimestamp();
        var run = submit();
        var after = Stopwatch.GetTimestamp();
        _runs.Add((id, before, after, completion(run)));
        return run;
    }

    /// <summary>Waits for every recorded narration and returns their ids in admission order.</summary>
    public async Task<string[]> OrderAsync(TimeSpan timeout)
    {
        var results = await Task.WhenAll(_runs.Select(r => r.Done)).WaitAsync(timeout);
        var windows = _runs.Zip(results, (r, result) =>
        {
            var wait = (long)(result.Timings.QueueWait.TotalSeconds * Stopwatch.Frequency);
            return (r.Id, Earliest: r.Before + wait, Latest: r.After + wait);
        }).OrderBy(w => w.Earliest).ToArray();
        for (var i = 1; i < windows.Length; i++)
        {
            Assert.True(windows[i - 1].Latest < windows[i].Earliest,
                $"{windows[i - 1].Id} and {windows[i].Id} were admitted within one Submit call of each other: their order is unknown");
        }
        return windows.Select(w => w.Id).ToArray();
    }
}
