using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Services;

public sealed class ModelCatalogQuantizationTests
{
    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "test";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    [Fact]
    public void The_quantization_is_named_from_general_file_type()
    {
        var catalog = new ModelCatalog(Options.Create(new NarratorOptions { ModelsFolder = "models" }), new Environment(RepoRoot.Path));
        // The built-in models: q4_k_m (file_type 15) keeps its embedding at Q8_0, which holds most of a small model's
        // weights, so the dominant tensor type would say Q8_0.
        Assert.Equal("Q4_K_M", catalog.Resolve("narrator-q4_k_m.gguf").Quantization);
        Assert.Equal("F16", catalog.Resolve("narrator-f16.gguf").Quantization);
        Assert.Equal("Q4_K_M", ModelCatalog.FileTypeName(15));
        Assert.Equal("Q8_0", ModelCatalog.FileTypeName(7));
        Assert.Null(ModelCatalog.FileTypeName(4));
    }
}
