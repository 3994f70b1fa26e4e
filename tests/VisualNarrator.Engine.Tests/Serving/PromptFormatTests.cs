using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Models;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Serving;

/// <summary>Prompt templates stored in a GGUF decide how a bare scene becomes a prompt; files without them get the seed's.</summary>
public sealed class PromptFormatTests
{
    private static GgufFile File(GgufWriter w) => GgufSamples.Parse(GgufSamples.Bytes(w));

    [Fact]
    public void A_file_without_templates_gets_the_seeds_four_with_describe_first()
    {
        var format = PromptFormat.Read(File(new GgufWriter().SetString(GgufKeys.Name, "m")), "m.gguf");
        Assert.False(format.FromModel);
        Assert.Equal("describe", format.DefaultName);
        Assert.Equal("Describe this image: a red barn", format.ToPrompt("a red barn"));
    }

    [Fact]
    public void Stored_templates_format_bare_scenes_and_keep_prompts_that_already_use_them()
    {
        var w = new GgufWriter()
            .SetString(GgufKeys.PromptTemplate, "Narrate: {scene}")
            .SetString(GgufKeys.PromptTemplate + ".narrate", "Narrate: {scene}")
            .SetString(GgufKeys.PromptTemplate + ".short", "Caption {scene} briefly");
        var format = PromptFormat.Read(File(w), "m.gguf");
        Assert.True(format.FromModel);
        Assert.Equal("narrate", format.DefaultName);
        Assert.Equal(["narrate", "short"], format.Templates.Keys.Order());
        Assert.Equal("Narrate: a red barn", format.ToPrompt("a red barn"));
        Assert.Equal("Caption a red barn briefly", format.ToPrompt("a red barn", "short"));
        Assert.Equal("Narrate: a red barn", format.ToPrompt("Narrate: a red barn"));
        // The seed's openings are just words for this model.
        Assert.Equal("Narrate: Describe this image: a red barn", format.ToPrompt("Describe this image: a red barn"));
        var e = Assert.Throws<NarrationRejectedException>(() => format.ToPrompt("a red barn", "describe"));
        Assert.Equal(NarrationRejectedException.TemplateField, e.Field);
        Assert.Contains("narrate, short", e.Message);
    }

    [Theory]
    [InlineData("Narrate this picture")]
    [InlineData("{scene} and {scene}")]
    public void A_template_without_exactly_one_placeholder_is_refused_at_load_naming_the_key(string template)
    {
        var e = Assert.Throws<ModelLoadException>(() => PromptFormat.Read(File(new GgufWriter().SetString(GgufKeys.PromptTemplate, template)), "m.gguf"));
        Assert.Contains(GgufKeys.PromptTemplate, e.Message);
        Assert.Contains("{scene}", e.Message);
    }

    [Fact]
    public void A_template_of_the_wrong_type_is_refused_at_load()
    {
        var e = Assert.Throws<ModelLoadException>(() => PromptFormat.Read(File(new GgufWriter().SetUInt32(GgufKeys.PromptTemplate, 7)), "m.gguf"));
        Assert.Contains(GgufKeys.PromptTemplate, e.Message);
    }

    [Fact]
    public void An_unknown_template_name_is_refused_with_the_callers_spelling_and_the_models_names()
    {
        var api = Assert.Throws<NarrationRejectedException>(() => PromptFormat.Seed.Template("nope"));
        var cli = Assert.Throws<NarrationRejectedException>(() => PromptFormat.Seed.Template("nope", "--template"));

        Assert.Equal(NarrationRejectedException.TemplateField, api.Field);
        Assert.Equal("'template' must be one of describe, what-do-you-see, caption, image-shows, got 'nope'", api.Message);
        Assert.Equal("--template must be one of describe, what-do-you-see, caption, image-shows, got 'nope'", cli.Message);
    }
}
