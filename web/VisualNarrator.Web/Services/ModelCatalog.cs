using Microsoft.Extensions.Options;
using VisualNarrator.Gguf;

namespace VisualNarrator.Web.Services;

/// <summary>A model file in the models folder, described from its GGUF metadata.</summary>
/// <param name="Name">Path relative to the models folder, with '/' separators (the id the picker and the API use).</param>
/// <param name="FullPath">Absolute path.</param>
/// <param name="Architecture">general.architecture.</param>
/// <param name="Quantization">Weight type of the bulk of the parameters (e.g. F16, Q8_0, Q4_K), or "?".</param>
/// <param name="FileBytes">File size.</param>
/// <param name="ContextLength">{arch}.context_length, or 0 when absent.</param>
/// <param name="Problem">Why the file cannot be read as GGUF, or null.</param>
public sealed record ModelInfo(string Name, string FullPath, string Architecture, string Quantization, long FileBytes, int ContextLength, string? Problem = null)
{
    /// <summary>File size for people ("238.4 MB").</summary>
    public string Size => FileBytes switch
    {
        >= 1L << 30 => $"{FileBytes / (double)(1L << 30):F2} GB",
        >= 1L << 20 => $"{FileBytes / (double)(1L << 20):F1} MB",
        _ => $"{FileBytes / 1024.0:F1} KB",
    };
}

/// <summary>The .gguf files of the configured models folder. Every path a user or API client names is resolved
/// against that folder; anything outside it is refused.</summary>
public sealed class ModelCatalog
{
    /// <summary>Reads the models folder from the options, relative to the content root.</summary>
    public ModelCatalog(IOptions<NarratorOptions> options, IHostEnvironment environment)
    {
        Folder = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.ModelsFolder));
    }

    /// <summary>Absolute path of the models folder.</summary>
    public string Folder { get; }

    /// <summary>Lists the .gguf files (subfolders included), sorted by name; an absent folder lists nothing.</summary>
    public IReadOnlyList<ModelInfo> List()
    {
        if (!Directory.Exists(Folder)) return [];
        return Directory.EnumerateFiles(Folder, "*.gguf", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 })
            .Where(f => IsInside(Path.GetFullPath(f)))
            .Select(Describe)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Resolves a model name (relative to the folder) to its file.</summary>
    /// <exception cref="ModelPathException">The name points outside the folder, is not a .gguf file, or does not exist.</exception>
    public ModelInfo Resolve(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ModelPathException("no model named");
        string full;
        try { full = Path.GetFullPath(Path.Combine(Folder, name)); }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ModelPathException($"'{name}' is not a valid model name");
        }
        if (!IsInside(full))
            throw new ModelPathException($"'{name}' is outside the models folder; only files inside {Folder} can be loaded");
        if (!full.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            throw new ModelPathException($"'{name}' is not a .gguf file");
        if (!File.Exists(full))
            throw new ModelPathException($"model '{name}' was not found in {Folder}");
        // A symbolic link could point elsewhere: resolve it and check again.
        var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        if (target is not null && !IsInside(Path.GetFullPath(target)))
            throw new ModelPathException($"'{name}' links outside the models folder; only files inside {Folder} can be loaded");
        return Describe(full);
    }

    /// <summary>The name (relative path) of a file inside the folder.</summary>
    public string NameOf(string fullPath) => Path.GetRelativePath(Folder, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    private bool IsInside(string full) =>
        full.StartsWith(Folder.EndsWith(Path.DirectorySeparatorChar) ? Folder : Folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private ModelInfo Describe(string full)
    {
        var name = NameOf(full);
        var bytes = new FileInfo(full).Length;
        try
        {
            var file = GgufFile.Open(full);
            var arch = file.TryGet(GgufKeys.Architecture, out _) ? file.GetString(GgufKeys.Architecture) : "?";
            var context = (int)(file.GetIntegerOrNull($"{arch}.context_length") ?? 0);
            return new ModelInfo(name, full, arch, DominantType(file), bytes, context);
        }
        catch (Exception ex) when (ex is GgufFormatException or IOException or InvalidOperationException or InvalidCastException)
        {
            return new ModelInfo(name, full, "?", "?", bytes, 0, ex.Message);
        }
    }

    /// <summary>The tensor type holding most of the bytes of 2-D weights (what "the quantization" means to people).</summary>
    private static string DominantType(GgufFile file)
    {
        var best = file.Tensors.Where(t => t.Shape.Length >= 2)
            .GroupBy(t => t.Type)
            .Select(g => (Type: g.Key, Elements: g.Sum(t => t.ElementCount)))
            .OrderByDescending(g => g.Elements)
            .FirstOrDefault();
        return best.Elements == 0 ? "?" : GgmlTypeInfo.Name(best.Type).ToUpperInvariant();
    }
}

/// <summary>A model name that does not resolve to a .gguf file inside the models folder.</summary>
public sealed class ModelPathException(string message) : Exception(message);
