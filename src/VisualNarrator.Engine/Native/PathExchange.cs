using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>Swaps two paths in one step with Linux's <c>renameat2(RENAME_EXCHANGE)</c>, so replacing an output
/// folder never leaves a moment where it is absent. Other systems and file systems without the flag report false and
/// the caller falls back to two renames.</summary>
public static partial class PathExchange
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    /// <summary>Atomically exchanges <paramref name="a"/> and <paramref name="b"/> (both must exist, on one file
    /// system). Returns false when the system cannot do it; throws <see cref="IOException"/> for other failures.</summary>
    public static bool TryExchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux()) return false;
        int result;
        try
        {
            result = RenameAt2(AtFdCwd, Path.GetFullPath(a), AtFdCwd, Path.GetFullPath(b), RenameExchange);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
        if (result == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        // ENOSYS 38, EINVAL 22 (flag unsupported by the file system), ENOTSUP/EOPNOTSUPP 95.
        if (errno is 38 or 22 or 95) return false;
        throw new IOException($"cannot swap '{a}' and '{b}': {Marshal.GetPInvokeErrorMessage(errno)}");
    }
}
