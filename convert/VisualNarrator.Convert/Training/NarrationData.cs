using System.Security.Cryptography;
using System.Text.Json;
using VisualNarrator.Convert.HuggingFace;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Convert.Training;

/// <summary>One line of the training data.</summary>
/// <param name="Line">1-based line number in the JSONL file.</param>
/// <param name="Prompt">The prompt (e.g. "Describe this image: a busy city street").</param>
/// <param name="Description">The narration the model should produce after it.</param>
public sealed record NarrationRow(int Line, string Prompt, string Description);

/// <summary>A tokenized example: <see cref="Ids"/> = prompt tokens (BOS first when the tokenizer adds it), then the
/// description's tokens, then EOS; the loss covers only the description and EOS (positions from
/// <see cref="PromptLength"/> on).</summary>
/// <param name="Line">Its JSONL line.</param>
/// <param name="Ids">Token ids.</param>
/// <param name="PromptLength">How many leading ids belong to the prompt.</param>
public sealed record NarrationExample(int Line, int[] Ids, int PromptLength)
{
    /// <summary>Tokens the loss is computed on.</summary>
    public int TargetCount => Ids.Length - PromptLength;
}

/// <summary>Reads and prepares JSONL narration data: one object per line with string fields "prompt" and
/// "description" (other fields are ignored, blank lines skipped). A bad line is an error that names its number.</summary>
public static class NarrationData
{
    /// <summary>Reads the file.</summary>
    /// <exception cref="CheckpointException">Missing file, a line that is not such an object, or no examples.</exception>
    public static List<NarrationRow> Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "the data file is missing");
        var rows = new List<NarrationRow>();
        var n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw new CheckpointException(path, $"line {n}: not valid JSON ({ex.Message})", ex);
            }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new CheckpointException(path, $"line {n}: expected an object {{\"prompt\": ..., \"description\": ...}}, found {root.ValueKind}");
                rows.Add(new NarrationRow(n, Field(root, "prompt", path, n), Field(root, "description", path, n)));
            }
        }
        if (rows.Count == 0) throw new CheckpointException(path, "holds no examples");
        return rows;
    }

    private static string Field(JsonElement root, string name, string path, int line)
    {
        if (!root.TryGetProperty(name, out var value))
            throw new CheckpointException(path, $"line {line}: \"{name}\" is missing");
        if (value.ValueKind != JsonValueKind.String)
            throw new CheckpointException(path, $"line {line}: \"{name}\" is {value.ValueKind}, expected a string");
        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text)) throw new CheckpointException(path, $"line {line}: \"{name}\" is empty");
        return text;
    }

    /// <summary>Tokenizes rows: prompt (trailing space trimmed), then " " + the description, then EOS; sequences
    /// longer than <paramref name="maxLength"/> are cut at the end.</summary>
    /// <exception cref="CheckpointException">A prompt leaves no room for the description.</exception>
    public static List<NarrationExample> Tokenize(IEnumerable<NarrationRow> rows, OptTokenizer tokenizer, int maxLength, string path)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var examples = new List<NarrationExample>();
        foreach (var row in rows)
        {
            var prompt = tokenizer.Encode(row.Prompt.TrimEnd());
            var description = tokenizer.Encode(" " + row.Description.Trim(), addSpecialTokens: false);
            var ids = new List<int>(prompt.Length + description.Length + 1);
            ids.AddRange(prompt);
            ids.AddRange(description);
            if (tokenizer.EosId is int eos) ids.Add(eos);
            if (prompt.Length >= maxLength)
                throw new CheckpointException(path, $"line {row.Line}: the prompt alone is {prompt.Length} tokens, which leaves no room for the description within --max-length {maxLength}");
            if (ids.Count > maxLength) ids.RemoveRange(maxLength, ids.Count - maxLength);
            examples.Add(new NarrationExample(row.Line, [.. ids], prompt.Length));
        }
        return examples;
    }

    /// <summary>A seeded shuffle split: round(fraction · n) examples for validation (at least 1 when fraction &gt; 0),
    /// the rest for training.</summary>
    /// <exception cref="ArgumentException">Too few examples for the split.</exception>
    public static (List<T> Train, List<T> Validation) Split<T>(IReadOnlyList<T> items, double fraction, int seed)
    {
        if (fraction is < 0 or >= 1) throw new ArgumentException($"--val-split must be in [0, 1), got {fraction}");
        var order = Enumerable.Range(0, items.Count).ToArray();
        new Random(seed).Shuffle(order);
        var valCount = fraction == 0 ? 0 : Math.Max(1, (int)Math.Round(fraction * items.Count));
        if (items.Count - valCount < 1)
            throw new ArgumentException($"{items.Count} example(s) are too few for a validation split of {fraction:P0}: at least one must remain for training");
        var val = order.Take(valCount).Order().Select(i => items[i]).ToList();
        var train = order.Skip(valCount).Order().Select(i => items[i]).ToList();
        return (train, val);
    }

    /// <summary>SHA-256 of a file, hex, for checkpoint fingerprints.</summary>
    public static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return System.Convert.ToHexString(SHA256.HashData(stream));
    }
}
