namespace VisualNarrator.Convert.IO;

/// <summary>
/// An output folder or file that appears only when complete: everything is written under a hidden temporary path
/// beside the target (same file system), and <see cref="Commit"/> renames it into place. Disposing without committing
/// deletes the temporary path, so an interrupted or failed command leaves nothing behind. An existing target is
/// replaced only when <c>overwrite</c> is set, and only at commit time.
/// </summary>
public sealed class AtomicOutput : IDisposable
{
    private readonly bool _isDirectory;
    private readonly bool _overwrite;
    private bool _committed;

    private AtomicOutput(string target, bool isDirectory, bool overwrite)
    {
        Target = Path.GetFullPath(target);
        _isDirectory = isDirectory;
        _overwrite = overwrite;
        var parent = Path.GetDirectoryName(Target) ?? throw new ArgumentException($"'{target}' has no parent folder");
        if (!Directory.Exists(parent)) throw new DirectoryNotFoundException($"the folder of '{Target}' does not exist");
        if (!overwrite && (System.IO.File.Exists(Target) || Directory.Exists(Target)))
            throw new IOException($"'{Target}' already exists; pass --force to replace it");
        TempPath = Path.Combine(parent, $".{Path.GetFileName(Target)}.{Guid.NewGuid():N}.tmp");
        if (isDirectory) Directory.CreateDirectory(TempPath);
    }

    /// <summary>The final path.</summary>
    public string Target { get; }

    /// <summary>Where to write until <see cref="Commit"/>.</summary>
    public string TempPath { get; }

    /// <summary>Starts an output folder.</summary>
    public static AtomicOutput Folder(string target, bool overwrite = false) => new(target, isDirectory: true, overwrite);

    /// <summary>Starts an output file.</summary>
    public static AtomicOutput File(string target, bool overwrite = false) => new(target, isDirectory: false, overwrite);

    /// <summary>Moves the finished output into place (replacing an existing target when allowed).</summary>
    public void Commit()
    {
        if (_committed) return;
        if (_isDirectory)
        {
            string? old = null;
            if (Directory.Exists(Target) || System.IO.File.Exists(Target))
            {
                if (!_overwrite) throw new IOException($"'{Target}' already exists; pass --force to replace it");
                old = TempPath + ".old";
                if (Directory.Exists(Target)) Directory.Move(Target, old);
                else System.IO.File.Move(Target, old);
            }
            Directory.Move(TempPath, Target);
            if (old is not null)
            {
                if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
                else System.IO.File.Delete(old);
            }
        }
        else
        {
            System.IO.File.Move(TempPath, Target, _overwrite);
        }
        _committed = true;
    }

    /// <summary>Deletes the temporary output unless committed.</summary>
    public void Dispose()
    {
        if (_committed) return;
        try
        {
            if (Directory.Exists(TempPath)) Directory.Delete(TempPath, recursive: true);
            else if (System.IO.File.Exists(TempPath)) System.IO.File.Delete(TempPath);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
