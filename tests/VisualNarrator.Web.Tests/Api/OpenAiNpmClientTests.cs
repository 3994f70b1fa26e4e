using System.Diagnostics;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Api;

/// <summary>The official openai npm client (pinned in tests/js/package.json, installed by .ci/run with npm ci), unmodified,
/// against the app: tests/js/openai-client.test.mjs under node's test runner.</summary>
public sealed class OpenAiNpmClientTests(NarratorAppFixture app) : IClassFixture<NarratorAppFixture>
{
    public static string JsFolder => Path.Combine(RepoRoot.Path, "tests", "js");

    /// <summary>Why the node tests cannot run here, or null when they can.</summary>
    public static string? NodeMissing()
    {
        if (!File.Exists("/usr/bin/node") && !File.Exists("/usr/local/bin/node")) return "node is not installed (CI installs the npm packages when it is)";
        return Directory.Exists(Path.Combine(JsFolder, "node_modules", "openai")) ? null
            : $"the npm packages are not installed: run 'npm ci' in {JsFolder} (.ci/run does)";
    }

    [SkippableFact]
    public async Task The_official_openai_client_lists_retrieves_chats_completes_streams_and_gets_logprobs()
    {
        var missing = NodeMissing();
        Skip.If(missing is not null, missing);
        var start = new ProcessStartInfo("node", ["--test", "--test-reporter=spec", "openai-client.test.mjs"])
        {
            WorkingDirectory = JsFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NARRATOR_URL"] = app.BaseAddress.ToString();
        start.Environment["NO_COLOR"] = "1";
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await node.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(node.ExitCode == 0, output);
        Assert.Contains("pass 4", output);
    }
}
