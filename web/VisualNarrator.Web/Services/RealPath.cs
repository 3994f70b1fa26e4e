namespace VisualNarrator.Web.Services;

/// <summary>Resolves a path the way the operating system will open it: every symbolic link on the way (folders as well
/// as the file itself) is followed, as POSIX <c>realpath</c> does. .NET's ResolveLinkTarget only follows the last
/// component, which lets <c>models/link_dir/secret.gguf</c> escape a folder when <c>link_dir</c> points elsewhere.</summary>
public static class RealPath
{
    /// <summary>Links followed before giving up (Linux's own limit is 40).</summary>
    private const int MaxLinks = 40;

    /// <summary>The real absolute path of <paramref name="path"/>. Components that do not exist are kept as written.</summary>
    /// <exception cref="IOException">A loop of links (more than 40 followed).</exception>
    public static string Of(string path)
    {
        // Not Path.GetFullPath: it drops "dir/.." before dir is known to be a link, and the OS would not.
        var full = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        var root = Path.GetPathRoot(full) ?? Path.DirectorySeparatorChar.ToString();
        var parts = new List<string>(Split(full[root.Length..]));
        var current = root;
        var links = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            if (part == ".") continue;
            // current is already real, so going up from it is going up in the real tree.
            if (part == "..") { current = Path.GetDirectoryName(current) ?? root; continue; }
            var next = Path.Combine(current, part);
            string? target;
            try { target = new FileInfo(next).LinkTarget; }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { target = null; }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new IOException($"too many symbolic links while resolving '{path}'");
            // Splice the link's target in place of this component and resolve it too.
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target) ?? root;
            parts.InsertRange(i + 1, Split(Path.IsPathRooted(target) ? target[(Path.GetPathRoot(target)?.Length ?? 0)..] : target));
        }
        return current;
    }

    private static string[] Split(string relative) =>
        relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
