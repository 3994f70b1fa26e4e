namespace VisualNarrator.Cli.Commands;

/// <summary>Finds the repository's own files (the built-in model, the data set) from wherever the tool runs.</summary>
public static class ProjectFiles
{
    /// <summary>The first <paramref name="relativePath"/> that exists in a folder above the current directory, then
    /// above the tool's folder; null when none does.</summary>
    public static string? FindAbove(string relativePath)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
