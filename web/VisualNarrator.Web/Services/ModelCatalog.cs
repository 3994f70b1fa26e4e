using Microsoft.Extensions.Options;
using VisualNarrator.Gguf;

namespace VisualNarrator.Web.Services;

/// <summary>A model file in the models folder, described from its GGUF metadata.</summary>
/// <param name="Name">Path relative to the models folder, with '/' separators (the id the picker and the API use).</param>
/// <param name="FullPath">Real absolute path (links resolved): for the server's use, never sent to clients.</param>
/// <param name="Architecture">general.architecture.</param>
/// <param name="Quantization">The file's quantization as llama.cpp names it, from <c>general.file_type</c> (Q4_K_M, Q8_0,
/// F16, ...); without that key, the weight type of the bulk of the 2-D weights (e.g. Q4_K), or "?".</param>
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
/// against that folder and confined to it by its real path (symbolic links followed, folder links included); anything
/// that resolves outside it is neither listed nor loaded. Messages name models relative to the folder, never by
/// absolute path.</summary>
public sealed class ModelCatalog
{
    /// <summary>Smallest possible GGUF file (magic, version, tensor and key counts). Also what keeps FIFOs and devices,
    /// whose size reads 0, from being opened (opening a FIFO blocks).</summary>
    private const int MinimumFileBytes = 24;

