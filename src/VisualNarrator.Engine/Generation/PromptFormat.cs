using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Engine.Generation;

/// <summary>
/// How a model expects its prompts: named templates with a <c>{scene}</c> placeholder and the default one. A GGUF
/// carries its own in <c>visual_narrator.prompt_template</c> (the default) and
/// <c>visual_narrator.prompt_template.NAME</c> (alternatives), as llama.cpp files carry <c>tokenizer.chat_template</c>
/// and <c>tokenizer.chat_template.NAME</c>; a file without them gets the seed's four templates.
/// </summary>
/// <param name="Templates">Template text by name, the default first.</param>
/// <param name="DefaultName">Name of the template used when none is asked for.</param>
/// <param name="FromModel">Whether the templates came from the model file rather than the seed's fallback.</param>
public sealed record PromptFormat(IReadOnlyDictionary<string, string> Templates, string DefaultName, bool FromModel)
{
    /// <summary>The placeholder a template must contain exactly once.</summary>
    public const string Placeholder = "{scene}";

    /// <summary>The seed's templates (<see cref="PromptTemplates.ByName"/>), "describe" first: the fallback.</summary>
    public static PromptFormat Seed { get; } = new(PromptTemplates.ByName, "describe", false);

    /// <summary>The default template's text.</summary>
    public string Default => Templates[DefaultName];

    /// <summary>The template called <paramref name="name"/>, or the default when <paramref name="name"/> is null.</summary>
    /// <param name="name">A template name, or null for the default.</param>
    /// <param name="option">How the caller's surface spells the setting in the error (the API's <c>'template'</c>, the
    /// CLI's <c>--template</c>).</param>
    /// <exception cref="NarrationRejectedException">No template has that name; the message lists the model's.</exception>
    public string Template(string? name, string option = "'template'") =>
        name is null ? Default
        : Templates.TryGetValue(name, out var t) ? t
        : throw new NarrationRejectedException(NarrationRejectedException.TemplateField,
            $"{option} must be one of {string.Join(", ", Templates.Keys)}, got '{name}'");

    /// <summary>Turns user input into a prompt with the template called <paramref name="name"/> (default: the model's);
    /// input that already starts like one of this model's templates is kept as is (see <see cref="PromptTemplates.ToPrompt"/>).</summary>
    public string ToPrompt(string sceneOrPrompt, string? name = null) => PromptTemplates.ToPrompt(sceneOrPrompt, Template(name), Templates.Values);

    /// <summary>As <see cref="ToPrompt"/>, "" while there is no scene yet.</summary>
    public string ToPromptOrEmpty(string? sceneOrPrompt, string? name = null) =>
        PromptTemplates.ToPromptOrEmpty(sceneOrPrompt, Templates.TryGetValue(name ?? DefaultName, out var t) ? t : Default, Templates.Values);

    /// <summary>The templates stored in <paramref name="file"/>, or <see cref="Seed"/> when it has none.</summary>
    /// <exception cref="ModelLoadException">A stored template is not a string or lacks the <c>{scene}</c> placeholder.</exception>
    public static PromptFormat Read(GgufFile file, string path)
    {
        if (!file.Metadata.ContainsKey(GgufKeys.PromptTemplate)) return Seed;
        string Text(string key)
        {
            string text;
            try { text = file.GetString(key); }
            catch (GgufFormatException ex) { throw new ModelLoadException(path, ex.Problem); }
            if (!IsValidTemplate(text))
                throw new ModelLoadException(path, $"'{key}' must be a template of at most 1000 characters with {Placeholder} exactly once, got '{TextFor(text)}'");
            return text;
        }
        var defaultText = Text(GgufKeys.PromptTemplate);
        var named = file.Metadata.Keys
            .Where(k => k.StartsWith(GgufKeys.PromptTemplate + ".", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(k => (Name: k[(GgufKeys.PromptTemplate.Length + 1)..], Text: Text(k)))
            .ToList();
        var defaultName = named.FirstOrDefault(n => n.Text == defaultText).Name ?? "default";
        var templates = new Dictionary<string, string> { [defaultName] = defaultText };
        foreach (var (name, text) in named) templates.TryAdd(name, text);
        return new PromptFormat(templates, defaultName, true);
    }

    /// <summary>Whether <paramref name="text"/> can be a template: at most <see cref="MaxTemplateLength"/> characters with
    /// <see cref="Placeholder"/> exactly once.</summary>
    public static bool IsValidTemplate(string text)
    {
        var first = text.IndexOf(Placeholder, StringComparison.Ordinal);
        return first >= 0 && text.IndexOf(Placeholder, first + 1, StringComparison.Ordinal) < 0 && text.Length <= MaxTemplateLength;
    }

    /// <summary>The longest template accepted, in characters.</summary>
    public const int MaxTemplateLength = 1000;

    private static string TextFor(string text) => text.Length > 60 ? text[..60] + "…" : text;
}
