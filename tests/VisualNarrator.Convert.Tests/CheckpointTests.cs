using System.Text.Json.Nodes;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Gguf;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Tests;

/// <summary>Loading HuggingFace folders in every layout, and clear errors for bad ones.</summary>
public sealed class CheckpointTests
{
    private static Dictionary<string, Tensor> StateDict(string folder)
    {
        using var c = HfCheckpoint.Load(folder);
        return c.Model.BaseParameters().ToDictionary(p => p.Key, p => p.Value.detach().clone());
    }

    private static void AssertSameWeights(Dictionary<string, Tensor> expected, string folder, double tolerance = 0)
    {
        var actual = StateDict(folder);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, value) in expected)
            Assert.True(Close.MaxAbsDiff(value, actual[key]) <= tolerance, $"{key} differs by {Close.MaxAbsDiff(value, actual[key])}");
    }

    /// <summary>Copies the non-weight files of a checkpoint (config, tokenizer) into a new folder.</summary>
    private static string Skeleton(string from, string to)
    {
        Directory.CreateDirectory(to);
        File.Copy(Path.Combine(from, OptConfig.FileName), Path.Combine(to, OptConfig.FileName));
        HfCheckpoint.CopySideFiles(from, to);
        return to;
    }

    private static List<(string Key, Tensor Value)> Tensors(string folder) =>
        [.. HfCheckpoint.ReadTensors(HfCheckpoint.FindWeights(folder).Files)
            .Select(t => (t.Key, t.Value))];

    private static void WriteSafetensors(string path, IEnumerable<(string Key, Tensor Value)> tensors) =>
        SafetensorsFile.Write(path, [.. tensors.Select(t => (t.Key, t.Value.shape, t.Value.dtype, (Func<Tensor>)(() => t.Value)))]);

    [Theory]
    [InlineData("bin")]
    [InlineData("sharded-safetensors")]
    [InlineData("sharded-bin")]
    [InlineData("no-model-prefix")]
    public void EveryLayout_LoadsTheSameWeights(string layout)
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir, untied: true);
        var expected = StateDict(hf);
        var target = Skeleton(hf, dir["copy"]);
        var tensors = Tensors(hf);
        switch (layout)
        {
            case "bin":
                TorchBinFile.Write(Path.Combine(target, HfCheckpoint.BinName), tensors);
                break;
            case "no-model-prefix":
                WriteSafetensors(Path.Combine(target, HfCheckpoint.SafetensorsName),
                    tensors.Select(t => (t.Key.StartsWith("model.", StringComparison.Ordinal) ? t.Key["model.".Length..] : t.Key, t.Value)));
                break;
            default:
                var bin = layout == "sharded-bin";
                var ext = bin ? "bin" : "safetensors";
                var prefix = bin ? "pytorch_model" : "model";
                var halves = tensors.Chunk((tensors.Count + 1) / 2).ToArray();
                var map = new JsonObject();
                for (var i = 0; i < halves.Length; i++)
                {
                    var name = $"{prefix}-{i + 1:D5}-of-{halves.Length:D5}.{ext}";
                    if (bin) TorchBinFile.Write(Path.Combine(target, name), halves[i]);
                    else WriteSafetensors(Path.Combine(target, name), halves[i]);
                    foreach (var (key, _) in halves[i]) map[key] = name;
                }
                File.WriteAllText(Path.Combine(target, bin ? HfCheckpoint.BinIndexName : HfCheckpoint.SafetensorsIndexName),
                    new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map }.ToJsonString());
                break;
        }
        AssertSameWeights(expected, target);
    }

    [Theory]
    [InlineData("f16")]
    [InlineData("bf16")]
    public void HalfPrecisionWeights_LoadAsTheirFloat32Values(string dtype)
    {
        using var dir = new TempDir();
        var type = dtype == "f16" ? ScalarType.Float16 : ScalarType.BFloat16;
        var hf = Tiny.Synth(dir, dtype: type);
        var stored = Tensors(hf);
        Assert.All(stored, t => Assert.Equal(type, t.Value.dtype));
        using var c = HfCheckpoint.Load(hf);
        Assert.Equal(type, c.StoredType);
        var loaded = c.Model.BaseParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (key, value) in stored)
            Assert.Equal(0, Close.MaxAbsDiff(value.to(ScalarType.Float32), loaded[key]));
    }

    [Fact]
    public void TiedCheckpointWithAStoredLmHead_LoadsWhenItEqualsTheEmbedding()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        var tensors = Tensors(hf);
        var embed = tensors.Single(t => t.Key == "model.decoder.embed_tokens.weight").Value;
        var target = Skeleton(hf, dir["with-head"]);
        WriteSafetensors(Path.Combine(target, HfCheckpoint.SafetensorsName), tensors.Append(("lm_head.weight", embed)));
        AssertSameWeights(StateDict(hf), target);

        var other = Skeleton(hf, dir["other-head"]);
        WriteSafetensors(Path.Combine(other, HfCheckpoint.SafetensorsName), tensors.Append(("lm_head.weight", embed.mul(2))));
        Assert.Contains("lm_head.weight differs", Assert.Throws<CheckpointException>(() => HfCheckpoint.Load(other)).Message);
    }

    public static TheoryData<string, string> BadCheckpoints => new()
    {
        { "missing-key", "missing keys (1): model.decoder.layers.1.fc2.bias" },
        { "unexpected-key", "unexpected keys (1): model.decoder.layers.0.extra.weight" },
        { "shape-mismatch", "shape mismatches" },
        { "model-type", "unsupported model_type 'gpt2'" },
        { "corrupt-header", "corrupt safetensors header" },
        { "huge-header", "claims" },
        { "truncated-safetensors", "truncated file?" },
        { "truncated-bin", "cannot read the PyTorch archive" },
        { "no-weights", "no weights" },
        { "missing-shard", "which is missing" },
        { "integer-weights", "must be floating point" },
    };

    [Theory]
    [MemberData(nameof(BadCheckpoints))]
    public void BadCheckpoint_IsAClearError_AndNothingIsWritten(string kind, string message)
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir);
        var bad = Skeleton(hf, dir["bad"]);
        var tensors = Tensors(hf);
        var st = Path.Combine(bad, HfCheckpoint.SafetensorsName);
        switch (kind)
        {
            case "missing-key":
                WriteSafetensors(st, tensors.Where(t => t.Key != "model.decoder.layers.1.fc2.bias"));
                break;
            case "unexpected-key":
                WriteSafetensors(st, tensors.Append(("model.decoder.layers.0.extra.weight", zeros(3))));
                break;
            case "shape-mismatch":
                WriteSafetensors(st, tensors);
                var cfg = JsonNode.Parse(File.ReadAllText(Path.Combine(bad, OptConfig.FileName)))!;
                cfg["ffn_dim"] = 128;
                File.WriteAllText(Path.Combine(bad, OptConfig.FileName), cfg.ToJsonString());
                break;
            case "model-type":
                WriteSafetensors(st, tensors);
                File.WriteAllText(Path.Combine(bad, OptConfig.FileName), File.ReadAllText(Path.Combine(bad, OptConfig.FileName)).Replace("\"opt\"", "\"gpt2\""));
                break;
            case "corrupt-header":
                File.Copy(Path.Combine(hf, HfCheckpoint.SafetensorsName), st);
                using (var f = File.OpenWrite(st)) { f.Position = 12; f.Write("\u0001garbage}}}"u8); }
                break;
            case "huge-header":
                File.Copy(Path.Combine(hf, HfCheckpoint.SafetensorsName), st);
                using (var f = File.OpenWrite(st)) f.Write(BitConverter.GetBytes(long.MaxValue / 2));
                break;
            case "truncated-safetensors":
                File.Copy(Path.Combine(hf, HfCheckpoint.SafetensorsName), st);
                using (var f = File.OpenWrite(st)) f.SetLength(f.Length - 1000);
                break;
            case "truncated-bin":
                var bin = Path.Combine(bad, HfCheckpoint.BinName);
                TorchBinFile.Write(bin, tensors);
                using (var f = File.OpenWrite(bin)) f.SetLength(f.Length / 2);
                break;
            case "missing-shard":
                File.WriteAllText(Path.Combine(bad, HfCheckpoint.SafetensorsIndexName),
                    new JsonObject { ["weight_map"] = new JsonObject { ["model.decoder.embed_tokens.weight"] = "model-00001-of-00002.safetensors" } }.ToJsonString());
                break;
            case "integer-weights":
                WriteSafetensors(st, tensors.Select(t => t.Key == "model.decoder.layers.0.fc1.bias" ? (t.Key, t.Value.to(ScalarType.Int32)) : t));
                break;
        }
        var ex = Assert.Throws<CheckpointException>(() => HfCheckpoint.Load(bad));
        Assert.Contains(message, ex.Message);

        var before = dir.Entries();
        Assert.ThrowsAny<Exception>(() => GgufConversion.Convert(new ToGgufOptions(bad, dir["out.gguf"], GgmlType.F32)));
        Assert.ThrowsAny<Exception>(() => Merging.Run(new MergeOptions(bad, dir["adapter-does-not-matter"], dir["merged"])));
        Assert.Equal(before, dir.Entries());
    }

    [Fact]
    public void PostLnWithProjections_MatchesAnIndependentForward_AndTheEngineAfterToGguf()
    {
        using var dir = new TempDir();
        Tiny.Torch();
        var tok = Tiny.WriteTokenizer(dir["tok"]);
        var config = Synthesizer.ConfigFor(new SynthOptions("tiny", TokenizerFolder: tok), Tiny.Tokenizer) with
        {
            DoLayerNormBefore = false, WordEmbedProjDim = 32, InitStd = 0.2,
        };
        using (var model = new OptForCausalLM(config))
        {
            model.InitializeRandom(9);
            HfCheckpoint.Save(model, dir["hf"], sideFilesFrom: tok);
        }
        using var c = HfCheckpoint.Load(dir["hf"]);
        Assert.Contains(c.Model.BaseParameters(), p => p.Key == "model.decoder.project_in.weight");
        Assert.DoesNotContain(c.Model.BaseParameters(), p => p.Key == "model.decoder.final_layer_norm.weight");
        foreach (var ids in Tiny.PromptIds())
            Close.Within(ReferenceOpt.LastLogits(c.Model, ids), c.Model.LastLogits(ids), 1e-4);

        GgufConversion.Convert(new ToGgufOptions(dir["hf"], dir["out.gguf"], GgmlType.F32));
        var engine = EngineOracle.LastLogits(dir["out.gguf"], Tiny.PromptIds());
        var prompts = Tiny.PromptIds();
        for (var i = 0; i < prompts.Length; i++)
            Close.Within(c.Model.LastLogits(prompts[i]), engine[i], 2e-3, $"prompt {i}: ");
    }

    [Fact]
    public void PreLn_MatchesAnIndependentForward()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir, untied: true, std: 0.2);
        using var c = HfCheckpoint.Load(hf);
        foreach (var ids in Tiny.PromptIds())
            Close.Within(ReferenceOpt.LastLogits(c.Model, ids), c.Model.LastLogits(ids), 1e-4);
    }
}
