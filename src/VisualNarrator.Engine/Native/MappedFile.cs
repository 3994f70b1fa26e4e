using System.IO.MemoryMappedFiles;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// A read-only memory map of a whole file: the kernel reads a page when it is first touched and shares it with the page
/// cache, so weights that point into it cost no copy and no load time (llama.cpp's mmap loading). The file must not be
/// truncated while mapped (replacing it by rename, as this project's writers do, is safe).
/// <para>The map asks for huge pages: pages not yet in the page cache are then read in 2 MiB pieces and mapped with 2 MiB
/// pages, which spares the matmuls that stream the weights a TLB miss every 4 KiB. (Pages already cached keep the size
/// their writer or reader gave them; this project's writers make 2 MiB pieces.)</para>
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    private MappedFile(MemoryMappedFile map, MemoryMappedViewAccessor view, byte* pointer, long length)
    {
        _map = map;
        _view = view;
        _pointer = pointer;
        Length = length;
    }

    /// <summary>Maps <paramref name="path"/>, which must still be <paramref name="expectedLength"/> bytes long.</summary>
    /// <exception cref="IOException">The file changed size since its metadata was read, or cannot be mapped.</exception>
    public static MappedFile Open(string path, long expectedLength)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        if (stream.Length != expectedLength)
        {
            stream.Dispose();
            throw new IOException($"{path} changed size since its metadata was read ({expectedLength} -> {stream.Length} bytes)");
        }
        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            MemoryAdvice.PreferHugePages(pointer + view.PointerOffset, (ulong)expectedLength);
            return new MappedFile(map, view, pointer + view.PointerOffset, expectedLength);
        }
        catch
        {
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>The first byte of the file in memory.</summary>
    public byte* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(MappedFile));

    /// <summary>Bytes mapped (the file's length).</summary>
    public long Length { get; }

    /// <summary>Unmaps the file; nothing may point into it afterwards.</summary>
    public void Dispose()
    {
        if (_pointer == null) return;
        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
