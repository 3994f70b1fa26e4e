using System.Runtime.InteropServices;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Engine.Models;

/// <summary>Writes a GGUF model of a given architecture and shape with random weights (deterministic per seed), for
/// tests and for sizing hardware before downloading weights. Tensors are generated one at a time while writing.</summary>
public static class RandomModelWriter
{
    /// <summary>Writes the model.</summary>
    /// <param name="path">Output file (written atomically).</param>
    /// <param name="architecture">"opt" or "gpt2".</param>
    /// <param name="hp">Shape; its VocabSize is replaced by the tokenizer's size.</param>
    /// <param name="tokenizer">Tokenizer to embed (its size sets the vocabulary).</param>
    /// <param name="type">Type of the 2-D weights: F32 or F16 (quantize afterwards for other types).</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="std">Standard deviation of weights (HF initialises OPT at 0.02; tests use larger values so logits
    /// are well separated).</param>
    /// <param name="tiedOutput">Leave out output.weight so the LM head is tied to token_embd.</param>
    /// <param name="progress">Write progress.</param>
    public static void Write(string path, string architecture, ModelHyperparameters hp, TokenizerSpec tokenizer, GgmlType type = GgmlType.F16,
        int seed = 1, float std = 0.02f, bool tiedOutput = true, IProgress<GgufWriteProgress>? progress = null)
    {
        if (type is not (GgmlType.F32 or GgmlType.F16))
            throw new Inference.InvalidSettingException("--type", $"random models are written as F32 or F16, not {GgmlTypeInfo.Name(type)}; quantize the result");
        hp = hp with { Architecture = architecture, VocabSize = tokenizer.Count };
        var arch = DecoderArchitecture.Supported.FirstOrDefault(a => a.Name == architecture)
            ?? throw new Inference.InvalidSettingException("--arch", $"unknown architecture '{architecture}'");
        var writer = new GgufWriter();
        hp.WriteTo(writer);
        writer.SetString(GgufKeys.Name, $"random {architecture} {hp.EmbeddingLength}x{hp.BlockCount} seed {seed}");
        writer.SetUInt32(GgufKeys.FileType, type == GgmlType.F32 ? 0u : 1u);
        tokenizer.WriteTo(writer);
        // Each tensor's seed is its place in the architecture's list, not in the file, so a change of file order leaves
        // the weights as they were.
        var place = arch.Tensors(hp).Select((spec, i) => (spec.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        foreach (var spec in arch.TensorsInFileOrder(hp))
        {
            if (spec.Name == TensorNames.Output && tiedOutput) continue;
            // Not HashCode.Combine: it is salted per process, and files must be identical across runs.
            var tensorSeed = unchecked(seed * 1_000_003 + place[spec.Name]);
            var tensorType = spec.IsMatrix ? type : GgmlType.F32;
            var name = spec.Name;
            writer.AddTensor(name, tensorType, spec.Shape, s => WriteRandom(s, name, spec.Shape, tensorType, tensorSeed, std));
        }
        writer.WriteTo(path, progress);
    }

    private static void WriteRandom(Stream stream, string name, long[] shape, GgmlType type, int seed, float std)
    {
        var isNormWeight = name.EndsWith("norm.weight", StringComparison.Ordinal);
        var rowLength = (int)shape[0];
        var rows = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        // Blocks of rows are generated in parallel, each row from its own seed, so the bytes do not depend on threads.
        var blockRows = (int)Math.Max(1, Math.Min(rows, (1 << 22) / rowLength));
        var values = new float[blockRows * rowLength];
        var halves = type == GgmlType.F16 ? new Half[values.Length] : null;
        for (long first = 0; first < rows; first += blockRows)
        {
            var count = (int)Math.Min(blockRows, rows - first);
            Parallel.For(0, count, r =>
            {
                var rng = new Random(unchecked(seed * 7919 + (int)(first + r)));
                var row = values.AsSpan(r * rowLength, rowLength);
                for (var i = 0; i < row.Length; i++) row[i] = isNormWeight ? 1f + std * Gaussian(rng) : std * Gaussian(rng);
                if (halves is not null)
                {
                    var h = halves.AsSpan(r * rowLength, rowLength);
                    for (var i = 0; i < row.Length; i++) h[i] = (Half)row[i];
                }
            });
            var n = count * rowLength;
            if (halves is null) stream.Write(MemoryMarshal.AsBytes(values.AsSpan(0, n)));
            else stream.Write(MemoryMarshal.AsBytes(halves.AsSpan(0, n)));
        }
    }

    private static float Gaussian(Random rng)
    {
        // Box-Muller; 1 - NextDouble() avoids log(0).
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>A small byte-level BPE vocabulary for tiny test models: &lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt;
    /// (ids 0-3, OPT's layout, BOS = EOS = 2), the 256 byte tokens, and merges that build a few common English words.</summary>
    public static TokenizerSpec TinyTokenizer()
    {
        var tokens = new List<string> { "<s>", "<pad>", "</s>", "<unk>" };
        var types = new List<TokenType> { TokenType.Control, TokenType.Control, TokenType.Control, TokenType.Control };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add(Gpt2ByteLevel.CharOf((byte)b).ToString());
            types.Add(TokenType.Normal);
        }
        var merges = new List<string>();
        var known = new HashSet<string>(tokens);
        string[] words = [" the", " a", " image", " of", " and", " with", " in", " on", " city", " street", " light", "Describe", " this", ":", " sunset", " over", " mountains", " busy", " people", " trees"];
        foreach (var word in words)
        {
            var text = Gpt2ByteLevel.Encode(System.Text.Encoding.UTF8.GetBytes(word));
            var left = text[..1];
            for (var i = 1; i < text.Length; i++)
            {
                var right = text[i].ToString();
                var merged = left + right;
                if (known.Add(merged))
                {
                    merges.Add($"{left} {right}");
                    tokens.Add(merged);
                    types.Add(TokenType.Normal);
                }
                left = merged;
            }
        }
        return new TokenizerSpec("tiny tokenizer", tokens, types, merges, bosId: 2, eosId: 2, padId: 1, unkId: 3, addBosToken: true);
    }
}
