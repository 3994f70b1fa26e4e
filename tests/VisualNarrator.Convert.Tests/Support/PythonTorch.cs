using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Tests.Support;

/// <summary>Finds a python3 that can import torch (Debian's python3-torch is /usr/bin/python3; a pyenv shim on PATH
/// may lack it) and runs Interop/torch_interop.py.</summary>
internal static class PythonTorch
{
    private static readonly Lazy<(string? Python, string Why)> Found = new(Find);

    /// <summary>Skips the test with the reason when no python3 with torch exists, unless VN_REQUIRE_TORCH_INTEROP is
    /// set (CI installs python3-torch and sets it, so a missing torch fails there instead of skipping).</summary>
    public static string Require()
    {
        var (python, why) = Found.Value;
        if (python is not null) return python;
        if (Environment.GetEnvironmentVariable("VN_REQUIRE_TORCH_INTEROP") is { Length: > 0 })
            throw new InvalidOperationException($"VN_REQUIRE_TORCH_INTEROP is set but {why}");
        Skip.If(true, $"{why} (install Debian's python3-torch: apt-get install -y python3-torch; .ci/run does)");
        return "";
    }

    public static string Script => Path.Combine(AppContext.BaseDirectory, "Interop", "torch_interop.py");

    public static void Run(params string[] args)
    {
        var python = Require();
        var (code, output) = Exec(python, [Script, .. args]);
        Assert.True(code == 0, $"{python} {string.Join(' ', args)} failed ({code}):\n{output}");
    }

    public static JsonObject Digests(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>SHA-256 of a tensor's raw bytes, as the script computes it.</summary>
    public static string Sha256(Tensor t)
    {
        using var c = t.detach().contiguous();
        return System.Convert.ToHexString(SHA256.HashData(c.bytes)).ToLowerInvariant();
    }

    private static (string?, string) Find()
    {
        var tried = new List<string>();
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var (code, output) = Exec(candidate, ["-c", "import torch, numpy; print(torch.__version__)"]);
                if (code == 0) return (candidate, "");
                tried.Add($"{candidate}: {output.Trim().Split('\n').LastOrDefault()}");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                tried.Add($"{candidate}: {ex.Message}");
            }
        }
        return (null, $"no python3 can import torch ({string.Join("; ", tried)})");
    }

    private static (int, string) Exec(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); return (-1, "timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
