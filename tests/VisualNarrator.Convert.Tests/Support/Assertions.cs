namespace VisualNarrator.Convert.Tests.Support;

internal static class Close
{
    /// <summary>Largest absolute difference, with a message naming where.</summary>
    public static void Within(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Math.Abs((double)expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Assert.True(worst <= tolerance, $"{what}max |difference| {worst:G4} at {at} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)}) exceeds {tolerance}");
    }

    public static double MaxAbsDiff(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        (a.to(TorchSharp.torch.ScalarType.Float64) - b.to(TorchSharp.torch.ScalarType.Float64)).abs().max().item<double>();
}
