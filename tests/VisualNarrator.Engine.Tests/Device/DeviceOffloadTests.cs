using System.Diagnostics;
using System.Text.Json;
using VisualNarrator.Engine.Benchmarking;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Testing;
using Xunit.Abstractions;

namespace VisualNarrator.Engine.Tests.Device;

/// <summary>
/// The engine on a ggml GPU backend (Vulkan0: Mesa's llvmpipe in CI) against the CPU device: full offload, layer
/// splits through ggml's scheduler, batched decode, and memory planning. Tolerances are the largest difference of any
/// logit, relative to the largest CPU logit: 3e-3 for F32 weights (Vulkan's F32 mul_mat differs by ~2e-4 per product),
/// 2e-2 for F16, 5e-2 for Q8_0 and Q4_K_M (Vulkan's quantized kernels round activations to Q8_1 where the CPU's use
/// Q8_0/Q8_K, a second rounding the CPU does not make).
/// </summary>
[Collection(VulkanCollection.Name)]
public sealed class DeviceOffloadTests(VulkanModels models, ITestOutputHelper output)
{
    private static readonly int[][] Prompts =
    [
        [2, 300, 17, 99, 45],
        [2, 12, 280],
        [2, 201, 33, 7, 150, 64, 90, 11],
        [2, 77],
    ];

    /// <summary>Fed after each prompt, so both devices see the same tokens whatever their logits.</summary>
    private static readonly int[] Continuation = [40, 120, 8];

    private static float Tolerance(string type) => type switch { "f32" => 3e-3f, "f16" => 2e-2f, _ => 5e-2f };

    [SkippableFact]
    public void Devices_ListVulkan0_WithMemory()
    {
        VulkanDevice.Require();
        var device = GgmlDevice.Find(VulkanDevice.Name);
        var (free, total) = device.Memory;
        Assert.True(total > 0 && free <= total, $"{device}: free {free}, total {total}");
        Assert.Contains(GgmlDevice.All, d => d.Type == GgmlDeviceType.Cpu);
    }

    [SkippableTheory]
    [InlineData("f32", "0")]
    [InlineData("f32", "2")]
    [InlineData("f32", "all")]
    [InlineData("f16", "0")]
    [InlineData("f16", "2")]
    [InlineData("f16", "all")]
    [InlineData("q8_0", "0")]
    [InlineData("q8_0", "2")]
    [InlineData("q8_0", "all")]
    [InlineData("q4_k_m", "0")]
    [InlineData("q4_k_m", "2")]
    [InlineData("q4_k_m", "all")]
    public void Split_LogitsEqualCpu(string type, string layers)
    {
        VulkanDevice.Require();
        var device = models.Get(type, layers);
        var plan = device.Model.Offload!;
        if (layers == "all") Assert.True(plan.IsFull, device.Model.RunsOn);
        else Assert.Equal(int.Parse(layers), plan.DeviceLayers);
        var logits = Run(device.Context, Prompts[2]);
        // A real split runs part of the graph on each backend; no layer on the device is the plain CPU path.
        if (plan.DeviceLayers is > 0 and < 4) Assert.True(device.Context.GraphSplits > 1, $"{device.Context.GraphSplits} splits");
        if (plan.DeviceLayers == 0) Assert.Null(device.Model.DeviceBackend);
        AssertClose(Run(models.Get(type, null).Context, Prompts[2]), logits, Tolerance(type));
    }

    [SkippableFact]
    public void BatchedDecode_OnDevice_EqualsOneSequenceAtATime()
    {
        VulkanDevice.Require();
        var ctx = models.Get("f32", "all").Context;
        var alone = Prompts.Select(p => Run(ctx, p)).ToArray();
        ctx.Cache.Clear();
        var together = RunTogether(ctx, Prompts);
        for (var s = 0; s < Prompts.Length; s++) AssertClose(alone[s], together[s], Tolerance("f32"));
    }

    /// <summary><c>--flash-attn off</c> on the device: attention by mul_mat over the transposed V cache. The prompt batch
    /// of four sequences copies its values in one block and the steps of four write them value by value; both give the
    /// CPU's logits.</summary>
    [SkippableFact]
    public void MulMatAttention_OnTheDevice_EqualsTheCpu()
    {
        VulkanDevice.Require();
        var device = models.Get("f16", "all", flashAttention: false).Context;
        Assert.True(device.Cache.TransposedValues);
        var cpu = models.Get("f16", null).Context;
        var expected = RunTogether(cpu, Prompts);
        var actual = RunTogether(device, Prompts);
        for (var s = 0; s < Prompts.Length; s++) AssertClose(expected[s], actual[s], Tolerance("f16"));
    }

