using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VisualNarrator.Gguf;

/// <summary>
/// The one way this project writes output: into a hidden temporary path beside the target, then renamed into place,
/// so a reader never sees a half-written file. Temporary paths are named <c>.NAME.PID-GUID[.TAG].tmp</c> and kept in
/// a process-wide registry: a signal handler can remove them all (<see cref="DeletePending"/>), and the next write of
/// the same target removes those whose process is gone (killed with SIGKILL, power loss).
/// </summary>
public static partial class AtomicFile
{
    private static readonly ConcurrentDictionary<string, byte> Pending = new(StringComparer.Ordinal);
    private static volatile bool _closed;

    /// <summary>A fresh temporary path beside <paramref name="target"/> (a file or a folder may be created there),
    /// registered until <see cref="Release"/>. Stale temporaries of the same target are removed first.</summary>
    /// <param name="target">The final path.</param>
    /// <param name="tag">Optional marker of what the temporary holds (e.g. "f32" for an intermediate).</param>
    /// <exception cref="OperationCanceledException">The process is shutting down after a signal.</exception>
    public static string ReserveTemp(string target, string? tag = null)
    {
        if (_closed) throw new OperationCanceledException("the process is shutting down");
        var full = Path.GetFullPath(target);
        var dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{target}' has no parent folder");
        var name = Path.GetFileName(full);
        CleanStale(dir, name);
        var temp = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture,
            $".{name}.{Environment.ProcessId}-{Guid.NewGuid():N}{(tag is null ? "" : "." + tag)}.tmp"));
        Pending[temp] = 0;
        if (_closed) { Pending.TryRemove(temp, out _); throw new OperationCanceledException("the process is shutting down"); }
        return temp;
    }

    /// <summary>Forgets a temporary path (after it was renamed into place or deleted).</summary>
    public static void Release(string temp) => Pending.TryRemove(temp, out _);

    /// <summary>Deletes a temporary path (file or folder) if present and forgets it; never throws.</summary>
    public static void Discard(string temp)
    {
        TryDelete(temp);
        Release(temp);
    }

    /// <summary>Writes <paramref name="path"/> atomically through <paramref name="write"/>; on any failure the target is
    /// left as it was and the temporary file is gone.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="overwrite">Replace an existing target; when false an existing target is an <see cref="IOException"/>.</param>
    public static void Write(string path, Action<Stream> write, bool overwrite = true)
    {
        var full = Path.GetFullPath(path);
        if (!overwrite && (File.Exists(full) || Directory.Exists(full)))
            throw new IOException($"'{full}' already exists; pass --force to replace it");
        var temp = ReserveTemp(full);
        try
        {
            using (var stream = new DurableFileStream(temp))
            {
                write(stream);
                stream.Complete();
            }
            File.Move(temp, full, overwrite);
            Release(temp);
        }
        catch
        {
            Discard(temp);
            throw;
        }
    }

    /// <summary>Writes text (UTF-8 without BOM) atomically.</summary>
    public static void WriteAllText(string path, string text, bool overwrite = true) =>
        Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(text)), overwrite);

    /// <summary>Deletes every registered temporary path and refuses new ones: called when a signal ends the process.</summary>
    public static void DeletePending()
    {
        _closed = true;
        foreach (var temp in Pending.Keys) Discard(temp);
    }

    /// <summary>Removes temporaries of <paramref name="targetName"/> in <paramref name="folder"/> left by processes that
    /// no longer run (and those of the older GUID-only naming). Returns how many were removed.</summary>
    public static int CleanStale(string folder, string targetName)
    {
        var removed = 0;
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(folder, "." + targetName + ".*"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return 0; }
        var prefix = "." + targetName + ".";
        foreach (var entry in entries)
        {
            var rest = Path.GetFileName(entry)[prefix.Length..];
            var m = OursPattern().Match(rest);
            bool stale;
            if (m.Success) stale = !IsRunning(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) && !Pending.ContainsKey(entry);
            else stale = LegacyPattern().IsMatch(rest);
            if (stale && TryDelete(entry)) removed++;
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        if (Directory.Exists("/proc/self")) return Directory.Exists($"/proc/{pid}");
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path) || Directory.Exists(path)) File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // PID-GUID, an optional tag, ".tmp" (anything may follow, for a temporary of a temporary).
    [GeneratedRegex(@"^(\d{1,10})-[0-9a-f]{32}(\.[^/]*)?\.tmp(\..*)?$")]
    private static partial Regex OursPattern();

    // The naming before this scheme: GUID.tmp, GUID.tmp.old (a replaced folder), GUID.f32.gguf (to-gguf's intermediate).
    [GeneratedRegex(@"^[0-9a-f]{32}(\.tmp(\.old)?|\.f32\.gguf)$")]
    private static partial Regex LegacyPattern();
}
