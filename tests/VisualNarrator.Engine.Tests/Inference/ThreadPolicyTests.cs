using VisualNarrator.Engine.Inference;
using Xunit;

namespace VisualNarrator.Engine.Tests.Inference;

public sealed class ThreadPolicyTests
{
    [Theory]
    [InlineData(0L, 16, 1)]                 // no weights: one thread
    [InlineData(7_800_000L, 16, 2)]          // the built-in model: 2 threads, not 16
    [InlineData(7_800_000L, 1, 1)]           // never above the cores
    [InlineData(89_000_000L, 16, 16)]        // opt-125m Q4_K_M
    [InlineData(89_000_000L, 2, 2)]
    [InlineData(4L << 20, 8, 1)]             // exactly one share
    [InlineData((4L << 20) + 1, 8, 2)]
    public void Automatic_OneThreadPerShareOfWeights_UpToTheCores(long weightBytes, int cores, int expected)
    {
        var choice = ThreadPolicy.Choose(0, weightBytes, cores);
        Assert.Equal(expected, choice.Threads);
        Assert.True(choice.Automatic);
        Assert.Contains("auto", choice.ToString());
    }

    [Fact]
    public void Requested_IsKeptAsGiven()
    {
        var choice = ThreadPolicy.Choose(5, 1L << 30, 2);
        Assert.Equal(5, choice.Threads);
        Assert.False(choice.Automatic);
        Assert.Equal("5 threads (--threads)", choice.ToString());
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadPolicy.Choose(-1, 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadPolicy.Choose(0, -1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadPolicy.Choose(0, 0, 0));
    }

    [Fact]
    public void PhysicalCores_IsBetweenOneAndTheLogicalCount()
    {
        var cores = ThreadPolicy.PhysicalCores();
        Assert.InRange(cores, 1, Environment.ProcessorCount);
    }
}
