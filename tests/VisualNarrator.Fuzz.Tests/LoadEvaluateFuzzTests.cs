using VisualNarrator.Fuzz;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Fuzz.Tests;

/// <summary>
/// Structure-aware fuzzing of the whole load-and-evaluate path, kept as a bounded test (the full campaign is
/// <c>tools/VisualNarrator.Fuzz gguf</c>, docs/robustness.md): targeted and random mutants of the built-in model and of
/// a tiny random model are loaded, tokenized with their own tokenizer, decoded and stepped greedily in this process.
/// Every failure must be one of the engine's input exceptions (a native crash would take the test host down), and no
/// mutant may allocate more than twice what the valid file does.
/// </summary>
public sealed class LoadEvaluateFuzzTests(TestModels models) : IClassFixture<TestModels>
{
    private const int MutantsPerModel = 100;

    [Theory]
    [InlineData("builtin", 20261202)]
    [InlineData("tiny", 20261203)]
    public void Mutants_LoadAndEvaluate_OrRaiseInputExceptions(string which, int seed)
    {
        var source = which == "builtin" ? Path.Combine(RepoPaths.Root, "models", "narrator.gguf") : models.Get("opt", TestModels.TinyOpt);
        var valid = File.ReadAllBytes(source);
        var mutator = new Mutator(valid, GgufLayout.Of(valid));
        var path = models.PathFor($"mutant-{which}.gguf");

        File.WriteAllBytes(path, valid);
        var validAllocation = Allocation(path, out var validOutcome);
        Assert.Equal("ok", validOutcome.Kind);

        var rng = new Random(seed);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < MutantsPerModel; i++)
        {
            var (bytes, how) = mutator.Next(rng);
            File.WriteAllBytes(path, bytes);
            var allocated = Allocation(path, out var outcome);
            Assert.True(outcome.Kind != "violation", $"mutant {i} ({how}): {outcome.Exception}: {outcome.Message}");
            Assert.True(allocated <= 2 * validAllocation,
                $"mutant {i} ({how}) allocated {allocated >> 20} MiB, the valid file {validAllocation >> 20} MiB");
            outcomes[outcome.Kind] = outcomes.GetValueOrDefault(outcome.Kind) + 1;
        }
        // The mutations must reach both sides: files that load and run, and files that are refused.
        Assert.True(outcomes.GetValueOrDefault("refused") > MutantsPerModel / 4, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("ok") > 0, string.Join(", ", outcomes));
    }

    [Fact]
    public void NonFiniteWeights_AreAModelError_AtLoadWithCheckTensors_OrAtRunTime()
    {
        var source = models.Get("opt", TestModels.TinyOpt);
        var file = GgufFile.Open(source);
        var path = models.PathFor("inf-weights.gguf");
        var bytes = File.ReadAllBytes(source);
        var t = file.FindTensor("output_norm.weight")!;
        BitConverter.GetBytes(float.PositiveInfinity).CopyTo(bytes, t.FileOffset + 4);
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<VisualNarrator.Engine.Models.ModelLoadException>(() =>
            VisualNarrator.Engine.Models.WeightScan.ThrowIfNonFinite(GgufFile.Open(path)));
        Assert.Contains("tensor 'output_norm.weight' holds a non-finite value (+inf) in element 1", ex.Message);
        var run = LoadEvaluate.Run(path);
        Assert.Equal("refused", run.Kind);
        Assert.Equal("ModelOutputException", run.Exception);
        VisualNarrator.Engine.Models.WeightScan.ThrowIfNonFinite(GgufFile.Open(source));
    }

    /// <summary>Bytes allocated by every thread while the file is loaded and run: Model.Load builds the tokenizer on a
    /// worker (or inline, when the waiting thread runs it), so counting only this thread would miss or catch it by chance.
    /// This class is the project's only one, so no other test allocates meanwhile.</summary>
    private static long Allocation(string path, out Outcome outcome)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        outcome = LoadEvaluate.Run(path);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }
}
