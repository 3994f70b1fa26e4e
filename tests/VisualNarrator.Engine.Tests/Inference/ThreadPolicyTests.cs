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

    [Theory]
    [InlineData(2, 2, 2, 0.0, 2)]     // quiet 2-core machine: the built-in model keeps both
    [InlineData(2, 2, 2, 0.4, 2)]     // a little other work (a shell, a GC) is not a busy core
    [InlineData(2, 2, 2, 0.7, 2)]     // nor is most of one (the runtime's JIT and GC threads, short bursts)
    [InlineData(2, 2, 2, 0.8, 1)]     // one busy process: the core it leaves
    [InlineData(2, 2, 2, 2.0, 1)]     // two busy processes: never below 1
    [InlineData(2, 2, 2, 5.0, 1)]
    [InlineData(2, 16, 16, 10.0, 2)]  // 16 cores, 10 busy: the 6 left still hold the model's 2
    [InlineData(16, 16, 16, 10.0, 6)] // an automatic 16 on the same machine: the 6 left
    [InlineData(8, 8, 16, 8.0, 4)]    // 8 hyperthreaded cores: 8 busy logical CPUs take 4 cores
    public void UnderLoad_UsesTheCoresOtherWorkLeavesFree(int threads, int cores, int logical, double otherBusy, int expected)
    {
        var choice = new ThreadChoice(threads, Automatic: true, WeightBytes: 1, PhysicalCores: cores);
        Assert.Equal(expected, ThreadPolicy.UnderLoad(choice, otherBusy, logical, tokens: 1));
    }

    [Fact]
    public void UnderLoad_WithNoCoreFree_OnlyASmallModelDropsToOneThread()
    {
        var large = ThreadPolicy.Choose(0, ThreadPolicy.OneThreadWhenNoCoreFreeBelowBytes, 2); // opt-1.3b Q4_K_M is 0.8 GB
        Assert.Equal(2, ThreadPolicy.UnderLoad(large, 2.0, 2, tokens: 1));
        var small = ThreadPolicy.Choose(0, ThreadPolicy.OneThreadWhenNoCoreFreeBelowBytes - 1, 2); // opt-125m is 89-258 MB
        Assert.Equal(1, ThreadPolicy.UnderLoad(small, 2.0, 2, tokens: 1));
        // More tokens per graph are more work per node: opt-125m Q4_K_M's 8-sequence steps keep both threads.
        var opt125m = ThreadPolicy.Choose(0, 89_000_000, 2);
        Assert.Equal(1, ThreadPolicy.UnderLoad(opt125m, 2.0, 2, tokens: 4));
        Assert.Equal(2, ThreadPolicy.UnderLoad(opt125m, 2.0, 2, tokens: 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadPolicy.UnderLoad(opt125m, 2.0, 2, tokens: 0));
    }

    [Fact]
    public void UnderLoad_WithACoreFree_AModelOfAnySizeUsesTheFreeCores()
    {
        var large = ThreadPolicy.Choose(0, 5L << 30, 2);
        Assert.Equal(1, ThreadPolicy.UnderLoad(large, 1.0, 2, tokens: 1));
        Assert.Equal(2, ThreadPolicy.UnderLoad(large, 0.2, 2, tokens: 1));
        var wide = ThreadPolicy.Choose(0, 5L << 30, 16);
        Assert.Equal(6, ThreadPolicy.UnderLoad(wide, 10.0, 16, tokens: 1));
    }

    [Fact]
    public void UnderLoad_KeepsASingleThread()
    {
        var one = ThreadPolicy.Choose(0, 1, 2); // 1 byte of weights: the automatic count is 1
        Assert.False(ThreadPolicy.GivesWay(one));
        Assert.Equal(1, ThreadPolicy.UnderLoad(one, 2.0, 2, tokens: 1));
    }

    [Fact]
    public void UnderLoad_KeepsACountGivenWithThreads()
    {
        var given = ThreadPolicy.Choose(2, 1L << 30, 2);
        Assert.Equal(2, ThreadPolicy.UnderLoad(given, 2.0, 2, tokens: 1));
    }

    [Fact]
    public void CpuTimes_CountNormalPriorityWorkAndLeaveNicedWorkOut()
    {
        //                           user nice system idle iowait irq softirq steal guest guest_nice
        var earlier = CpuTimes.Parse("cpu  1000 500 200 8000 100 10 20 0 0 0");
        var later = CpuTimes.Parse("cpu  1150 650 250 8050 100 10 20 0 0 0");

        Assert.Equal(1230, earlier.NormalBusy);
        Assert.Equal(9830, earlier.Total); // guest columns are inside user and nice already
        // 400 ticks on 2 CPUs: 200 of them normal-priority busy = 1 CPU, of which this process used 0.25.
        Assert.Equal(0.75, CpuTimes.OtherBusyCpus(earlier, later, logicalCpus: 2, oursCpus: 0.25), 9);
        Assert.Equal(0, CpuTimes.OtherBusyCpus(earlier, later, logicalCpus: 2, oursCpus: 1.5));
        Assert.Equal(0, CpuTimes.OtherBusyCpus(later, later, logicalCpus: 2, oursCpus: 0));
    }

    [Theory]
    [InlineData(1.0, 0.5, 2.0)]     // 2 busy threads beside our 2 on 2 cores: they got 1 CPU, we half a core each
    [InlineData(1.0, 1.0, 1.0)]     // 1 busy thread on its own core while ours ran on the other
    [InlineData(0.3, 0.9, 0.3333)]  // light work: still under half a core
    [InlineData(1.0, 0.01, 4.0)]    // our share is taken as at least 1/4
    [InlineData(-0.1, 0.5, 0.0)]
    [InlineData(0.5, double.NaN, 0.5)]
    public void OtherDemand_ScalesWhatOtherWorkUsedByTheShareOurThreadsGot(double used, double share, double expected)
    {
        Assert.Equal(expected, CpuActivity.OtherDemand(used, share), 4);
    }

    [Theory]
    [InlineData("intr 1 2 3")]
    [InlineData("cpu0 1 2 3 4 5 6 7 8")]
    [InlineData("cpu  1 2 3")]
    [InlineData("cpu  1 2 x 4 5 6 7 8")]
    public void CpuTimes_RefuseOtherLines(string line)
    {
        var error = Assert.Throws<FormatException>(() => CpuTimes.Parse(line));
        Assert.Contains("/proc/stat", error.Message);
    }

    [Fact]
    public void PhysicalCores_IsBetweenOneAndTheLogicalCount()
    {
        var cores = ThreadPolicy.PhysicalCores();
        Assert.InRange(cores, 1, Environment.ProcessorCount);
    }
}
