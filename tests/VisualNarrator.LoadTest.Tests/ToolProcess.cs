using System.Diagnostics;

namespace VisualNarrator.LoadTest.Tests;

/// <summary>The tool run as its own process (its exit code and streams are what a user sees), from the repository's
/// root folder so that paths such as <c>models/narrator.gguf</c> mean what the docs say.</summary>
public static class ToolProcess
{
    /// <summary>The repository's root folder (where VisualNarrator.sln is).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Runs the tool with <paramref name="args"/>; fails the test when it takes over two minutes.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRoot,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VisualNarrator.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no VisualNarrator.sln above {AppContext.BaseDirectory}");
    }
}
