using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Gguf.Tests;

/// <summary>Ranged reads of tensor data through one handle, as the quantizer's threads make them.</summary>
public class TensorRangeReadTests
{
    [Fact]
    public void RangesReadFromSeveralThreads_EqualTheWholeTensorsBytes_AndRangesOutsideAreRefused()
    {
        var dir = Directory.CreateTempSubdirectory("gguf-range");
        try
        {
            var path = Path.Combine(dir.FullName, "a.gguf");
            File.WriteAllBytes(path, GgufSamples.Bytes(GgufSamples.AllValueTypes()));
            var file = GgufFile.Open(path);
            using var handle = file.OpenForParallelReads();
            foreach (var tensor in file.Tensors)
            {
                var whole = new byte[tensor.ByteSize];
                file.ReadTensorData(tensor, whole);
                var pieces = new byte[tensor.ByteSize];
                const int piece = 24; // not a divisor of any of the sample's row sizes
                Parallel.For(0, (int)((tensor.ByteSize + piece - 1) / piece), i =>
                {
                    var at = (long)i * piece;
                    var span = pieces.AsSpan((int)at, (int)Math.Min(piece, tensor.ByteSize - at));
                    file.ReadTensorData(handle, tensor, at, span);
                });
                Assert.Equal(whole, pieces);

                var ex = Assert.Throws<ArgumentOutOfRangeException>(() => file.ReadTensorData(handle, tensor, tensor.ByteSize - 3, new byte[4]));
                Assert.Contains($"outside tensor '{tensor.Name}'", ex.Message);
            }
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void FileThatChangedSize_IsRefused_NamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("gguf-range");
        try
        {
            var path = Path.Combine(dir.FullName, "a.gguf");
            File.WriteAllBytes(path, GgufSamples.Bytes(GgufSamples.AllValueTypes()));
            var file = GgufFile.Open(path);
            using (var s = new FileStream(path, FileMode.Open)) s.SetLength(s.Length - 100);
            var ex = Assert.Throws<IOException>(() => file.OpenForParallelReads());
            Assert.Contains("a.gguf changed size", ex.Message);
        }
        finally { dir.Delete(recursive: true); }
    }
}
