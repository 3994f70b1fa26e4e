using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Inference;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator logits --model M.gguf (--prompt TEXT | --ids 2,31414,...) [--steps N] --json</c>: the public
/// checking hook. Prints the last-position logits after the prompt and after each greedy step.</summary>
public static class LogitsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var engine = new EngineOptions();
        var prompt = new Option<string?>("--prompt") { Description = "Prompt text (tokenized with the model's tokenizer, BOS added as the model says)" };
        var ids = new Option<string?>("--ids") { Description = "Comma-separated token ids, used as given" };
        var steps = new Option<int>("--steps") { Description = "Greedy steps after the prompt", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print {\"ids\":[...],\"logits\":[[...],...]}" };
        var command = new Command("logits", "Print the logits after a prompt and after N greedy steps") { prompt, ids, steps, json };
        engine.AddTo(command);
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            if ((parse.GetValue(prompt) is null) == (parse.GetValue(ids) is null))
                throw new UsageException("give exactly one of --prompt and --ids");
            var n = parse.GetValue(steps);
            if (n < 0) throw new UsageException($"--steps must be >= 0, got {n}");
            using var model = engine.LoadModel(parse);
            var tokens = parse.GetValue(ids) is { } list ? ParseIds(list) : model.Tokenizer.Encode(parse.GetValue(prompt)!);
            if (tokens.Length == 0) throw new UsageException("the prompt has no tokens");
            if ((long)tokens.Length + n > model.Hyperparameters.ContextLength)
                throw new UsageException($"{tokens.Length} prompt tokens + {n} steps exceed the model's context of {model.Hyperparameters.ContextLength}");
            var options = engine.Inference(parse);
            using var ctx = new InferenceContext(model, options with { ContextSize = Math.Max(options.ContextSize, tokens.Length + n), MaxBatchTokens = Math.Max(options.MaxBatchTokens, tokens.Length) });
            var (all, rows) = Run(ctx, tokens, n);
            if (parse.GetValue(json)) WriteJson(all, rows);
            else WriteSummary(model, all, rows, tokens.Length);
            return 0;
        }));
        return command;
    }

    private static int[] ParseIds(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : throw new UsageException($"--ids: '{s}' is not an integer token id"))];

    private static (List<int> Ids, List<float[]> Logits) Run(InferenceContext ctx, int[] prompt, int steps)
    {
        var batch = new DecodeBatch();
        batch.AddSequence(prompt, 0, 0);
        ctx.Decode(batch);
        var ids = prompt.ToList();
        var rows = new List<float[]> { ctx.Logits(0).ToArray() };
        for (var s = 0; s < steps; s++)
        {
            var next = Greedy.ArgMax(rows[^1]);
            ids.Add(next);
            batch.Clear();
            batch.Add(next, ids.Count - 1, 0, true);
            ctx.Decode(batch);
            rows.Add(ctx.Logits(0).ToArray());
        }
        return (ids, rows);
    }

    private static void WriteJson(List<int> ids, List<float[]> rows)
    {
        using var stdout = Console.OpenStandardOutput();
        using var w = new Utf8JsonWriter(stdout);
        w.WriteStartObject();
        w.WriteStartArray("ids");
        foreach (var id in ids) w.WriteNumberValue(id);
        w.WriteEndArray();
        w.WriteStartArray("logits");
        foreach (var row in rows)
        {
            w.WriteStartArray();
            foreach (var v in row) w.WriteNumberValue(v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stdout.WriteByte((byte)'\n');
    }

    private static void WriteSummary(Model model, List<int> ids, List<float[]> rows, int promptLength)
    {
        for (var r = 0; r < rows.Count; r++)
        {
            var top = rows[r].Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(5)
                .Select(p => $"{p.i} {Quote(model.Tokenizer.Decode([p.i], skipSpecial: false))} {p.v:F3}");
            Console.WriteLine($"{(r == 0 ? "prompt" : $"step {r}"),-8} top: {string.Join(" | ", top)}");
        }
        Console.WriteLine($"ids: {string.Join(',', ids)} ({promptLength} prompt)");
    }

    private static string Quote(string s) => JsonSerializer.Serialize(s);
}
