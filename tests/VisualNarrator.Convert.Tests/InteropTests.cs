using System.Text.Json.Nodes;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Lora;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Tests.Support;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Tests;

/// <summary>Files cross between this tool and real PyTorch (Debian's python3-torch) unchanged.</summary>
public sealed class InteropTests
{
    [SkippableTheory]
    [InlineData("float32", true)]
    [InlineData("float16", false)]
    [InlineData("bfloat16", true)]
    public void TorchSavedPytorchModelBin_LoadsWithIdenticalValues(string dtype, bool withModelPrefix)
    {
        PythonTorch.Require();
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir, untied: true);
        var target = dir["torch-saved"];
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(hf, OptConfig.FileName), Path.Combine(target, OptConfig.FileName));
        HfCheckpoint.CopySideFiles(hf, target);
        using (var c = HfCheckpoint.Load(hf))
        {
            var spec = new JsonObject
            {
                ["seed"] = 11,
                ["dtype"] = dtype,
                ["tensors"] = new JsonArray([.. c.Model.BaseParameters().Select(p => (JsonNode)new JsonObject
                {
                    ["key"] = withModelPrefix || !p.Key.StartsWith("model.", StringComparison.Ordinal) ? p.Key : p.Key["model.".Length..],
                    ["shape"] = new JsonArray([.. p.Value.shape.Select(d => (JsonNode)d)]),
                })]),
            };
            File.WriteAllText(dir["spec.json"], spec.ToJsonString());
        }
        PythonTorch.Run("save", dir["spec.json"], Path.Combine(target, HfCheckpoint.BinName), dir["digests.json"]);

        var digests = PythonTorch.Digests(dir["digests.json"]);
        using var loaded = HfCheckpoint.Load(target);
        var parameters = loaded.Model.BaseParameters().ToList();
        Assert.Equal(digests.Count, parameters.Count);
        foreach (var (key, value) in parameters)
        {
            var fileKey = withModelPrefix || !key.StartsWith("model.", StringComparison.Ordinal) ? key : key["model.".Length..];
            Assert.Equal(digests[fileKey]!["sha256"]!.GetValue<string>(), PythonTorch.Sha256(value));
        }
    }

    [SkippableTheory]
    [InlineData("f32")]
    [InlineData("f16")]
    public void OurFiles_LoadInRealPyTorch(string dtype)
    {
        PythonTorch.Require();
        using var dir = new TempDir();
        var type = dtype == "f16" ? ScalarType.Float16 : ScalarType.Float32;
        var hf = Tiny.Synth(dir, dtype: type, format: WeightFormat.TorchBin);
        var st = Tiny.Synth(dir, "st", dtype: type);
        using var c = HfCheckpoint.Load(hf);
        LoraAdapter.Create(c.Model, new LoraConfig { R = 4, Alpha = 8, TargetModules = ["q_proj", "fc1"] }, seed: 2);
        LoraAdapter.Save(c.Model, new LoraConfig { R = 4, Alpha = 8, TargetModules = ["q_proj", "fc1"] }, dir["adapter-bin"], WeightFormat.TorchBin);
        LoraAdapter.Save(c.Model, new LoraConfig { R = 4, Alpha = 8, TargetModules = ["q_proj", "fc1"] }, dir["adapter-st"]);

        foreach (var (mode, file) in new[]
                 {
                     ("load", Path.Combine(hf, HfCheckpoint.BinName)), ("safetensors", Path.Combine(st, HfCheckpoint.SafetensorsName)),
                     ("load", Path.Combine(dir["adapter-bin"], LoraAdapter.BinName)), ("safetensors", Path.Combine(dir["adapter-st"], LoraAdapter.SafetensorsName)),
                 })
        {
            PythonTorch.Run(mode, file, dir["digests.json"]);
            var digests = PythonTorch.Digests(dir["digests.json"]);
            var ours = HfCheckpoint.ReadTensors([file]).ToList();
            Assert.Equal(ours.Count, digests.Count);
            foreach (var (key, value, _) in ours)
            {
                var d = digests[key] ?? throw new Xunit.Sdk.XunitException($"{file}: PyTorch did not find '{key}'");
                Assert.Equal(value.shape, d["shape"]!.AsArray().Select(x => x!.GetValue<long>()));
                Assert.Equal(value.dtype == ScalarType.Float16 ? "float16" : "float32", d["dtype"]!.GetValue<string>());
                Assert.Equal(PythonTorch.Sha256(value), d["sha256"]!.GetValue<string>());
                value.Dispose();
            }
        }
    }
}
