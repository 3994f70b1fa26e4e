using VisualNarrator.Convert.Modeling;
using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Torch;
using VisualNarrator.Engine.Models;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Convert.Tests.Support;

/// <summary>Tiny models and data for tests: the engine tests' tiny byte-level tokenizer (OPT's special ids, ~330
/// tokens) written as a HuggingFace folder, and synthetic checkpoints that use it.</summary>
public static class Tiny
{
    private static readonly Lazy<TokenizerSpec> Spec = new(RandomModelWriter.TinyTokenizer);

    public static TokenizerSpec Tokenizer => Spec.Value;

    /// <summary>Five prompts the tiny tokenizer encodes into a handful of merged tokens each.</summary>
    public static readonly string[] Prompts =
    [
        "Describe this image: a busy city street",
        "Describe this image: a sunset over mountains",
        "the light on the trees and the street",
        "people in a city with light",
        "Describe this image: a busy street of people",
    ];

    /// <summary>Makes sure TorchSharp is loaded (applying the libstdc++ fix) before a test touches it.</summary>
    public static void Torch() => TorchRuntime.EnsureInitialized();

    /// <summary>Writes the tiny tokenizer as a HF folder and returns the path.</summary>
    public static string WriteTokenizer(string folder)
    {
        HuggingFaceTokenizerFolder.Write(Tokenizer, folder);
        return folder;
    }

    /// <summary>A synthetic tiny checkpoint with the tiny tokenizer (std 0.1 so logits are well spread).</summary>
    public static string Synth(TempDir dir, string name = "base", int seed = 1, bool untied = false, double std = 0.1,
        HuggingFace.WeightFormat format = HuggingFace.WeightFormat.Safetensors, TorchSharp.torch.ScalarType? dtype = null)
    {
        Torch();
        var tok = dir["tokenizer"];
        if (!Directory.Exists(tok)) WriteTokenizer(tok);
        var path = dir[name];
        Synthesizer.Synthesize(new SynthOptions("tiny", seed, tok, dtype ?? TorchSharp.torch.ScalarType.Float32, format, std, untied), path);
        return path;
    }

    /// <summary>Token ids of the test prompts with the tiny tokenizer (BOS first).</summary>
    public static int[][] PromptIds() => Prompts.Select(p => new OptTokenizer(Tokenizer).Encode(p)).ToArray();
}
