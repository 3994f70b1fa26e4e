using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Lora;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Tests.Support;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Tests;

/// <summary>PEFT adapters: merge semantics, round trips, and validation against the base model.</summary>
public sealed class LoraTests
{
    private static LoraConfig Config(int r = 4, bool rslora = false, params string[] targets) => new()
    {
        R = r, Alpha = 8, Dropout = 0.1, UseRsLora = rslora,
        TargetModules = targets.Length > 0 ? targets : [.. OptForCausalLM.LoraTargets],
    };

    /// <summary>An adapter with random, non-zero A and B (a fresh adapter has B = 0, which would hide mistakes).</summary>
    private static void Randomize(OptForCausalLM model, int seed)
    {
        using var _ = no_grad();
        var g = new Generator((ulong)seed);
        foreach (var (_, p) in model.LoraParameters()) p.normal_(0, 0.2, g);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnmergedForward_EqualsMergedModel(bool rslora)
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        using var checkpoint = HfCheckpoint.Load(hf);
        var model = checkpoint.Model;
        var config = Config(4, rslora);
        LoraAdapter.Create(model, config, seed: 3);
        Randomize(model, 4);
        model.eval();
        var prompts = Tiny.PromptIds();
        var unmerged = prompts.Select(model.LastLogits).ToArray();

        // The branch must change the output, or the comparison below would prove nothing.
        using var plain = HfCheckpoint.Load(hf);
        Assert.True(Close.MaxAbsDiff(tensor(plain.Model.LastLogits(prompts[0])), tensor(unmerged[0])) > 1e-2);

        var scaling = model.Decoder.Layers[0].SelfAttn.QProj.LoraScaling;
        Assert.Equal(rslora ? 8 / Math.Sqrt(4) : 8.0 / 4, scaling, 12);
        Assert.Equal(12, LoraAdapter.MergeAll(model));
        Assert.DoesNotContain(model.Projections(), p => p.Module.HasLora);
        for (var i = 0; i < prompts.Length; i++)
            Close.Within(unmerged[i], model.LastLogits(prompts[i]), 1e-5, $"prompt {i}: ");
    }

    [Theory]
    [InlineData(WeightFormat.Safetensors)]
    [InlineData(WeightFormat.TorchBin)]
    public void SavedAdapter_LoadsBackIdentically_InPeftLayout(WeightFormat format)
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        using var a = HfCheckpoint.Load(hf);
        LoraAdapter.Create(a.Model, Config(4, false, "q_proj", "v_proj", "fc2"), seed: 1);
        Randomize(a.Model, 2);
        LoraAdapter.Save(a.Model, Config(4, false, "q_proj", "v_proj", "fc2") with { BaseModelNameOrPath = "tiny" }, dir["adapter"], format);

        var file = dir[Path.Combine("adapter", format == WeightFormat.Safetensors ? LoraAdapter.SafetensorsName : LoraAdapter.BinName)];
        var keys = HfCheckpoint.ReadTensors([file]).Select(t => { t.Value.Dispose(); return t.Key; }).Order().ToList();
        Assert.Equal(2 * 3 * 2, keys.Count);
        Assert.Contains("base_model.model.model.decoder.layers.1.self_attn.q_proj.lora_A.weight", keys);
        Assert.Contains("base_model.model.model.decoder.layers.0.fc2.lora_B.weight", keys);

        using var b = HfCheckpoint.Load(hf);
        var attached = LoraAdapter.Load(b.Model, dir["adapter"]);
        Assert.Equal(6, attached.Modules.Count);
        var left = a.Model.LoraParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (key, value) in b.Model.LoraParameters())
            Assert.Equal(0, Close.MaxAbsDiff(left[key], value));
    }

    [Fact]
    public void FanInFanOut_IsReportedAndIgnoredLikePeft()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        using var a = HfCheckpoint.Load(hf);
        LoraAdapter.Create(a.Model, Config(2), seed: 1);
        LoraAdapter.Save(a.Model, Config(2), dir["adapter"]);
        var path = dir[Path.Combine("adapter", LoraConfig.FileName)];
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"fan_in_fan_out\": false", "\"fan_in_fan_out\": true"));
        using var b = HfCheckpoint.Load(hf);
        var attached = LoraAdapter.Load(b.Model, dir["adapter"]);
        Assert.Contains(attached.Warnings, w => w.Contains("fan_in_fan_out"));
    }

    public static TheoryData<string, string> BadAdapters => new()
    {
        { "other-architecture", "another architecture" },
        { "wrong-rank", "rank mismatch" },
        { "missing-target", "without LoRA weights" },
        { "other-size", "shape mismatch" },
        { "not-lora", "only LORA adapters" },
    };

    [Theory]
    [MemberData(nameof(BadAdapters))]
    public void BadAdapter_IsAClearErrorAndMergeLeavesNoOutput(string kind, string message)
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        var adapter = dir["adapter"];
        Directory.CreateDirectory(adapter);
        var config = Config(4, false, "q_proj", "v_proj");
        Tensor A(long r, long i) => randn(r, i);
        var tensors = new List<(string, Tensor)>();
        for (var layer = 0; layer < 2; layer++)
            foreach (var m in new[] { "q_proj", "v_proj" })
            {
                var p = $"base_model.model.model.decoder.layers.{layer}.self_attn.{m}";
                switch (kind)
                {
                    case "wrong-rank":
                        tensors.Add(($"{p}.lora_A.weight", A(2, 64)));
                        tensors.Add(($"{p}.lora_B.weight", A(64, 2)));
                        break;
                    case "missing-target" when m == "v_proj":
                        break;
                    case "other-size":
                        tensors.Add(($"{p}.lora_A.weight", A(4, 96)));
                        tensors.Add(($"{p}.lora_B.weight", A(96, 4)));
                        break;
                    default:
                        tensors.Add(($"{p}.lora_A.weight", A(4, 64)));
                        tensors.Add(($"{p}.lora_B.weight", A(64, 4)));
                        break;
                }
            }
        if (kind == "other-architecture")
        {
            config = Config(4, false, "c_attn");
            tensors = [("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight", A(4, 64)), ("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight", A(192, 4))];
        }
        config.Write(adapter);
        if (kind == "not-lora")
        {
            var path = Path.Combine(adapter, LoraConfig.FileName);
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"LORA\"", "\"IA3\""));
        }
        TorchBinFile.Write(Path.Combine(adapter, LoraAdapter.BinName), tensors);

        var before = dir.Entries();
        var ex = Assert.Throws<CheckpointException>(() => Merging.Run(new MergeOptions(hf, adapter, dir["merged"])));
        Assert.Contains(message, ex.Message);
        Assert.Equal(before, dir.Entries());
        ex = Assert.Throws<CheckpointException>(() => GgufConversion.Convert(new ToGgufOptions(hf, dir["out.gguf"], VisualNarrator.Gguf.GgmlType.F32, adapter)));
        Assert.Contains(message, ex.Message);
        Assert.Equal(before, dir.Entries());
    }
}
