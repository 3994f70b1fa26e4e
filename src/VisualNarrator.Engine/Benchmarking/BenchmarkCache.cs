using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Benchmarking;

/// <summary>The models <c>narrator bench</c> keeps between runs.</summary>
public static class BenchmarkCache
{
    /// <summary>
    /// Whether a cached model exists and opens as complete GGUF (every tensor's data inside the file). A file that
    /// does not, such as one left by an interrupted run that wrote in place, is deleted so it is made again;
    /// <paramref name="problem"/> then says why.
    /// </summary>
    public static bool TryReuse(string path, out string? problem)
    {
        problem = null;
        if (!File.Exists(path)) return false;
        try
        {
            GgufFile.Open(path);
            return true;
        }
        catch (Exception e) when (e is GgufFormatException or IOException)
        {
            problem = $"{path} is incomplete or damaged ({e.Message}); making it again";
            File.Delete(path);
            return false;
        }
    }
}
