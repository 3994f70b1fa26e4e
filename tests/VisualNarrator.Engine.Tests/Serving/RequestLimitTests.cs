using System.Runtime.InteropServices;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Serving;

/// <summary>Limits every surface (CLI, API, studio) shares because the engine enforces them: empty scenes, stop strings,
/// tiny temperatures, and a model that computes NaN reported as the model's fault.</summary>
public sealed class RequestLimitTests(TestModels models) : IClassFixture<TestModels>
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t")]
    [InlineData("Describe this image:")]
    [InlineData("describe this image:   ")]
    [InlineData("This image shows")]
    public void An_empty_scene_is_refused_naming_the_scene(string input)
    {
        var e = Assert.Throws<NarrationRejectedException>(() => PromptTemplates.ToPrompt(input));
        Assert.Equal(NarrationRejectedException.SceneField, e.Field);
        Assert.Contains("the scene is empty", e.Message);
        // A scene still makes a prompt, templated or as given.
        Assert.Equal("Describe this image: a red door", PromptTemplates.ToPrompt(" a red door "));
        Assert.Equal("This image shows a red door", PromptTemplates.ToPrompt("This image shows a red door"));
    }

    [Fact]
    public void A_million_stop_strings_are_refused_by_count_before_any_matching()
    {
        var settings = SamplingSettings.Greedy with { StopStrings = Enumerable.Repeat("x", 1_000_000).ToArray() };
        var e = Assert.Throws<NarrationRejectedException>(() => settings.Validate());
        Assert.Equal(nameof(SamplingSettings.StopStrings), e.Field);
        Assert.Contains("1000000 entries; at most 16", e.Message);
    }

    [Theory]
    [InlineData(1e-39f)]
    [InlineData(float.Epsilon)]
    [InlineData(1e-5f)]
    public void A_temperature_too_small_to_divide_by_is_greedy(float temperature)
    {
        var settings = new SamplingSettings { Temperature = temperature, TopK = 5 }.Validate();
        Assert.False(settings.DoSample);
        using var sampler = new TokenSampler(settings, []);
        Assert.Equal(["greedy"], sampler.ChainStages);
        Assert.Equal(2, sampler.Sample([0.1f, 0.2f, 3f, 0.3f]));
        Assert.True(new SamplingSettings { Temperature = SamplingSettings.MinSamplingTemperature }.DoSample);
    }

    [Fact]
    public async Task A_model_computing_NaN_fails_its_narrations_with_a_model_error()
    {
        var source = models.Get("opt", TestModels.TinyOpt);
        var corrupt = models.PathFor("nan-weights.gguf");
        CorruptModels.WriteWithNaN(source, corrupt);
        using var model = Model.Load(corrupt);
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 2, Inference = new(ContextSize: 128) });
        var streams = Enumerable.Range(0, 2)
            .Select(_ => scheduler.Submit(new NarrationRequest("Describe this image: a beach", SamplingSettings.Greedy with { MaxNewTokens = 4 })))
            .ToList();
        foreach (var stream in streams)
        {
            var e = await Assert.ThrowsAsync<ModelOutputException>(() => stream.Completion);
            Assert.Contains("NaN", e.Problem);
            Assert.Equal(corrupt, e.ModelFile);
        }
        // The scheduler keeps serving (another request is accepted and fails the same way, not with a crash).
        var again = scheduler.Submit(new NarrationRequest("Describe this image: a cat", SamplingSettings.Greedy with { MaxNewTokens = 2 }));
        await Assert.ThrowsAsync<ModelOutputException>(() => again.Completion);
    }

    [Fact]
    public void One_infinite_logit_among_many_is_found_and_named_by_its_token_id()
    {
        var source = models.Get("opt", TestModels.TinyOpt);
        var vocab = (int)GgufFile.Open(source).FindTensor("token_embd.weight")!.Shape[1];
        // A logit in the middle of the row and the last one: the check scans whole vectors first, then the rest.
        foreach (var token in new[] { vocab / 2 + 1, vocab - 1 })
        {
            var corrupt = models.PathFor($"infinite-row-{token}.gguf");
            CorruptModels.WriteWithInfiniteEmbeddingRow(source, corrupt, token);
            using var model = Model.Load(corrupt);
            using var context = new InferenceContext(model, new InferenceOptions(ContextSize: 64));
            var batch = new DecodeBatch(8);
            batch.AddSequence([2, 10, 11], 0, 0);
            var e = Assert.Throws<ModelOutputException>(() => context.Decode(batch));
            Assert.Contains($"(row 0, token id {token})", e.Problem);
        }
    }
}

/// <summary>Writes copies of models with corrupt weights, through the project's own GGUF writer.</summary>
internal static class CorruptModels
{
    /// <summary>Copies <paramref name="source"/> with every 1-D F32 tensor (norm weights and biases) set to NaN.</summary>
    public static void WriteWithNaN(string source, string destination) =>
        WriteCopy(source, destination, (_, t) =>
            t.Type == GgmlType.F32 && t.Shape.Length == 1 ? Enumerable.Repeat(float.NaN, (int)t.Shape[0]).ToArray() : null);

    /// <summary>Copies <paramref name="source"/> (an F32 model with tied embeddings) with <paramref name="token"/>'s
    /// embedding row set to infinity: only that token's logit (its row is also the LM head's) is not finite, while
    /// prompts without it compute as before.</summary>
    public static void WriteWithInfiniteEmbeddingRow(string source, string destination, int token) =>
        WriteCopy(source, destination, (file, t) =>
        {
            if (t.Name != "token_embd.weight") return null;
            Assert.Equal(GgmlType.F32, t.Type);
            var width = (int)t.Shape[0];
            var values = new float[t.ElementCount];
            file.ReadTensorData(t, MemoryMarshal.AsBytes(values.AsSpan()));
            values.AsSpan(token * width, width).Fill(float.PositiveInfinity);
            return values;
        });

    /// <summary>Copies <paramref name="source"/>'s metadata and tensors, each tensor for which
    /// <paramref name="replace"/> returns values written as those F32 values instead.</summary>
    private static void WriteCopy(string source, string destination, Func<GgufFile, GgufTensorInfo, float[]?> replace)
    {
        var file = GgufFile.Open(source);
        var writer = new GgufWriter();
        foreach (var (key, value) in file.Metadata) writer.Set(key, value);
        foreach (var t in file.Tensors)
        {
            if (replace(file, t) is { } values) writer.AddTensor(t.Name, values, t.Shape);
            else writer.AddTensor(t.Name, t.Type, t.Shape, s => file.CopyTensorData(t, s));
        }
        writer.WriteTo(destination);
    }
}
