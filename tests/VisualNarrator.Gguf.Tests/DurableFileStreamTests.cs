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
            using (var stream = new DurableFileStream(path))
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
