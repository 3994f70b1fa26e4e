namespace VisualNarrator.Tests.Support;

/// <summary>Finds the repository root and the shared fixtures that sit beside it (../shared/fixtures).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder that holds VisualNarrator.sln, found by walking up from the test assembly.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>../shared/fixtures relative to the repository root.</summary>
    public static string SharedFixtures => Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures"));

    /// <summary>The path of a shared fixture folder or file (which may not exist).</summary>
    public static string Fixture(string name) => Path.Combine(SharedFixtures, name);

    /// <summary>
    /// The path of a shared fixture; skips the calling [SkippableFact]/[SkippableTheory] with a clear reason when it
    /// is absent.
    /// </summary>
    public static string RequireFixture(string name)
    {
        string path = Fixture(name);
        Skip.IfNot(Directory.Exists(path) || File.Exists(path),
            $"fixture '{name}' not found at {path} (shared fixtures are expected in ../shared/fixtures beside the repository root)");
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VisualNarrator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"VisualNarrator.sln not found above {AppContext.BaseDirectory}");
    }
}
