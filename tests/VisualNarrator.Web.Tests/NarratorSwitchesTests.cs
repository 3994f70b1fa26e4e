using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Tests;

/// <summary>The app's own switches reach <see cref="NarratorOptions"/> through the configuration system, as the app
/// binds them (the real builder, nothing started).</summary>
public sealed class NarratorSwitchesTests
{
    private static async Task<NarratorOptions> Bound(params string[] args)
    {
        await using var app = NarratorApp.CreateBuilder(args).Build();
        return app.Services.GetRequiredService<IOptions<NarratorOptions>>().Value;
    }

    [Theory]
    [InlineData(new[] { "--model", "/data/m/opt.gguf" }, "/data/m", "opt.gguf")]
    [InlineData(new[] { "--model=/data/m/sub/q4.gguf" }, "/data/m/sub", "q4.gguf")]
    [InlineData(new[] { "--models-folder", "/srv/models", "--model", "sub/a.gguf" }, "/srv/models", "sub/a.gguf")]
    [InlineData(new[] { "--model", "/data/m/opt.gguf", "--models-folder=/srv/models" }, "/srv/models", "/data/m/opt.gguf")]
    public async Task A_model_path_with_a_folder_makes_it_the_models_folder_unless_one_is_given(string[] args, string folder, string model)
    {
        var options = await Bound(args);
        Assert.Equal(folder, options.ModelsFolder);
        Assert.Equal(model, options.DefaultModel);
    }

    [Fact]
    public async Task A_bare_model_name_keeps_the_configured_models_folder()
    {
        var configured = await Bound();
        var options = await Bound("--model=q4.gguf");
        Assert.Equal("q4.gguf", options.DefaultModel);
        Assert.Equal(configured.ModelsFolder, options.ModelsFolder);
        Assert.NotEqual("q4.gguf", configured.DefaultModel);
    }

    [Fact]
    public async Task A_relative_model_path_is_taken_from_the_current_folder()
    {
        var options = await Bound("--model", "sub/a.gguf");
        Assert.Equal(Path.GetFullPath("sub"), options.ModelsFolder);
        Assert.Equal("a.gguf", options.DefaultModel);
    }

    [Fact]
    public async Task The_key_switches_set_the_key_options_and_the_key_file_becomes_absolute()
    {
        var options = await Bound("--api-key-file", "key.txt", "--api-key", "k1");
        Assert.Equal(Path.GetFullPath("key.txt"), options.ApiKeyFile);
        Assert.Equal("k1", options.ApiKey);
    }

    [Fact]
    public async Task A_switch_is_above_the_same_setting_by_its_configuration_key()
    {
        var options = await Bound("--Narrator:ApiKey=by-key", "--api-key", "by-switch", "--Narrator:MaxSequences=3");
        Assert.Equal("by-switch", options.ApiKey);
        Assert.Equal(3, options.MaxSequences);
    }
}
