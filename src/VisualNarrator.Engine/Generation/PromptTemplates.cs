using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Engine.Generation;

/// <summary>The seed model's prompt templates; <c>{scene}</c> is replaced by the scene text.</summary>
public static class PromptTemplates
{
    /// <summary>"Describe this image: {scene}" (the default).</summary>
    public const string Describe = "Describe this image: {scene}";
    /// <summary>"What do you see in this picture: {scene}".</summary>
    public const string WhatDoYouSee = "What do you see in this picture: {scene}";
    /// <summary>"Generate a caption: {scene}".</summary>
    public const string Caption = "Generate a caption: {scene}";
    /// <summary>"This image shows {scene}".</summary>
    public const string ImageShows = "This image shows {scene}";

    /// <summary>All templates by short name, as the CLI and the web app offer them.</summary>
    public static IReadOnlyDictionary<string, string> ByName { get; } = new Dictionary<string, string>
    {
        ["describe"] = Describe,
        ["what-do-you-see"] = WhatDoYouSee,
        ["caption"] = Caption,
        ["image-shows"] = ImageShows,
    };

    /// <summary>Fills a template with a scene.</summary>
    public static string Apply(string template, string scene) => template.Replace("{scene}", scene.Trim(), StringComparison.Ordinal);

    /// <summary>Turns user input into a prompt: input that already starts like one of the templates is used as is,
    /// anything else is treated as a scene and put into <paramref name="template"/>. <paramref name="known"/> are the
    /// templates whose openings count as a prompt already (default: the seed's).</summary>
    /// <exception cref="NarrationRejectedException">No scene: the input is empty, white space, or a template's opening
    /// words alone (the model would narrate a scene of its own invention).</exception>
    public static string ToPrompt(string sceneOrPrompt, string template = Describe, IEnumerable<string>? known = null)
    {
        ArgumentNullException.ThrowIfNull(sceneOrPrompt);
        var text = sceneOrPrompt.Trim();
        foreach (var t in known ?? ByName.Values)
        {
            var prefix = t[..t.IndexOf("{scene}", StringComparison.Ordinal)].TrimEnd();
            if (prefix.Length == 0 || !text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            if (text[prefix.Length..].Trim().TrimStart(':').Trim().Length == 0) throw NoScene();
            return text;
        }
        if (text.Length == 0) throw NoScene();
        return Apply(template, text);
    }

    /// <summary>As <see cref="ToPrompt"/>, but answers "" instead of throwing when there is no scene yet (for counters
    /// and limits shown while the user types).</summary>
    public static string ToPromptOrEmpty(string? sceneOrPrompt, string template = Describe, IEnumerable<string>? known = null)
    {
        if (string.IsNullOrWhiteSpace(sceneOrPrompt)) return "";
        try { return ToPrompt(sceneOrPrompt, template, known); }
        catch (NarrationRejectedException) { return ""; }
    }

    private static NarrationRejectedException NoScene() =>
        new(NarrationRejectedException.SceneField, "the scene is empty; describe what the image shows (e.g. 'a red bicycle against a brick wall')");
}
