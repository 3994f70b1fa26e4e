using System.Text.Json;

namespace VisualNarrator.Testing;

/// <summary>One line of a committed dataset file.</summary>
public sealed record DatasetLine(int Line, string Id, string SceneType, string Scene, string Prompt, IReadOnlyList<string> Texts, IReadOnlyList<string> Keys);

/// <summary>Reads the committed files under data/ once per test run.</summary>
public static class DatasetFiles
{
    public static string Folder => Path.Combine(RepoPaths.Root, "data");

    private static readonly Lazy<List<DatasetLine>> TrainLazy = new(() => Read("train.jsonl", "description"));
    private static readonly Lazy<List<DatasetLine>> ValidationLazy = new(() => Read("validation.jsonl", "description"));
    private static readonly Lazy<List<DatasetLine>> TestLazy = new(() => Read("test.jsonl", "references"));
    private static readonly Lazy<List<DatasetLine>> TestBareLazy = new(() => Read("test-bare.jsonl", "references"));

    private static readonly Lazy<List<DatasetLine>> TrainOpenLazy = new(() => Read("train-open.jsonl", "description"));
    private static readonly Lazy<List<DatasetLine>> TrainCopyLazy = new(() => Read("train-copy.jsonl", "description"));
    private static readonly Lazy<List<DatasetLine>> TestOpenLazy = new(() => Read("test-open.jsonl", "references"));
    private static readonly Lazy<List<DatasetLine>> TestLongLazy = new(() => Read("test-long.jsonl", "references"));

    public static List<DatasetLine> TrainOpen => TrainOpenLazy.Value;
    public static List<DatasetLine> TrainCopy => TrainCopyLazy.Value;
    public static List<DatasetLine> TestOpen => TestOpenLazy.Value;
    public static List<DatasetLine> TestLong => TestLongLazy.Value;

    public static List<DatasetLine> Train => TrainLazy.Value;
    public static List<DatasetLine> Validation => ValidationLazy.Value;
    public static List<DatasetLine> Test => TestLazy.Value;
    public static List<DatasetLine> TestBare => TestBareLazy.Value;

    public static IEnumerable<(string Where, string Text, DatasetLine Line)> AllDescriptions() =>
        Train.SelectMany(l => l.Texts.Select(t => ($"train.jsonl:{l.Line}", t, l)))
            .Concat(Validation.SelectMany(l => l.Texts.Select(t => ($"validation.jsonl:{l.Line}", t, l))))
            .Concat(Test.SelectMany(l => l.Texts.Select(t => ($"test.jsonl:{l.Line}", t, l))))
            .Concat(TestBare.SelectMany(l => l.Texts.Select(t => ($"test-bare.jsonl:{l.Line}", t, l))));

    private static List<DatasetLine> Read(string name, string textField)
    {
        var lines = new List<DatasetLine>();
        int n = 0;
        foreach (var raw in File.ReadLines(Path.Combine(Folder, name)))
        {
            n++;
            using var doc = JsonDocument.Parse(raw);
            var r = doc.RootElement;
            var texts = textField == "description"
                ? [r.GetProperty("description").GetString()!]
                : r.GetProperty("references").EnumerateArray().Select(e => e.GetString()!).ToList();
            lines.Add(new DatasetLine(n, r.GetProperty("id").GetString()!, r.GetProperty("scene_type").GetString()!,
                r.GetProperty("scene").GetString()!, r.GetProperty("prompt").GetString()!, texts,
                r.EnumerateObject().Select(p => p.Name).ToList()));
        }
        return lines;
    }
}
