namespace VisualNarrator.CommandLine;

/// <summary>Checks an input file before it is opened: opening a FIFO without a writer, or a device, would block or
/// read forever, and a folder gives a bare "access denied". Such paths report a length of 0, like an empty file,
/// which no input of these tools may be either.</summary>
public static class InputFile
{
    /// <summary>Throws unless <paramref name="path"/> is an existing, non-empty regular file; <paramref name="what"/>
    /// names it in the message (e.g. "--refs").</summary>
    public static void Require(string path, string what)
    {
        if (Directory.Exists(path)) throw new UsageException($"{what} {path}: is a folder, not a file");
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{what} {path}: no such file", path);
        if (info.Length == 0) throw new InvalidDataException($"{what} {path}: the file is empty (or not a regular file such as a pipe or device)");
    }
}
