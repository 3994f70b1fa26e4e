namespace VisualNarrator.Testing;

/// <summary>Finds the repository root and the committed test fixtures (tests/fixtures, see its README for provenance).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder that holds VisualNarrator.sln, found by walking up from the test assembly.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>tests/fixtures under the repository root.</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    /// <summary>The path of a committed fixture folder or file; throws when it is absent, since the repository
    /// carries every fixture a test needs.</summary>
    public static string Fixture(string name)
    {
        var path = Path.Combine(Fixtures, name);
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new FileNotFoundException($"test fixture '{name}' is missing at {path}; it is part of the repository (tests/fixtures)", path);
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
