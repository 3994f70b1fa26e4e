namespace VisualNarrator.Web.Tests.Support;

/// <summary>The repository's root folder (where VisualNarrator.sln is), found from the test's output folder.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "VisualNarrator.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no VisualNarrator.sln above {AppContext.BaseDirectory}");
    }
}
