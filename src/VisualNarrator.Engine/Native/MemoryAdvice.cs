using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>Tells the kernel how memory will be used (libc's <c>madvise</c>).</summary>
internal static unsafe partial class MemoryAdvice
{
    private const int MadvHugePage = 14; // MADV_HUGEPAGE on x86-64 and arm64

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);

    /// <summary>
    /// Asks for transparent huge pages (2 MiB on x86-64) under the whole pages of [<paramref name="start"/>,
    /// <paramref name="start"/> + <paramref name="length"/>). Memory not yet touched then gets them as it is first
    /// written, and a file map's pages not yet cached are read in 2 MiB pieces; the kernel grants them where its
    /// setting is <c>always</c> or <c>madvise</c> (the common default, under which nothing gets them without this
    /// call). A hint: false where the kernel declines or this is not Linux.
    /// </summary>
    public static bool PreferHugePages(void* start, ulong length)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var page = (nuint)Environment.SystemPageSize;
        var first = ((nuint)start + page - 1) / page * page;
        var end = ((nuint)start + (nuint)length) / page * page;
        if (end <= first) return false;
        try
        {
            return Madvise((void*)first, end - first, MadvHugePage) == 0;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }
}