    [SkippableFact]
    public void ComputeBuffers_StayWithinThePlannedEstimate()
    {
        VulkanDevice.Require();
        foreach (var layers in new[] { "all", "2" })
        {
            var (model, ctx) = models.Get("q4_k_m", layers);
            var planned = model.PlannedNeeds!.ComputeBytes;
            Assert.All(ctx.ComputeBuffers, b => Assert.True((long)b.Bytes <= planned, $"{b.Backend}: {b.Bytes} reserved, {planned} planned"));
            Assert.Contains(ctx.ComputeBuffers, b => b.Backend == VulkanDevice.Name && b.Bytes > 0);
        }
    }

    [SkippableFact]
    public void ComputeBuffers_AreReservedOnce_ForEveryBatchShape()
    {
        VulkanDevice.Require();
        foreach (var layers in new[] { "all", "2" })
        {
            var ctx = models.Get("q4_k_m", layers).Context;
            var reserved = ctx.ComputeBuffers.ToArray();
            // A long prompt with one logits row, single-token steps, then four sequences at once: different graphs.
            var batch = new DecodeBatch();
            batch.AddSequence([.. Enumerable.Range(0, 40).Select(i => 2 + i * 7 % 250)], 0, 0);
            ctx.Decode(batch);
            ctx.Cache.Clear();
            Run(ctx, Prompts[1]);
            RunTogether(ctx, Prompts);
            Assert.Equal(reserved, ctx.ComputeBuffers.ToArray());
        }
    }

    /// <summary>The rule that keeps Mesa's llvmpipe from crashing: every device buffer is allocated while the model
    /// loads and the context is created, none while requests run. ggml's Vulkan backend logs each allocation when
    /// GGML_VK_MEMORY_LOGGER is set; bench's phases (prefill, decode, a description, 1, 4 and 8 sequences) run
    /// between its "prefill" and "measured" lines on stderr.</summary>
    [SkippableFact]
    public void Bench_OnTheDevice_AllocatesNoDeviceMemoryAfterTheContextIsReady()
    {
        var library = VulkanDevice.Require();
        var environment = new Dictionary<string, string> { ["GGML_VK_MEMORY_LOGGER"] = "1", ["GGML_VK_VISIBLE_DEVICES"] = "0" };
        foreach (var layers in new[] { "all", "2" })
        {
            var run = NarratorCli.Run(environment, "bench", "--engine", "narrator", "--model", models.BenchFile(), "--threads", "2",
                "--device", VulkanDevice.Name, "--gpu-layers", layers, "--backend", library);
            Assert.True(run.ExitCode == 0, run.Stderr);
            var lines = run.Stderr.Split('\n', StringSplitOptions.TrimEntries);
            int start = Array.IndexOf(lines, "narrator: prefill"), end = Array.IndexOf(lines, "narrator: measured");
            Assert.True(start > 0 && end > start, run.Stderr);
            static bool Allocation(string line) => line.StartsWith("ggml_vulkan memory:", StringComparison.Ordinal);
            Assert.Contains(lines[..start], Allocation); // the logger is on: loading allocated the weights
            var late = lines[start..end].Where(Allocation).ToArray();
            Assert.True(late.Length == 0, $"--gpu-layers {layers}: device memory changed after the context was ready:\n{string.Join('\n', late)}");
        }
    }

    [SkippableFact]
    public void ModelTooLargeForTheDevice_IsRefusedBeforeAllocating_AndAutoSplitsIt()
    {
        var library = VulkanDevice.Require();
        // 4M cells of F16 keys and values: 4 GiB per layer, beyond llvmpipe's 2 GiB.
        var huge = VulkanModels.Inference with { ContextSize = 4 << 20 };
        var path = models.File("q4_k_m");
        var e = Assert.Throws<ModelLoadException>(() => Model.Load(path, new ModelLoadOptions(VulkanDevice.Name, 2, GpuLayers.All, [library], huge)));
        Assert.Contains("needs", e.Message);
        Assert.Contains("--gpu-layers 0 fits", e.Message);

        var auto = Model.Load(path, new ModelLoadOptions(VulkanDevice.Name, 2, GpuLayers.Auto, [library], huge));
        models.Keep(auto);
        Assert.Equal(0, auto.Offload!.DeviceLayers);
        Assert.Contains("not even one layer fits", auto.Offload.Reason);
    }

