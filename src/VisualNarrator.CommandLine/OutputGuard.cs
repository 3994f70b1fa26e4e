namespace VisualNarrator.CommandLine;

/// <summary>Checks that keep a command from destroying data: an output that already exists needs <c>--force</c>, and an
/// output that is one of the command's own inputs (by any spelling: relative, through symlinks) is refused.</summary>
public static class OutputGuard
{
    /// <summary>Throws when <paramref name="output"/> exists and <paramref name="force"/> is not set.</summary>
    public static void RefuseExisting(string output, bool force)
    {
        var full = Path.GetFullPath(output);
        if (!force && (File.Exists(full) || Directory.Exists(full)))
            throw new IOException($"'{full}' already exists; pass --force to replace it");
    }

    /// <summary>Throws when <paramref name="output"/> names the same file as <paramref name="input"/>.</summary>
    public static void RefuseSameFile(string input, string output)
    {
        if (string.Equals(RealPath(input), RealPath(output), StringComparison.Ordinal))
            throw new UsageException($"the output '{output}' is the input file itself; write to another file (replacing the input would destroy it)");
    }

    /// <summary>The absolute path with every symbolic link along it resolved (the file need not exist).</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        var parts = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (parts.Count > 0)
        {
            var next = Path.Combine(current, parts.Dequeue());
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is { } target)
            {
                if (++hops > 40) throw new IOException($"'{path}': too many levels of symbolic links");
                var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                // Re-walk the resolved target, then the rest of the original path.
                var rest = parts.ToArray();
                var resolvedRoot = Path.GetPathRoot(resolved) ?? "/";
                parts = new Queue<string>(resolved[resolvedRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = resolvedRoot;
                continue;
            }
            current = next;
        }
        return current;
    }
}
