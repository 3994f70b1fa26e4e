using System.CommandLine;
using System.Text.Json;
using VisualNarrator.Engine.Native;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator devices [--backend PATH]... [--json]</c>: every ggml device with its free and total memory.</summary>
public static class DevicesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var backends = EngineOptions.BackendOption();
        var json = new Option<bool>("--json") { Description = "Print {\"devices\":[{\"name\",\"type\",\"description\",\"free\",\"total\"}],\"backends\":[{\"path\",\"name\",\"devices\"}]}" };
        var command = new Command("devices", "List the ggml devices a model can run on (--device), with free and total memory") { backends, json };
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            foreach (var path in parse.GetValue(backends) ?? []) GgmlBackends.Load(path);
            var devices = GgmlDevice.All;
            if (parse.GetValue(json))
            {
                using var w = new Utf8JsonWriter(Console.OpenStandardOutput());
                w.WriteStartObject();
                w.WriteStartArray("devices");
                foreach (var d in devices)
                {
                    var (free, total) = d.Memory;
                    w.WriteStartObject();
                    w.WriteString("name", d.Name);
                    w.WriteString("type", d.Type.ToString().ToLowerInvariant());
                    w.WriteString("description", d.Description);
                    w.WriteNumber("free", free);
                    w.WriteNumber("total", total);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("backends");
                foreach (var b in GgmlBackends.Loaded)
                {
                    w.WriteStartObject();
                    w.WriteString("path", b.Path);
                    w.WriteString("name", b.Name);
                    w.WriteStartArray("devices");
                    foreach (var d in b.Devices) w.WriteStringValue(d);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.Flush();
                Console.WriteLine();
                return 0;
            }
            Console.WriteLine($"{"device",-10} {"type",-14} {"free",12} {"total",12}  description");
            foreach (var d in devices)
            {
                var (free, total) = d.Memory;
                Console.WriteLine($"{d.Name,-10} {d.Type,-14} {InspectCommand.FormatBytes((long)free),12} {InspectCommand.FormatBytes((long)total),12}  {d.Description}");
            }
            foreach (var b in GgmlBackends.Loaded)
                Console.WriteLine($"loaded {b.Name} from {b.Path}: {(b.Devices.Count == 0 ? "no devices (for Mesa's llvmpipe set GGML_VK_VISIBLE_DEVICES=0)" : string.Join(", ", b.Devices))}");
            return 0;
        }));
        return command;
    }
}