    /// <summary>Reads the models folder from the options, relative to the content root.</summary>
    public ModelCatalog(IOptions<NarratorOptions> options, IHostEnvironment environment)
    {
        Folder = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.ModelsFolder));
    }

    /// <summary>Absolute path of the models folder (for the server's own use and log; never sent to clients).</summary>
    public string Folder { get; }

    /// <summary>The folder's own name, e.g. <c>models</c>: how the app shows it.</summary>
    public string DisplayName => Path.GetFileName(Path.TrimEndingDirectorySeparator(Folder)) is { Length: > 0 } name ? name : "models";

    /// <summary>Lists the .gguf files (subfolders included) that can be loaded: regular files whose real path is inside
    /// the folder, sorted by name; an absent folder lists nothing. Files that are not valid GGUF are listed with their
    /// <see cref="ModelInfo.Problem"/>.</summary>
    public IReadOnlyList<ModelInfo> List()
    {
        if (!Directory.Exists(Folder)) return [];
        var realFolder = RealPath.Of(Folder);
        return Directory.EnumerateFiles(Folder, "*.gguf", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true })
            .Select(f => (Name: NameOf(f), Real: Confine(f, realFolder)))
            .Where(f => f.Real is not null && IsLoadableFile(f.Real))
            .Select(f => Describe(f.Name, f.Real!))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Resolves a model name (relative to the folder) to its file.</summary>
    /// <exception cref="ModelPathException">The name points outside the folder (directly or through a link), is not a
    /// .gguf file, or does not exist.</exception>
    public ModelInfo Resolve(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ModelPathException("no model named");
        var shown = name.Length <= 200 ? name : name[..200] + "…";
        if (name.Length > 4096 || name.Contains('\0')) throw new ModelPathException($"'{shown}' is not a valid model name");
        string full;
        try { full = Path.GetFullPath(Path.Combine(Folder, name)); }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ModelPathException($"'{shown}' is not a valid model name");
        }
        if (!IsInside(full, Folder))
            throw new ModelPathException($"'{shown}' is outside the models folder; only files inside it can be loaded");
        if (!full.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            throw new ModelPathException($"'{shown}' is not a .gguf file");
        if (!File.Exists(full))
            throw new ModelPathException($"model '{shown}' was not found in the models folder");
        // A link anywhere on the way (the file or a folder) could point elsewhere: compare real paths.
        string real;
        try { real = RealPath.Of(full); }
        catch (IOException) { throw new ModelPathException($"'{shown}' cannot be resolved: too many symbolic links (a loop?)"); }
        if (!IsInside(real, RealPath.Of(Folder)))
            throw new ModelPathException($"'{shown}' links outside the models folder; only files inside it can be loaded");
        if (!IsLoadableFile(real))
            throw new ModelPathException($"'{shown}' is empty or not a regular file");
        return Describe(NameOf(full), real);
    }

    /// <summary>The name (relative path) of a file inside the folder.</summary>
    public string NameOf(string fullPath) => Path.GetRelativePath(Folder, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Text fit for clients: paths inside the models folder become relative names and the folder itself
    /// "the models folder".</summary>
    public string Redact(string text)
    {
        foreach (var folder in new[] { Folder, SafeRealFolder() }.Distinct())
        {
            var trimmed = Path.TrimEndingDirectorySeparator(folder);
            if (trimmed.Length <= 1) continue;
            text = text.Replace(trimmed + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)
                .Replace(trimmed, "the models folder", StringComparison.Ordinal);
        }
        return text;
    }

    private string SafeRealFolder()
    {
        try { return RealPath.Of(Folder); }
        catch (IOException) { return Folder; }
    }

    /// <summary>The real path of <paramref name="path"/> when it lies inside <paramref name="realFolder"/>, else null.</summary>
    private static string? Confine(string path, string realFolder)
    {
        string real;
        try { real = RealPath.Of(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
        return IsInside(real, realFolder) ? real : null;
    }

    private static bool IsLoadableFile(string real)
    {
        try
        {
            var info = new FileInfo(real);
            return info.Exists && info.Length >= MinimumFileBytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
    }

    private static bool IsInside(string full, string folder) =>
        full.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private ModelInfo Describe(string name, string full)
    {
        var bytes = new FileInfo(full).Length;
        try
        {
            var file = GgufFile.Open(full);
            var arch = file.TryGet(GgufKeys.Architecture, out _) ? file.GetString(GgufKeys.Architecture) : "?";
            var context = (int)(file.GetIntegerOrNull($"{arch}.context_length") ?? 0);
            var fileType = file.GetIntegerOrNull(GgufKeys.FileType);
            var quantization = fileType is long ft && FileTypeName(ft) is { } named ? named : DominantType(file);
            return new ModelInfo(name, full, arch, quantization, bytes, context);
        }
        catch (Exception ex) when (ex is GgufFormatException or IOException or InvalidOperationException or InvalidCastException)
        {
            return new ModelInfo(name, full, "?", "?", bytes, 0, Redact(ex.Message));
        }
    }

    /// <summary>llama.cpp's name for a <c>general.file_type</c> value (<c>enum llama_ftype</c>), or null when unknown.
    /// The tensor types alone cannot tell Q4_K_M from Q4_K_S (both mix Q4_K and Q6_K), and a small model's embedding,
    /// kept at higher precision, can hold most of its weights.</summary>
    public static string? FileTypeName(long fileType) => fileType switch
    {
        0 => "F32", 1 => "F16", 2 => "Q4_0", 3 => "Q4_1", 7 => "Q8_0", 8 => "Q5_0", 9 => "Q5_1",
        10 => "Q2_K", 11 => "Q3_K_S", 12 => "Q3_K_M", 13 => "Q3_K_L", 14 => "Q4_K_S", 15 => "Q4_K_M", 16 => "Q5_K_S",
        17 => "Q5_K_M", 18 => "Q6_K", 19 => "IQ2_XXS", 20 => "IQ2_XS", 21 => "Q2_K_S", 22 => "IQ3_XS", 23 => "IQ3_XXS",
        24 => "IQ1_S", 25 => "IQ4_NL", 26 => "IQ3_S", 27 => "IQ3_M", 28 => "IQ2_S", 29 => "IQ2_M", 30 => "IQ4_XS",
        31 => "IQ1_M", 32 => "BF16", 36 => "TQ1_0", 37 => "TQ2_0", 38 => "MXFP4_MOE",
        _ => null,
    };

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
