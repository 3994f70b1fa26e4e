using VisualNarrator.Convert.Operations;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Gguf;

namespace VisualNarrator.Convert.Tests;

/// <summary><c>to-gguf --prompt-template</c> stores the templates a model was trained with; the engine reads them back.</summary>
public sealed class PromptTemplateTests
{
    [Fact]
    public void Stored_templates_come_back_from_the_engines_model_with_the_first_as_default()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir, untied: true);
        var templates = GgufConversion.ParsePromptTemplates(["narrate=Narrate: {scene}", "short=Caption {scene} briefly"]);
        GgufConversion.Convert(new ToGgufOptions(hf, dir["model.gguf"], GgmlType.F32, PromptTemplates: templates));
        using var model = Model.Load(dir["model.gguf"]);
        Assert.True(model.Prompts.FromModel);
        Assert.Equal("narrate", model.Prompts.DefaultName);
        Assert.Equal("Narrate: a red barn", model.Prompts.ToPrompt("a red barn"));
        Assert.Equal("Caption a red barn briefly", model.Prompts.ToPrompt("a red barn", "short"));
    }

    [Fact]
    public void Without_templates_the_file_has_none_and_the_engine_falls_back_to_the_seeds()
    {
        using var dir = new TempDir();
        var hf = Tiny.Synth(dir, untied: true);
        GgufConversion.Convert(new ToGgufOptions(hf, dir["model.gguf"], GgmlType.F32));
        Assert.DoesNotContain(GgufFile.Open(dir["model.gguf"]).Metadata.Keys, k => k.StartsWith(GgufKeys.PromptTemplate, StringComparison.Ordinal));
        using var model = Model.Load(dir["model.gguf"]);
        Assert.Same(PromptFormat.Seed, model.Prompts);
    }

    [Fact]
    public void Seed_stands_for_the_seeds_four_templates()
    {
        var templates = GgufConversion.ParsePromptTemplates(["seed"]);
        Assert.Equal(PromptTemplates.ByName.Select(kv => (kv.Key, kv.Value)), templates);
    }

    [Theory]
    [InlineData("Narrate: {scene}", "NAME=TEXT")]
    [InlineData("x=Narrate this", "{scene} exactly once")]
    [InlineData("x={scene} {scene}", "{scene} exactly once")]
    [InlineData("Bad Name={scene}", "NAME=TEXT")]
    public void Bad_values_are_refused_naming_the_option(string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => GgufConversion.ParsePromptTemplates([value]));
        Assert.Contains("--prompt-template", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_name_given_twice_is_refused() =>
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => GgufConversion.ParsePromptTemplates(["a={scene}", "a=x {scene}"])).Message);
}
