using VisualNarrator.Web.Services;

namespace VisualNarrator.Web;

/// <summary>
/// The app's own command-line switches. The configuration system's command-line provider reads them (as switch
/// mappings onto <c>Narrator:*</c> keys) and the options binder fills <see cref="NarratorOptions"/>; what is left is
/// the one rule that is more than a mapping, applied after binding: a <c>--model</c> path with a folder makes that
/// folder the models folder, unless <c>--models-folder</c> is given too.
/// </summary>
public static class NarratorSwitches
{
    /// <summary>Switch to configuration key, for <c>AddCommandLine</c>.</summary>
    public static IDictionary<string, string> Mappings => new Dictionary<string, string>
    {
        ["--model"] = $"{NarratorOptions.Section}:{nameof(NarratorOptions.Model)}",
        ["--models-folder"] = ModelsFolderKey,
        ["--api-key"] = $"{NarratorOptions.Section}:{nameof(NarratorOptions.ApiKey)}",
        ["--api-key-file"] = $"{NarratorOptions.Section}:{nameof(NarratorOptions.ApiKeyFile)}",
    };

    private const string ModelsFolderKey = $"{NarratorOptions.Section}:{nameof(NarratorOptions.ModelsFolder)}";

    /// <summary>Adds the switches to <paramref name="configuration"/> (above the sources added before) and returns the
    /// step that completes the bound options.</summary>
    public static Action<NarratorOptions> AddTo(IConfigurationBuilder configuration, string[] args)
    {
        var switches = new ConfigurationBuilder().AddCommandLine(args, Mappings).Build();
        configuration.AddConfiguration(switches);
        var folderGiven = switches[ModelsFolderKey] is not null;
        return options => Complete(options, folderGiven);
    }

    /// <summary>Turns <see cref="NarratorOptions.Model"/> into <see cref="NarratorOptions.DefaultModel"/> (and the models
    /// folder, for a path with a folder when <paramref name="modelsFolderGiven"/> is false), and makes the key file's
    /// path absolute. Relative paths are taken from the current folder, as a shell user means them.</summary>
    public static void Complete(NarratorOptions options, bool modelsFolderGiven)
    {
        if (!string.IsNullOrEmpty(options.ApiKeyFile)) options.ApiKeyFile = Path.GetFullPath(options.ApiKeyFile);
        if (options.Model is not { Length: > 0 } model) return;
        if (!modelsFolderGiven && (Path.IsPathRooted(model) || model.Contains('/') || model.Contains(Path.DirectorySeparatorChar)))
        {
            var full = Path.GetFullPath(model);
            options.ModelsFolder = Path.GetDirectoryName(full)!;
            options.DefaultModel = Path.GetFileName(full);
        }
        else options.DefaultModel = model;
    }
}
