namespace VisualNarrator.Convert.Tests.Support;

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vn-convert");

    public string Path => _dir.FullName;

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Names of everything directly inside the folder, hidden temp files included.</summary>
    public string[] Entries() => Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Order().ToArray()!;

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }
}
