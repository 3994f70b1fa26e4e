using System.Text.Json;
using System.Text.Json.Nodes;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Gguf;
using Xunit.Abstractions;

namespace VisualNarrator.Convert.Tests;

/// <summary>The whole path for each OPT variant: real PyTorch torch.saves a checkpoint, <c>convert to-gguf</c> (the
/// built tool, as a child process) writes the GGUF, the engine runs it, and its logits equal an OPT forward pass written
/// independently in plain PyTorch (float64) over the same torch.save'd file.</summary>
public sealed class OptOracleTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("pre-LN, tied", true, 64, false)]
    [InlineData("post-LN with project_in / project_out (opt-350m's layout), tied", false, 32, false)]
    [InlineData("post-LN with project_in / project_out, untied lm_head", false, 32, true)]
    [InlineData("pre-LN with project_in / project_out, untied lm_head", true, 48, true)]
    public void EngineLogits_EqualPyTorch_AfterToGguf(string variant, bool preLn, int wordEmbedProjDim, bool untied)
    {
        PythonTorch.Require();
        Tiny.Torch();
        using var dir = new TempDir();
        var tok = Tiny.WriteTokenizer(dir["tok"]);
        var config = Synthesizer.ConfigFor(new SynthOptions("tiny", TokenizerFolder: tok), Tiny.Tokenizer) with
        {
            DoLayerNormBefore = preLn, WordEmbedProjDim = wordEmbedProjDim, TieWordEmbeddings = !untied, NameOrPath = variant,
        };
        var hf = dir["hf"];
        Directory.CreateDirectory(hf);
        config.Write(Path.Combine(hf, OptConfig.FileName));
        HfCheckpoint.CopySideFiles(tok, hf);
        JsonArray keys;
        using (var shapes = new OptForCausalLM(config))
            keys = new JsonArray([.. shapes.BaseParameters().Select(p => (JsonNode)new JsonObject
            {
                ["key"] = p.Key,
                ["shape"] = new JsonArray([.. p.Value.shape.Select(d => (JsonNode)d)]),
            })]);
        Assert.Equal(wordEmbedProjDim != 64, keys.Any(k => k!["key"]!.GetValue<string>() == "model.decoder.project_in.weight"));
        File.WriteAllText(dir["spec.json"], new JsonObject { ["seed"] = 5, ["std"] = 0.2, ["tensors"] = keys }.ToJsonString());
        var bin = Path.Combine(hf, HfCheckpoint.BinName);
        PythonTorch.Run("save", dir["spec.json"], bin, dir["digests.json"]);

        var gguf = dir["model.gguf"];
        var run = ConvertCli.Run("to-gguf", "--model", hf, "--out", gguf, "--type", "f32");
        Assert.True(run.ExitCode == 0, $"to-gguf failed ({run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");
        var file = GgufFile.Open(gguf);
        Assert.Equal(preLn, file.GetBool("opt.layer_norm_before", true));
        Assert.Equal(wordEmbedProjDim != 64, file.FindTensor("proj_out.weight") is not null);
        Assert.Equal(untied, file.FindTensor("output.weight") is not null);

        var prompts = Tiny.PromptIds();
        File.WriteAllText(dir["ids.json"], JsonSerializer.Serialize(prompts));
        PythonTorch.Run("forward", bin, Path.Combine(hf, OptConfig.FileName), dir["ids.json"], dir["torch-logits.json"]);
        var expected = JsonSerializer.Deserialize<double[][]>(File.ReadAllText(dir["torch-logits.json"]))!;
        var engine = EngineOracle.LastLogits(gguf, prompts);
        Assert.Equal(prompts.Length, expected.Length);
        var spread = expected.SelectMany(l => l).Select(Math.Abs).Max();
        Assert.True(spread > 1, $"{variant}: logits too flat to compare ({spread})");
        var worst = prompts.Select((_, i) => expected[i].Zip(engine[i], (e, a) => Math.Abs(e - a)).Max()).Max();
        output.WriteLine($"{variant}: max |engine - torch| {worst:G3} over {prompts.Length} prompts x {expected[0].Length} logits (largest |logit| {spread:G3})");
        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(expected[i].Length, engine[i].Length);
            Close.Within([.. expected[i].Select(v => (float)v)], engine[i], 1e-4, $"{variant}, prompt {i}: ");
            Assert.Equal(Array.IndexOf(expected[i], expected[i].Max()), Array.IndexOf(engine[i], engine[i].Max()));
        }
    }
}