    [SkippableFact]
    public void AutomaticThreadCount_OfASplitModel_DoesNotGiveWayToOtherWork()
    {
        // With part of the graph on a device, the thread that runs it also waits for the device, so its CPU time no
        // longer tells our compute threads' time or share (CpuActivity); the count keeps its automatic value there.
        var library = VulkanDevice.Require();
        var split = Model.Load(models.File("f32"), new ModelLoadOptions(VulkanDevice.Name, 0, GpuLayers.Parse("2"), [library], VulkanModels.Inference));
        models.Keep(split);
        var chosen = split.ThreadChoice!;
        Skip.If(chosen.Threads < 2, $"the automatic count is {chosen.Threads} here: there is no count to lower");
        using var ctx = new InferenceContext(split, VulkanModels.Inference);

        var clock = Stopwatch.StartNew();
        using (new BackgroundLoad(Environment.ProcessorCount))
            while (clock.Elapsed < 6 * CpuActivity.Interval)
            {
                Run(ctx, Prompts[0]);
                Assert.Equal(chosen.Threads, split.ComputeThreads);
            }
    }

    [SkippableFact]
    public void Cli_RunsASplitOnTheDevice_AndSaysWhere()
    {
        var library = VulkanDevice.Require();
        var path = models.File("f32");
        string[] args = ["logits", "--model", path, "--ids", "2,300,17,99,45", "--steps", "2", "--context", "64", "--json"];
        var cpu = NarratorCli.Run(args);
        var device = NarratorCli.Run([.. args, "--device", VulkanDevice.Name, "--gpu-layers", "2", "--backend", library]);
        Assert.True(device.ExitCode == 0, device.Stderr);
        Assert.Contains("--gpu-layers 2: 2 of 4 layers on Vulkan0", device.Stderr);
        var expected = JsonDocument.Parse(cpu.Stdout).RootElement.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToList();
        var actual = JsonDocument.Parse(device.Stdout).RootElement.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToList();
        AssertClose(expected, actual, Tolerance("f32"));
    }

    /// <summary>Logits of every step: the prompt, then each continuation token.</summary>
    private static List<float[]> Run(InferenceContext ctx, int[] prompt) => RunTogether(ctx, [prompt])[0];

    /// <summary>All prompts as separate sequences in one batch per step; per sequence the logits of every step.</summary>
    private static List<float[]>[] RunTogether(InferenceContext ctx, int[][] prompts)
    {
        var result = prompts.Select(_ => new List<float[]>()).ToArray();
        var batch = new DecodeBatch();
        for (var s = 0; s < prompts.Length; s++) batch.AddSequence(prompts[s], 0, s);
        ctx.Decode(batch);
        for (var s = 0; s < prompts.Length; s++) result[s].Add(ctx.Logits(s).ToArray());
        for (var step = 0; step < Continuation.Length; step++)
        {
            batch.Clear();
            for (var s = 0; s < prompts.Length; s++) batch.Add(Continuation[step], prompts[s].Length + step, s, true);
            ctx.Decode(batch);
            for (var s = 0; s < prompts.Length; s++) result[s].Add(ctx.Logits(s).ToArray());
        }
        for (var s = 0; s < prompts.Length; s++) ctx.Cache.RemoveSequence(s);
        return result;
    }

    private void AssertClose(List<float[]> expected, List<float[]> actual, float relative)
    {
        Assert.Equal(expected.Count, actual.Count);
        output.WriteLine($"largest relative difference: {expected.Zip(actual, (e, a) => e.Zip(a, (x, y) => MathF.Abs(x - y)).Max() / e.Max(MathF.Abs)).Max():E2} (tolerance {relative:E0})");
        for (var step = 0; step < expected.Count; step++)
        {
            var scale = expected[step].Max(MathF.Abs);
            var worst = expected[step].Zip(actual[step], (a, b) => MathF.Abs(a - b)).Max();
            Assert.True(worst <= relative * scale, $"step {step}: max |cpu - device| = {worst}, {worst / scale:E2} of the largest logit {scale} (tolerance {relative:E0})");
        }
    }
}
