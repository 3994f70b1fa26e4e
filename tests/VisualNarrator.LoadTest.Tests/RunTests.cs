namespace VisualNarrator.LoadTest.Tests;

/// <summary>Short runs with the repository's built-in model, against the app started in the tool's process or a running
/// one.</summary>
public sealed class RunTests
{
    [Fact]
    public async Task A_short_load_run_prints_one_row_per_client_count_without_errors()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync("load", "--model", "models/narrator.gguf", "--clients", "1,2", "--requests", "2",
            "--max-tokens", "4", "--threads", "1");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("model: Serving narrator.gguf", stdout);
        Assert.Contains("2 streaming /v1/completions requests per client, max_tokens 4", stdout);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("| 1 |", StringComparison.Ordinal) || l.StartsWith("| 2 |", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("| 1 | 2 | ", rows[0]);
        Assert.StartsWith("| 2 | 4 | ", rows[1]);
        Assert.All(rows, r => Assert.EndsWith("| 0 |", r));
        // The app's framework notes stay out of the report.
        Assert.DoesNotContain("warn:", stdout + stderr);
    }

    [Fact]
    public async Task A_short_hostile_run_behind_a_key_finds_no_problem()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync("hostile", "--model", "models/narrator.gguf", "--api-key", "test-key", "--requests", "6");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("6 hostile requests (6 fixed cases, the rest seeded random mutations, seed 1)", stdout);
        Assert.Contains("| 400 | 6 |", stdout);
        Assert.Contains("problems in all: 0", stdout);
    }

    [Fact]
    public async Task A_model_that_is_not_there_fails_the_load_run_in_one_line()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync("load", "--model", "models/absent.gguf", "--clients", "1", "--requests", "1");
        Assert.Equal(1, code);
        Assert.DoesNotContain("|", stdout);
        Assert.Contains("load: ", stderr);
        Assert.Contains("absent.gguf", stderr);
    }

    [Fact]
    public async Task A_run_against_a_running_keyed_app_needs_its_key()
    {
        await using var app = await InProcessApp.StartAsync(Path.Combine(ToolProcess.RepoRoot, "models", "narrator.gguf"),
            ["--api-key", "test-key", "--Narrator:Threads=1"]);
        var url = app.Url.ToString();

        var (code, stdout, stderr) = await ToolProcess.RunAsync("load", "--url", url, "--clients", "1", "--requests", "1", "--max-tokens", "2");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal($"loadtest: the app at {url} asks for an access key: give it with --api-key", stderr.TrimEnd('\n'));

        (code, stdout, stderr) = await ToolProcess.RunAsync("load", "--url", url, "--api-key", "test-key", "--clients", "1", "--requests", "1", "--max-tokens", "2");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("| 1 | 1 | ", stdout);
    }

    [Theory]
    [InlineData(0.50, 3)]
    [InlineData(0.95, 5)]
    [InlineData(0.0, 1)]
    public void Percentiles_are_nearest_rank(double p, int expectedMs)
    {
        TimeSpan[] sorted = [.. new[] { 1, 2, 3, 4, 5 }.Select(ms => TimeSpan.FromMilliseconds(ms))];
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), LoadCommand.Percentile(sorted, p));
        Assert.Equal(TimeSpan.Zero, LoadCommand.Percentile([], p));
    }
}
