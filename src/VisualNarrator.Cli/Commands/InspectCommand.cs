using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using VisualNarrator.CommandLine;
using VisualNarrator.Gguf;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator inspect FILE.gguf [--json]</c>: metadata and tensor table of a GGUF file.</summary>
public static class InspectCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "GGUF file to inspect" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables" };
        var command = new Command("inspect", "Show a GGUF file's metadata and tensor table") { file, json };
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var gguf = GgufFile.Open(parse.GetValue(file)!.FullName);
            if (parse.GetValue(json)) WriteJson(gguf, Console.OpenStandardOutput());
            else WriteTables(gguf);
            return 0;
        }));
        return command;
    }

    /// <summary>Writes <c>{"version","metadata":{...},"tensors":[{"name","type","shape","offset","bytes"}]}</c>;
    /// arrays are written in full, non-finite floats as strings.</summary>
    public static void WriteJson(GgufFile gguf, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteNumber("version", gguf.Version);
        w.WriteStartObject("metadata");
        foreach (var (key, value) in gguf.Metadata)
        {
            w.WritePropertyName(key);
            WriteValue(w, value.Value);
        }
        w.WriteEndObject();
        w.WriteStartArray("tensors");
        foreach (var t in gguf.Tensors)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteString("type", GgmlTypeInfo.Name(t.Type));
            w.WriteStartArray("shape");
            foreach (var d in t.Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteNumber("offset", t.FileOffset);
            w.WriteNumber("bytes", t.ByteSize);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteValue(Utf8JsonWriter w, object value)
    {
        switch (value)
        {
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case float f when !float.IsFinite(f): w.WriteStringValue(f.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case double d when !double.IsFinite(d): w.WriteStringValue(d.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case float f: w.WriteNumberValue(f); break;
            case double d: w.WriteNumberValue(d); break;
            case ulong u: w.WriteNumberValue(u); break;
            case long l: w.WriteNumberValue(l); break;
            case GgufArray a:
                w.WriteStartArray();
                foreach (var item in a.Items) WriteValue(w, item!);
                w.WriteEndArray();
                break;
            default: w.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private static void WriteTables(GgufFile gguf)
    {
        AnsiConsole.MarkupLine($"[bold]{Safe(gguf.Path)}[/]  GGUF v{gguf.Version}, {gguf.Metadata.Count} keys, {gguf.Tensors.Count} tensors, {FormatBytes(gguf.FileLength)}");
        var meta = new Table().AddColumn("key").AddColumn("type").AddColumn("value");
        foreach (var (key, value) in gguf.Metadata)
            meta.AddRow(Safe(key), value.Type.ToString().ToUpperInvariant(), Safe(Truncate(value.ToString(), 120)));
        AnsiConsole.Write(meta);

        var tensors = new Table().AddColumn("name").AddColumn("type").AddColumn("shape").AddColumn(new TableColumn("bytes").RightAligned());
        foreach (var t in gguf.Tensors)
            tensors.AddRow(Safe(t.Name), GgmlTypeInfo.Name(t.Type), t.ShapeText, t.ByteSize.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        AnsiConsole.Write(tensors);

        var byType = gguf.Tensors.GroupBy(t => t.Type).OrderByDescending(g => g.Sum(t => t.ByteSize))
            .Select(g => $"{GgmlTypeInfo.Name(g.Key)}: {g.Count()} tensors, {FormatBytes(g.Sum(t => t.ByteSize))}");
        var elements = gguf.Tensors.Sum(t => t.ElementCount);
        AnsiConsole.MarkupLine($"total: {gguf.Tensors.Count} tensors, {elements:N0} elements, {FormatBytes(gguf.Tensors.Sum(t => t.ByteSize))}  ({string.Join("; ", byType)})");
    }

    /// <summary>File content made safe for the terminal: control characters escaped, then Spectre markup escaped.</summary>
    private static string Safe(string s) => Markup.Escape(TerminalText.Escape(s));

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    /// <summary>Bytes in binary units (KiB, MiB, GiB).</summary>
    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F2} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F2} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:F1} KiB",
        _ => $"{bytes} B",
    };
}
