using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;

namespace VisualNarrator.CommandLine;

/// <summary>
/// An output folder or file that appears only when complete: everything is written under a hidden temporary path
/// beside the target (same file system, named and registered by <see cref="AtomicFile"/>, so a signal or the next run
/// removes it), and <see cref="Commit"/> moves it into place. A folder replaces an existing one by an atomic exchange
/// (<c>renameat2(RENAME_EXCHANGE)</c>), so the target never disappears; where the file system cannot exchange, by two
/// renames. Disposing without committing deletes the temporary path. An existing target is replaced only when
/// <c>overwrite</c> is set.
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
        var parent = Path.GetDirectoryName(Target) ?? throw new UsageException($"'{target}' has no parent folder");
        if (!Directory.Exists(parent)) throw new DirectoryNotFoundException($"the folder of '{Target}' does not exist");
        if (!overwrite && (System.IO.File.Exists(Target) || Directory.Exists(Target)))
            throw new IOException($"'{Target}' already exists; pass --force to replace it");
        TempPath = AtomicFile.ReserveTemp(Target);
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
            if (Directory.Exists(Target) || System.IO.File.Exists(Target))
            {
                if (!_overwrite) throw new IOException($"'{Target}' already exists; pass --force to replace it");
                if (PathExchange.TryExchange(TempPath, Target))
                {
                    // The old output now sits at the temporary path, still registered, and goes with Dispose.
                    _committed = true;
                    AtomicFile.Discard(TempPath);
                    return;
                }
                var old = AtomicFile.ReserveTemp(Target, "old");
                if (Directory.Exists(Target)) Directory.Move(Target, old);
                else System.IO.File.Move(Target, old);
                Directory.Move(TempPath, Target);
                AtomicFile.Discard(old);
            }
            else
            {
                Directory.Move(TempPath, Target);
            }
        }
        else
        {
            System.IO.File.Move(TempPath, Target, _overwrite);
        }
        AtomicFile.Release(TempPath);
        _committed = true;
    }

    /// <summary>Deletes the temporary output unless committed.</summary>
    public void Dispose()
    {
        if (!_committed) AtomicFile.Discard(TempPath);
    }
}
