namespace VisualNarrator.Evaluation.Sets;

/// <summary>One item of an evaluation set.</summary>
/// <param name="Line">1-based line in its file.</param>
/// <param name="Id">Unique id.</param>
/// <param name="SceneType">Group for the per-scene-type report ("unspecified" when the line has none).</param>
/// <param name="Scene">The scene (given, or the prompt without its template).</param>
/// <param name="Prompt">The full prompt (given, or the scene in the "Describe this image" template).</param>
/// <param name="Texts">Reference descriptions ("references", or "description" as the only one); may be empty.</param>
/// <param name="Keywords">Relevance keywords of the line, if any.</param>
public sealed record EvalItem(int Line, string Id, string SceneType, string Scene, string Prompt, IReadOnlyList<string> Texts, IReadOnlyList<string> Keywords);
