using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace VisualNarrator.Gguf;

/// <summary>
/// A write-only stream over a new file that must reach the disk before it is renamed into place. Waiting for a
/// multi-gigabyte file's writeback at the end costs seconds after the work is done; instead, every
/// <see cref="FlushInterval"/> bytes this stream starts <c>fsync</c> on a background thread, so the disk writes while the
/// caller computes the next tensors, and <see cref="Complete"/> waits only for the rest.
/// <para>Bytes reach the OS in whole <see cref="BlockSize"/> blocks at multiples of it (only the last may be short).
/// Linux caches a file in pieces as large as the writes that made them, and a later memory map of it gets 2 MiB pages
/// only over 2 MiB pieces. Written in 1 MiB pieces, a fresh model is mapped with 4 KiB pages, and its matmuls run 3-6%
/// slower from the TLB misses.</para>
/// </summary>
public sealed class DurableFileStream : Stream
{
    /// <summary>Bytes written between background flushes.</summary>
    public const long FlushInterval = 128L << 20;

    /// <summary>Size and alignment of the writes handed to the OS: a transparent huge page on x86-64 and arm64.</summary>
    public const int BlockSize = 2 << 20;

    private readonly SafeFileHandle _handle;
    // Pooled: small files (JSON, tokenizer folders) would otherwise cost a fresh 2 MiB array each.
    private readonly byte[] _block = ArrayPool<byte>.Shared.Rent(BlockSize);
    private bool _disposed;
    private int _filled;
    private long _written;
    private long _sinceFlush;
    private Task? _flushing;

    /// <summary>Creates <paramref name="path"/>, which must not exist.</summary>
    public DurableFileStream(string path)
    {
        _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
    }

    /// <summary>Background flushes started so far (for tests and diagnostics).</summary>
    public int BackgroundFlushes { get; private set; }

    /// <summary>Each write handed to the OS, as (file offset, length): lets tests check the block alignment.</summary>
    internal Action<long, int>? OnWrite { get; set; }

    /// <inheritdoc/>
    public override bool CanRead => false;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => true;
    /// <inheritdoc/>
    public override long Length => _written + _filled;
    /// <inheritdoc/>
    public override long Position { get => _written + _filled; set => throw new NotSupportedException(); }
    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Hands the partly filled block to the OS as well; it stays buffered and is written again, whole and at
    /// the same offset, once it fills, so later writes keep their alignment.</summary>
    public override void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_filled > 0) WriteAt(_block.AsSpan(0, _filled), _written);
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == 0 && buffer.Length >= BlockSize)
            {
                // Whole blocks straight from the caller's memory, no copy.
                var whole = buffer.Length - buffer.Length % BlockSize;
                Hand(buffer[..whole]);
                buffer = buffer[whole..];
                continue;
            }
            var take = Math.Min(BlockSize - _filled, buffer.Length);
            buffer[..take].CopyTo(_block.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
            if (_filled < BlockSize) continue;
            _filled = 0;
            Hand(_block.AsSpan(0, BlockSize));
        }
    }

    /// <summary>Waits for a background flush, then writes out everything and flushes it to the disk.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _flushing?.GetAwaiter().GetResult();
        _flushing = null;
        if (_filled > 0)
        {
            WriteAt(_block.AsSpan(0, _filled), _written);
            _written += _filled;
            _filled = 0;
        }
        RandomAccess.FlushToDisk(_handle);
    }

    private void Hand(ReadOnlySpan<byte> blocks)
    {
        WriteAt(blocks, _written);
        _written += blocks.Length;
        _sinceFlush += blocks.Length;
        // One flush at a time: if the disk is slower than the writer, the next one starts when this one is done.
        if (_sinceFlush < FlushInterval || _flushing is { IsCompleted: false }) return;
        _flushing?.GetAwaiter().GetResult(); // an I/O error surfaces here rather than at the end
        _sinceFlush = 0;
        BackgroundFlushes++;
        _flushing = Task.Run(() => RandomAccess.FlushToDisk(_handle));
    }

    private void WriteAt(ReadOnlySpan<byte> data, long offset)
    {
        RandomAccess.Write(_handle, data, offset);
        OnWrite?.Invoke(offset, data.Length);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            // The handle must outlive the flush that uses it; its error, if any, no longer matters (the file is discarded).
            try { _flushing?.Wait(); }
            catch (AggregateException) { }
            _handle.Dispose();
            ArrayPool<byte>.Shared.Return(_block);
        }
        base.Dispose(disposing);
    }
}
