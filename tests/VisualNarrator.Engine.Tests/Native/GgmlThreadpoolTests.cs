using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;
using Xunit;

namespace VisualNarrator.Engine.Tests.Native;

/// <summary>The persistent CPU threadpool and the OpenMP wait policy.</summary>
[Collection("ggml")]
public sealed class GgmlThreadpoolTests(TestModels models) : IClassFixture<TestModels>
{
    internal static readonly int[] Prompt = [2, 300, 17, 99, 45, 280, 7, 150, 64, 201, 33];

    [Fact]
    public void ParamsLayout_MatchesWhatGgmlWrites()
    {
        GgmlLibrary.EnsureLoaded();
        GgmlThreadpool.CheckLayout(); // throws with the offending field if the build disagrees
        using var pool = GgmlThreadpool.Create(3);
        Assert.False(pool.IsInvalid);
        Assert.Equal(3, pool.Threads);
        Assert.Equal(0u, pool.Poll);
    }

    [Fact]
    public void Create_RejectsOutOfRangeArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GgmlThreadpool.Create(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GgmlThreadpool.Create(513));
        Assert.Throws<ArgumentOutOfRangeException>(() => GgmlThreadpool.Create(1, poll: 101));
    }

    [Fact]
    public void CpuBackend_HasAPoolOfItsThreadCount_ResizedWithIt()
    {
        using var backend = GgmlBackend.Create("cpu", 2);
        Assert.True(backend.PersistentThreadpool);
        backend.Threads = 3;
        Assert.True(backend.PersistentThreadpool);
        backend.PersistentThreadpool = false;
        Assert.False(backend.PersistentThreadpool);
        backend.Threads = 1; // no pool to resize
        Assert.False(backend.PersistentThreadpool);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Logits_WithThreadpool_EqualThoseWithout(int threads)
    {
        var path = models.Get("opt", TestModels.Wider, GgmlType.F16);
        var with = DecodeLogits(path, threads, persistentPool: true);
        var without = DecodeLogits(path, threads, persistentPool: false);
        Assert.Equal(without.Length, with.Length);
        for (var i = 0; i < with.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(with[i]) == BitConverter.SingleToInt32Bits(without[i]),
                $"logit {i}: {with[i]} with the pool, {without[i]} without");
    }

    private static float[] DecodeLogits(string path, int threads, bool persistentPool)
    {
        using var model = Model.Load(path, new ModelLoadOptions(Threads: threads));
        Assert.Equal(threads, model.Backend.Threads);
        model.Backend.PersistentThreadpool = persistentPool;
        return DecodeLogits(model);
    }

    /// <summary>Logits of an 11-token prompt and of four decode steps after it (F32 cache), concatenated.</summary>
    internal static float[] DecodeLogits(Model model)
    {
        using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: 64, CacheType: KvCacheType.F32));
        var batch = new DecodeBatch();
        batch.AddSequence(Prompt, 0, 0);
        ctx.Decode(batch);
        var logits = new List<float>(ctx.Logits(0).ToArray());
        for (var step = 0; step < 4; step++)
        {
            batch.Clear();
            batch.Add(Prompt[step], Prompt.Length + step, 0, true);
            ctx.Decode(batch);
            logits.AddRange(ctx.Logits(0).ToArray());
        }
        return [.. logits];
    }

    [Fact]
    public void WaitPolicy_IsPassiveAfterAShortSpinInTheNativeEnvironment_UnlessTheUserChoseOne()
    {
        GgmlLibrary.EnsureLoaded();
        var effective = OpenMpWaitPolicy.Effective;
        Assert.NotNull(effective);
        var given = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable);
        var givenSpins = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.SpinCountVariable);
        if (!string.IsNullOrEmpty(given))
        {
            Assert.True(OpenMpWaitPolicy.FromEnvironment);
            Assert.Equal(given, effective);
        }
        else if (effective != "unchanged") // "unchanged": another test loaded libgomp before the engine did
        {
            Assert.Equal("passive", effective);
            Assert.False(OpenMpWaitPolicy.FromEnvironment);
            // Read back from the native environment, where libgomp looks.
            Assert.Equal(string.IsNullOrEmpty(givenSpins) ? OpenMpWaitPolicy.SpinCount.ToString(System.Globalization.CultureInfo.InvariantCulture) : givenSpins, OpenMpWaitPolicy.EffectiveSpinCount);
        }
    }
}
