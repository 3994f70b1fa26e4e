using VisualNarrator.Gguf;

namespace VisualNarrator.Gguf.Tests;

public class DurableFileStreamTests
{
    [Fact]
    public void LongWrite_FlushesInTheBackground_AndTheFileHoldsEveryByteInOrder()
    {
        var dir = Directory.CreateTempSubdirectory("durable");
        try
        {
            var path = Path.Combine(dir.FullName, "big.bin");
            // 2.5 intervals in pieces of odd sizes, each piece's bytes derived from its position in the file.
            var total = DurableFileStream.FlushInterval * 5 / 2;
            var piece = new byte[7_340_033];
            long written = 0;
            int flushes;
            var writes = new List<(long Offset, int Length)>();
            using (var stream = new DurableFileStream(path) { OnWrite = (o, n) => writes.Add((o, n)) })
            {
                while (written < total)
                {
                    var n = (int)Math.Min(piece.Length, total - written);
                    for (var i = 0; i < n; i++) piece[i] = (byte)((written + i) * 31 >> 3);
                    stream.Write(piece, 0, n);
                    written += n;
                }
                stream.Complete();
                flushes = stream.BackgroundFlushes;
            }

            Assert.InRange(flushes, 1, 2);
            // What the OS gets is whole aligned blocks, back to back, and one short block at the end: the page cache then
            // holds the file in 2 MiB pieces, which a memory map of it gets as 2 MiB pages.
            Assert.All(writes, w => Assert.Equal(0, w.Offset % DurableFileStream.BlockSize));
            Assert.All(writes.SkipLast(1), w => Assert.Equal(0, w.Length % DurableFileStream.BlockSize));
            Assert.Equal(total, writes.Sum(w => (long)w.Length));
            using var read = File.OpenRead(path);
            Assert.Equal(total, read.Length);
            var buffer = new byte[1 << 20];
            long at = 0;
            int got;
            while ((got = read.Read(buffer)) > 0)
            {
                for (var i = 0; i < got; i++)
                    if (buffer[i] != (byte)((at + i) * 31 >> 3)) Assert.Fail($"byte {at + i} differs");
                at += got;
            }
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Flush_HandsOverThePartBlock_AndLaterWritesKeepTheirAlignment()
    {
        var dir = Directory.CreateTempSubdirectory("durable");
        try
        {
            var path = Path.Combine(dir.FullName, "flushed.bin");
            var expected = new byte[DurableFileStream.BlockSize * 2 + 12_345];
            new Random(7).NextBytes(expected);
            var writes = new List<(long Offset, int Length)>();
            using (var stream = new DurableFileStream(path) { OnWrite = (o, n) => writes.Add((o, n)) })
            {
                stream.Write(expected, 0, 1000);
                stream.Flush();
                Assert.Equal(1000, new FileInfo(path).Length); // a reader sees what was flushed
                stream.Write(expected, 1000, expected.Length - 1000);
                Assert.Equal(expected.Length, stream.Position);
                stream.Complete();
            }

            Assert.Equal(expected, File.ReadAllBytes(path));
            Assert.Equal([(0L, 1000), (0L, DurableFileStream.BlockSize), (DurableFileStream.BlockSize, DurableFileStream.BlockSize),
                (2L * DurableFileStream.BlockSize, 12_345)], writes);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void ExistingFile_IsRefused_AndLeftAsItWas()
    {
        var dir = Directory.CreateTempSubdirectory("durable");
        try
        {
            var path = Path.Combine(dir.FullName, "there.bin");
            File.WriteAllText(path, "keep");
            Assert.Throws<IOException>(() => new DurableFileStream(path));
            Assert.Equal("keep", File.ReadAllText(path));
        }
        finally { dir.Delete(recursive: true); }
    }
}
