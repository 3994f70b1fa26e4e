using Microsoft.Win32.SafeHandles;

namespace VisualNarrator.Gguf;

/// <summary>
/// A write-only stream over a new file that must reach the disk before it is renamed into place. Waiting for a
/// multi-gigabyte file's writeback at the end costs seconds after the work is done; instead, every
/// <see cref="FlushInterval"/> bytes this stream hands what it has to the OS and starts <c>fsync</c> on a background
/// thread, so the disk writes while the caller computes the next tensors, and <see cref="Complete"/> waits only for
/// the rest.
/// </summary>
public sealed class DurableFileStream : Stream
{
    /// <summary>Bytes written between background flushes.</summary>
    public const long FlushInterval = 128L << 20;

    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private long _sinceFlush;
    private Task? _flushing;

    /// <summary>Creates <paramref name="path"/>, which must not exist.</summary>
    public DurableFileStream(string path)
    {
        _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        _file = new FileStream(_handle, FileAccess.Write, 1 << 20);
    }

    /// <summary>Background flushes started so far (for tests and diagnostics).</summary>
    public int BackgroundFlushes { get; private set; }

    /// <inheritdoc/>
    public override bool CanRead => false;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => true;
    /// <inheritdoc/>
    public override long Length => _file.Length;
    /// <inheritdoc/>
    public override long Position { get => _file.Position; set => throw new NotSupportedException(); }
    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void Flush() => _file.Flush();
    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _file.Write(buffer);
        _sinceFlush += buffer.Length;
        // One flush at a time: if the disk is slower than the writer, the next one starts when this one is done.
        if (_sinceFlush < FlushInterval || _flushing is { IsCompleted: false }) return;
        _flushing?.GetAwaiter().GetResult(); // an I/O error surfaces here rather than at the end
        _file.Flush();
        _sinceFlush = 0;
        BackgroundFlushes++;
        _flushing = Task.Run(() => RandomAccess.FlushToDisk(_handle));
    }

    /// <summary>Waits for a background flush, then writes out everything and flushes it to the disk.</summary>
    public void Complete()
    {
        _flushing?.GetAwaiter().GetResult();
        _flushing = null;
        _file.Flush(flushToDisk: true);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The handle must outlive the flush that uses it; its error, if any, no longer matters (the file is discarded).
            try { _flushing?.Wait(); }
            catch (AggregateException) { }
            _file.Dispose();
        }
        base.Dispose(disposing);
    }
}
