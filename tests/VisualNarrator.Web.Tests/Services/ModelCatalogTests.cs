using System.Diagnostics;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Services;

/// <summary>Confinement by real path: links are followed wherever they are on the way, and what cannot be loaded is
/// not listed.</summary>
public sealed class ModelCatalogTests : IDisposable
{
    private readonly ModelFolder _models = new();
    private readonly string _root;
    private readonly ModelCatalog _catalog;

    private sealed class Env(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "test";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    public ModelCatalogTests()
    {
        _root = Path.GetDirectoryName(_models.Folder)!;
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        File.Copy(_models.Outside, Path.Combine(elsewhere, "secret.gguf"));
        Directory.CreateSymbolicLink(Path.Combine(_models.Folder, "link_dir"), elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(_models.Folder, "relative_dir"), "../elsewhere");
        File.CreateSymbolicLink(Path.Combine(_models.Folder, "escape.gguf"), "../outside.gguf");
        File.CreateSymbolicLink(Path.Combine(_models.Folder, "alias.gguf"), "narrator.gguf");
        File.CreateSymbolicLink(Path.Combine(_models.Folder, "loop.gguf"), "loop.gguf");
        File.WriteAllBytes(Path.Combine(_models.Folder, "empty.gguf"), []);
        var sub = Directory.CreateDirectory(Path.Combine(_models.Folder, "sub")).FullName;
        File.Copy(Path.Combine(_models.Folder, "other.gguf"), Path.Combine(sub, "third.gguf"));
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(_models.Folder, "fifo.gguf"))) mkfifo.WaitForExit();
        _catalog = new ModelCatalog(Options.Create(new NarratorOptions { ModelsFolder = _models.Folder }), new Env(_root));
    }

    [Fact]
    public void Lists_only_files_whose_real_path_is_inside_and_that_can_be_read()
    {
        Assert.Equal(["alias.gguf", "narrator.gguf", "other.gguf", "sub/third.gguf"], _catalog.List().Select(m => m.Name));
        Assert.All(_catalog.List(), m => Assert.Null(m.Problem));
    }

    [Theory]
    [InlineData("link_dir/secret.gguf", "links outside the models folder")]
    [InlineData("relative_dir/secret.gguf", "links outside the models folder")]
    [InlineData("escape.gguf", "links outside the models folder")]
    [InlineData("../outside.gguf", "outside the models folder")]
    [InlineData("sub/../../outside.gguf", "outside the models folder")]
    [InlineData("empty.gguf", "empty or not a regular file")]
    [InlineData("fifo.gguf", "empty or not a regular file")]
    [InlineData("loop.gguf", "too many symbolic links")]
    [InlineData("a\0.gguf", "not a valid model name")]
    public void Resolve_refuses_escapes_and_files_that_cannot_load(string name, string message)
    {
        var e = Assert.Throws<ModelPathException>(() => _catalog.Resolve(name));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain(_root, e.Message);
    }

    [Fact]
    public void A_link_inside_the_folder_resolves_to_its_real_file()
    {
        var alias = _catalog.Resolve("alias.gguf");
        Assert.Equal("alias.gguf", alias.Name);
        Assert.Equal(_catalog.Resolve("narrator.gguf").FullPath, alias.FullPath);
    }

    [Fact]
    public void Real_paths_follow_folder_links_and_stop_on_loops()
    {
        Assert.Equal(Path.Combine(_root, "elsewhere", "secret.gguf"), RealPath.Of(Path.Combine(_models.Folder, "link_dir", "secret.gguf")));
        Assert.Equal(Path.Combine(_root, "elsewhere", "x"), RealPath.Of(Path.Combine(_models.Folder, "relative_dir", "..", "elsewhere", "x")));
        Assert.Throws<IOException>(() => RealPath.Of(Path.Combine(_models.Folder, "loop.gguf")));
    }

    [Fact]
    public void Redact_shows_paths_relative_to_the_folder()
    {
        Assert.Equal("cannot read sub/third.gguf in the models folder",
            _catalog.Redact($"cannot read {Path.Combine(_models.Folder, "sub", "third.gguf")} in {_models.Folder}"));
        Assert.Equal("models", _catalog.DisplayName);
    }

    public void Dispose() => _models.Dispose();
}
