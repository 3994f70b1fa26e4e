using System.CommandLine;
using VisualNarrator.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VisualNarrator.Evaluation;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator score --refs REFS.json --results RESULTS.json [--pretokenized] [--json]</c>: coco-caption
/// corpus scores (CIDEr-D, BLEU-1..4, ROUGE-L) of one result caption per id against its references.</summary>
public static class ScoreCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var refs = new Option<FileInfo>("--refs") { Description = "References: {\"id\": [\"caption\", ...]}", Required = true };
        var results = new Option<FileInfo>("--results") { Description = "Results: {\"id\": \"caption\"} or {\"id\": [\"caption\"]}", Required = true };
        var pretokenized = new Option<bool>("--pretokenized") { Description = "Captions are already tokenized: split on spaces only, keep case" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with corpus and per-item scores" };
        var command = new Command("score", "Score captions with coco-caption's BLEU-1..4, ROUGE-L and CIDEr-D") { refs, results, pretokenized, json };
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            string refsPath = parse.GetValue(refs)!.FullName;
            string resultsPath = parse.GetValue(results)!.FullName;
            // A missing file is reported by the caption reader; a folder, an empty file or a pipe must not reach it.
            if (Path.Exists(refsPath)) InputFile.Require(refsPath, "--refs");
            if (Path.Exists(resultsPath)) InputFile.Require(resultsPath, "--results");
            Func<string, IReadOnlyList<string>> tokenize = parse.GetValue(pretokenized) ? Pretokenized.Split : PtbTokenizer.Tokenize;
            var items = CaptionFiles.Join(refsPath, CaptionFiles.ReadReferences(refsPath), resultsPath, CaptionFiles.ReadResults(resultsPath), tokenize);
            var scores = CocoScorer.Score(items);
            if (parse.GetValue(json)) WriteJson(scores, Console.OpenStandardOutput());
            else WriteTable(scores, items.Count);
            return 0;
        }));
        return command;
    }

    /// <summary>Writes <c>{"corpus":{"CIDEr","Bleu_1".."Bleu_4","ROUGE_L"},"per_item":{"id":{"CIDEr","ROUGE_L"}}}</c>.</summary>
    public static void WriteJson(CocoScores scores, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteStartObject("corpus");
        foreach (var (name, value) in scores.Named) w.WriteNumber(name, value);
        w.WriteEndObject();
        w.WriteStartObject("per_item");
        foreach (var (id, s) in scores.PerItem)
        {
            w.WriteStartObject(id);
            w.WriteNumber("CIDEr", s.Cider);
            w.WriteNumber("ROUGE_L", s.RougeL);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteTable(CocoScores scores, int count)
    {
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("score").RightAligned());
        foreach (var (name, value) in scores.Named) table.AddRow(name, value.ToString("F6", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"{count} items, {scores.Bleu.TestLength} candidate words, effective reference length {scores.Bleu.ReferenceLength}");
    }
}
