using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Evaluation.Runs;

namespace VisualNarrator.Evaluation.Reports;

/// <summary>Writes report.json: the set, the settings, and per system its metrics overall and per scene type, its
/// performance, sample narrations and every narration; a CIDEr-D comparison when both the model and the baseline
/// ran on a set with references.</summary>
internal static class ReportJson
{
    /// <summary>The JSON text of <paramref name="r"/>, indented, ending in a newline.</summary>
    public static string Write(EvalReport r)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("set");
            w.WriteString("name", r.SetName);
            w.WriteString("path", r.SetPath);
            w.WriteNumber("items", r.Items.Count);
            w.WriteBoolean("references", r.HasReferences);
            w.WriteStartArray("scene_types");
            foreach (var t in r.SceneTypes) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("settings");
            WriteNullable(w, "model", r.Settings.Model);
            WriteNullable(w, "baseline", r.Settings.Baseline);
            WriteNullable(w, "train", r.Settings.Train);
            if (r.Settings.Samples is int n) w.WriteNumber("samples", n); else w.WriteNull("samples");
            w.WriteNumber("max_sequences", r.Settings.MaxSequences);
            w.WriteNumber("max_prompt_tokens", r.Settings.MaxPromptTokens);
            w.WriteString("device", r.Settings.Device);
            w.WriteNumber("threads", r.Settings.Threads);
            w.WriteNumber("context", r.Settings.Context);
            w.WriteString("cache_type", r.Settings.CacheType);
            w.WriteStartObject("sampling");
            foreach (var row in SamplingSettingTable.All) WriteSetting(w, row, r.Sampling);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("systems");
            foreach (var sys in r.Scored)
            {
                w.WriteStartObject(sys.Run.Name);
                w.WriteString("description", sys.Run.Description);
                w.WriteStartObject("overall");
                WriteMetrics(w, r.Overall(sys));
                w.WriteEndObject();
                w.WriteStartObject("by_scene_type");
                foreach (var type in r.SceneTypes)
                {
                    w.WriteStartObject(type);
                    WriteMetrics(w, r.OfType(sys, type));
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                WritePerformance(w, sys.Run.Performance);
                w.WriteStartArray("samples");
                foreach (var o in r.Examples(sys.Run))
                {
                    w.WriteStartObject();
                    w.WriteString("id", o.Item.Id);
                    w.WriteString("scene_type", o.Item.SceneType);
                    w.WriteString("prompt", o.Item.Prompt);
                    w.WriteString("narration", o.Text);
                    if (o.Neighbour is not null) w.WriteString("retrieved_scene", o.Neighbour);
                    if (o.Similarity is double sim) w.WriteNumber("similarity", sim);
                    if (o.Item.Texts.Count > 0) w.WriteString("reference", o.Item.Texts[0]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("narrations");
                foreach (var o in sys.Run.Outputs) w.WriteString(o.Item.Id, o.Text);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();

            var model = r.Scored.FirstOrDefault(x => x.Run.Name == ModelRun.Name);
            var nn = r.Scored.FirstOrDefault(x => x.Run.Name == NearestNeighbour.Name);
            if (model?.Caption is not null && nn?.Caption is not null)
            {
                w.WriteStartObject("comparison");
                w.WriteString("metric", "CIDEr");
                w.WriteNumber(ModelRun.Name, model.Caption.Cider);
                w.WriteNumber(NearestNeighbour.Name, nn.Caption.Cider);
                w.WriteBoolean("model_beats_baseline", model.Caption.Cider > nn.Caption.Cider);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>One sampling setting under its table key, as a JSON number, boolean or array of strings.</summary>
    private static void WriteSetting(Utf8JsonWriter w, SamplingSetting row, SamplingSettings s)
    {
        switch (row)
        {
            case SamplingSetting<float> f: w.WriteNumber(row.Key, f.Get(s)); break;
            case SamplingSetting<int> i: w.WriteNumber(row.Key, i.Get(s)); break;
            case SamplingSetting<uint> u: w.WriteNumber(row.Key, u.Get(s)); break;
            case SamplingSetting<bool> b: w.WriteBoolean(row.Key, b.Get(s)); break;
            case SamplingSetting<IReadOnlyList<string>> list:
                w.WriteStartArray(row.Key);
                foreach (var value in list.Get(s)) w.WriteStringValue(value);
                w.WriteEndArray();
                break;
            default: throw new NotSupportedException($"No JSON form for {row.Name} ({row.ValueType.Name}).");
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteString(name, value);
    }

    private static void WriteMetrics(Utf8JsonWriter w, IEnumerable<(string Key, double? Value)> metrics)
    {
        foreach (var (key, value) in metrics)
        {
            if (value is not double v) w.WriteNull(key);
            else if (key == "count") w.WriteNumber(key, (int)v);
            else w.WriteNumber(key, v);
        }
    }

    private static void WritePerformance(Utf8JsonWriter w, Performance p)
    {
        w.WriteStartObject("performance");
        w.WriteNumber("descriptions", p.Descriptions);
        w.WriteNumber("wall_seconds", p.WallSeconds);
        w.WriteNumber("seconds_per_description", p.SecondsPerDescription);
        void Opt(string name, double? value)
        {
            if (value is double v) w.WriteNumber(name, v); else w.WriteNull(name);
        }
        Opt("mean_latency_seconds", p.MeanLatencySeconds);
        Opt("decode_tokens_per_second", p.DecodeTokensPerSecond);
        Opt("mean_stream_decode_tokens_per_second", p.MeanStreamDecodeTokensPerSecond);
        Opt("generated_tokens", p.GeneratedTokens);
        Opt("mean_generated_tokens", p.MeanGeneratedTokens);
        Opt("stopped_by_length", p.StoppedByLength);
        Opt("prompts_cut", p.PromptsCut);
        Opt("load_seconds", p.LoadSeconds);
        w.WriteNumber("peak_rss_bytes", p.PeakRssBytes);
        w.WriteEndObject();
    }
}
