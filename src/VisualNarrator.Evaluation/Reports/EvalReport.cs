using System.Text.Encodings.Web;
using System.Text.Json;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Evaluation.Runs;
using VisualNarrator.Evaluation.Sets;

namespace VisualNarrator.Evaluation.Reports;

/// <summary>Scores every system (coco-caption metrics against the set's references, narrator metrics) and writes
/// report.json, report.md, references.json and results-NAME.json.</summary>
public sealed class EvalReport
{
    private readonly int _examplesPerType;

    /// <summary>Scores the systems.</summary>
    /// <param name="setName">The set as given (a name or a path).</param>
    /// <param name="setPath">Its file.</param>
    /// <param name="items">Its items (all of one kind: with references or without).</param>
    /// <param name="systems">The runs to score, in report order.</param>
    /// <param name="sampling">Sampling settings of the model run.</param>
    /// <param name="settings">Command-line settings recorded in the report.</param>
    /// <param name="examplesPerType">Sample narrations per scene type in the reports.</param>
    public EvalReport(string setName, string setPath, IReadOnlyList<EvalItem> items, IReadOnlyList<SystemRun> systems,
        SamplingSettings sampling, EvalSettings settings, int examplesPerType)
    {
        SetName = setName;
        SetPath = setPath;
        Items = items;
        Sampling = sampling;
        Settings = settings;
        _examplesPerType = examplesPerType;
        HasReferences = items[0].Texts.Count > 0;
        SceneTypes = items.Select(i => i.SceneType).Distinct().ToList();
        var keywords = items.SelectMany(i => i.Keywords).Distinct().ToList();
        var options = new NarrationOptions(RelevanceKeywords: keywords.Count > 0 ? keywords : null);
        Scored = systems.Select(s => Score(s, options)).ToList();
    }

    /// <summary>The metric keys of an "overall" or per-scene-type object, in order.</summary>
    public static IReadOnlyList<string> MetricKeys => ReportMetrics.Keys;

    /// <summary>The set as given.</summary>
    public string SetName { get; }

    /// <summary>The set's file.</summary>
    public string SetPath { get; }

    /// <summary>The set's items.</summary>
    public IReadOnlyList<EvalItem> Items { get; }

    /// <summary>Sampling settings of the model run.</summary>
    public SamplingSettings Sampling { get; }

    /// <summary>Command-line settings.</summary>
    public EvalSettings Settings { get; }

    /// <summary>Whether the set has references (caption metrics are computed only then).</summary>
    public bool HasReferences { get; }

    /// <summary>The scene types, in order of first appearance.</summary>
    public IReadOnlyList<string> SceneTypes { get; }

    /// <summary>The scored systems, in run order.</summary>
    public IReadOnlyList<ScoredSystem> Scored { get; }

    private ScoredSystem Score(SystemRun run, NarrationOptions options)
    {
        var narration = NarrationMetrics.Evaluate(run.Outputs.Select(o => new NarrationSample(o.Text, o.Item.SceneType, o.Item.Scene)).ToList(), options);
        if (!HasReferences) return new ScoredSystem(run, null, null, narration);
        var captionItems = run.Outputs.Select(o => new CaptionItem(o.Item.Id,
            o.Item.Texts.Select(t => (IReadOnlyList<string>)PtbTokenizer.Tokenize(t)).ToList(), PtbTokenizer.Tokenize(o.Text))).ToList();
        var scores = CocoScorer.Score(captionItems);
        var byType = new Dictionary<string, (double, BleuResult, double)>(StringComparer.Ordinal);
        foreach (var type in SceneTypes)
        {
            var subset = captionItems.Where((c, k) => run.Outputs[k].Item.SceneType == type).ToList();
            byType[type] = (subset.Average(c => scores.PerItem[c.Id].Cider), Bleu.Compute(subset), subset.Average(c => scores.PerItem[c.Id].RougeL));
        }
        return new ScoredSystem(run, scores, byType, narration);
    }

    /// <summary>Writes the report files into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "report.json"), ReportJson.Write(this));
        File.WriteAllText(Path.Combine(folder, "report.md"), ReportMarkdown.Write(this));
        if (HasReferences)
            File.WriteAllText(Path.Combine(folder, "references.json"),
                JsonSerializer.Serialize(Items.ToDictionary(i => i.Id, i => i.Texts), JsonOptions));
        foreach (var s in Scored)
            File.WriteAllText(Path.Combine(folder, $"results-{s.Run.Name}.json"),
                JsonSerializer.Serialize(s.Run.Outputs.ToDictionary(o => o.Item.Id, o => o.Text), JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    /// <summary>A system's metrics over the whole set.</summary>
    internal IEnumerable<(string Key, double? Value)> Overall(ScoredSystem s) =>
        ReportMetrics.Of(s.Narration.Overall, s.Caption?.Cider, s.Caption?.Bleu, s.Caption?.RougeL);

    /// <summary>A system's metrics over one scene type.</summary>
    internal IEnumerable<(string Key, double? Value)> OfType(ScoredSystem s, string type) =>
        s.CaptionByType is { } by
            ? ReportMetrics.Of(s.Narration.BySceneType[type], by[type].Cider, by[type].Bleu, by[type].RougeL)
            : ReportMetrics.Of(s.Narration.BySceneType[type], null, null, null);

    /// <summary>The first few outputs of each scene type, in set order.</summary>
    internal IEnumerable<SystemOutput> Examples(SystemRun run) =>
        SceneTypes.SelectMany(t => run.Outputs.Where(o => o.Item.SceneType == t).Take(_examplesPerType));
}
