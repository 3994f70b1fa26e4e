using Xunit;

namespace VisualNarrator.Testing;

/// <summary>Compares two logit rows element by element and names the worst position when they differ.</summary>
public static class LogitsAssert
{
    /// <summary>Fails unless every |expected - actual| is at most <paramref name="tolerance"/>.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = MathF.Abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Assert.True(worst <= tolerance, $"max |difference| {worst} at {at} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)}) exceeds {tolerance}");
    }
}
