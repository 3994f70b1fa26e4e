using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Engine.Quantization;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Placement;

/// <summary>Memory planning for GPU offload, which runs in C# before anything native allocates.</summary>
public sealed class OffloadPlannerTests(TestModels models) : IClassFixture<TestModels>
{
    private const long GiB = 1L << 30;
    private static readonly InferenceOptions Context2048 = new(ContextSize: 2048);

    private static MemoryNeeds Opt13B(string type) =>
        MemoryNeeds.OfShape(new Opt(), ModelShapes.Get("opt-1.3b"), type == "f32" ? null : QuantizationPreset.Parse(type), Context2048);

    [Theory]
    [InlineData("auto")]
    [InlineData("all")]
    [InlineData("half")]
    [InlineData("0")]
    [InlineData("17")]
    public void GpuLayers_ParseAndPrint(string text) => Assert.Equal(text, GpuLayers.Parse(text).ToString());

    [Theory]
    [InlineData("-1")]
    [InlineData("some")]
    [InlineData("")]
    public void GpuLayers_RejectsOtherText(string text) =>
        Assert.Contains("--gpu-layers", Assert.Throws<InvalidSettingException>(() => GpuLayers.Parse(text)).Message);

    [Fact]
    public void NeedsOfAShape_EqualTheNeedsOfTheFileTheQuantizerWrites()
    {
        var f16 = models.Get("opt", new("opt", 64, 256, 512, 2, 4, 1e-5f, 0), GgmlType.F16);
        var q4 = models.PathFor("plan-q4_k_m.gguf");
        ModelQuantizer.Quantize(f16, q4, QuantizationPreset.Q4_K_M);
        var file = GgufFile.Open(q4);
        var hp = ModelHyperparameters.Read(file, "opt");
        var fromFile = MemoryNeeds.Of(file, hp, Context2048);
        var fromShape = MemoryNeeds.OfShape(new Opt(), hp, QuantizationPreset.Q4_K_M, Context2048);
        Assert.Equal(fromFile.LayerWeightBytes, fromShape.LayerWeightBytes);
        Assert.Equal(fromFile.OuterWeightBytes, fromShape.OuterWeightBytes);
        Assert.Equal(fromFile.KvBytesPerLayer, fromShape.KvBytesPerLayer);
        Assert.Equal(fromFile.ComputeBytes, fromShape.ComputeBytes);
    }

    [Fact]
    public void KvCache_IsKeysAndValuesOfEveryCell()
    {
        var needs = Opt13B("f16");
        // 24 layers x 2 (k, v) x 2048 wide x 2048 cells x 2 bytes = 384 MiB, plus alignment slack.
        Assert.InRange(needs.KvBytes, 384L << 20, (384L << 20) + 24 * 2 * MemoryNeeds.AlignmentSlack);
    }

    [Theory]
    [InlineData("f16", 2)]
    [InlineData("f16", 4)]
    [InlineData("q8_0", 2)]
    [InlineData("q4_k_m", 2)]
    public void Auto_PicksTheLargestLayerCountThatFits(string type, int gib)
    {
        var needs = Opt13B(type);
        var plan = OffloadPlanner.Plan(needs, GpuLayers.Auto, "GPU0", gib * GiB);
        var budget = OffloadPlanner.Budget(gib * GiB);
        Assert.True(plan.DeviceBytes <= budget, plan.Reason);
        if (plan.DeviceLayers < needs.LayerCount)
            Assert.True(OffloadPlanner.DeviceBytes(needs, plan.DeviceLayers + 1, false) > budget, plan.Reason);
        Assert.Contains($"chose {plan.DeviceLayers} of 24 layers", plan.Reason);
    }

    [Fact]
    public void F16OnTwoGiB_IsSplit_AndAllIsRefusedNamingWhatFits()
    {
        var needs = Opt13B("f16");
        var auto = OffloadPlanner.Plan(needs, GpuLayers.Auto, "GPU0", 2 * GiB);
        Assert.InRange(auto.DeviceLayers, 1, 23);
        Assert.False(auto.OuterOnDevice);
        var e = Assert.Throws<DeviceMemoryException>(() => OffloadPlanner.Plan(needs, GpuLayers.All, "GPU0", 2 * GiB));
        Assert.Contains($"--gpu-layers {auto.DeviceLayers} fits", e.Message);
        Assert.Contains("GPU0", e.Message);
    }

    [Fact]
    public void LastLayersGoToTheDevice()
    {
        var plan = OffloadPlanner.Plan(Opt13B("q4_k_m"), GpuLayers.Exactly(4), "GPU0", 8 * GiB);
        Assert.False(plan.LayerOnDevice(19));
        Assert.True(plan.LayerOnDevice(20));
        Assert.True(plan.TensorOnDevice("blk.23.ffn_up.weight"));
        Assert.False(plan.TensorOnDevice("blk.2.ffn_up.weight"));
        Assert.False(plan.TensorOnDevice("token_embd.weight"));
        Assert.True(OffloadPlanner.Plan(Opt13B("q4_k_m"), GpuLayers.All, "GPU0", 8 * GiB).TensorOnDevice("token_embd.weight"));
    }

    [Fact]
    public void MoreLayersThanTheModelHas_IsAnError() =>
        Assert.Contains("24 layers", Assert.Throws<InvalidSettingException>(() => OffloadPlanner.Plan(Opt13B("q4_k_m"), GpuLayers.Exactly(25), "GPU0", 8 * GiB)).Message);

    [Fact]
    public void GpuLayersOnTheCpu_IsRefused()
    {
        var path = models.Get("opt", TestModels.TinyOpt);
        var e = Assert.Throws<InvalidSettingException>(() => Model.Load(path, new ModelLoadOptions("cpu", 1, GpuLayers.Exactly(1))));
        Assert.Contains("needs a GPU --device", e.Message);
    }

    [Fact]
    public void PlanCommand_PrintsTheTableAndTheAutoSplits()
    {
        var run = NarratorCli.Run("plan", "--shape", "opt-1.3b", "--type", "f16", "--context", "2048", "--memory", "2,8");
        Assert.Equal(0, run.ExitCode);
        var auto = OffloadPlanner.Plan(Opt13B("f16"), GpuLayers.Auto, "x", 2 * GiB);
        Assert.Contains($"2 GiB: {auto.DeviceLayers}/24 layers", run.Stdout);
        Assert.Contains("8 GiB: 24/24 layers + embeddings and head", run.Stdout);
        Assert.Matches(@"KV cache +384\.0 MiB", run.Stdout);
    }

    [Fact]
    public void DevicesCommand_ListsTheCpu_AndAMissingBackendExits2()
    {
        var run = NarratorCli.Run("devices", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"name\":\"CPU\"", run.Stdout);
        var missing = NarratorCli.Run("devices", "--backend", "/no/such/libggml-cuda.so");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("/no/such/libggml-cuda.so: no such ggml backend library", missing.Stderr);
    }
}
