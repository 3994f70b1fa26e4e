using VisualNarrator.DatasetGen;
using VisualNarrator.Testing;

namespace VisualNarrator.DatasetGen.Tests;

/// <summary>The committed files are exactly what the generator writes for its default seed (so
/// <c>dotnet run --project tools/VisualNarrator.DatasetGen -- --out data</c> reproduces them), and the seed decides
/// the output.</summary>
public sealed class DatasetGeneratorTests
{
    [Fact]
    public void DefaultSeed_ReproducesTheCommittedFilesByteForByte()
    {
        var files = DatasetBuilder.Build();
        Assert.Equal(["train.jsonl", "validation.jsonl", "test.jsonl", "test-bare.jsonl", "seed-benchmark.jsonl", "stats.json"], files.Select(f => f.Name));
        foreach (var f in files)
        {
            var committed = File.ReadAllText(Path.Combine(DatasetFiles.Folder, f.Name));
            Assert.True(committed == f.Content, $"data/{f.Name} differs from the generator's output; rerun the generator");
        }
    }
}
