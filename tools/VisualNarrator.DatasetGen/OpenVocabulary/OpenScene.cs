namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>Time of day or weather a scene may state; <see cref="Unstated"/> lets the narration pick one.</summary>
internal enum SceneTime { Unstated, Dawn, Morning, Noon, Afternoon, Sunset, Dusk, Night, Rain, Snow, Fog, Overcast }

/// <summary>One clause of a scene: "an old fisherman mending a net on a wooden pier".</summary>
/// <param name="Subject">Who or what the clause is about.</param>
/// <param name="SubjectAdjective">Its adjective, or null.</param>
/// <param name="Verb">The action (-ing form), or null for a still subject.</param>
/// <param name="Object">The action's object or the thing beside the subject, or null.</param>
/// <param name="ObjectAdjective">The object's adjective, or null.</param>
/// <param name="Relation">Preposition before <see cref="Place"/> ("in", "beside"), or before the object when there is
/// no verb ("on" a table).</param>
/// <param name="Place">Where, or null.</param>
/// <param name="PlaceAdjective">The place's adjective, or null.</param>
internal sealed record Clause(Noun Subject, string? SubjectAdjective, Verb? Verb, Noun? Object, string? ObjectAdjective,
    string? Relation, Noun? Place, string? PlaceAdjective)
{
    /// <summary>The subject phrase with its article ("an old fisherman").</summary>
    public string SubjectPhrase => OpenText.WithArticle(SubjectAdjective is null ? Subject.Text : $"{SubjectAdjective} {Subject.Text}");

    /// <summary>The object phrase with its article, or null.</summary>
    public string? ObjectPhrase => Object is null ? null
        : Object.Category == NounCategory.Sport ? Object.Text // "playing chess": a game takes no article
        : OpenText.WithArticle(ObjectAdjective is null ? Object.Text : $"{ObjectAdjective} {Object.Text}");

    /// <summary>The place phrase with its article, or null.</summary>
    public string? PlacePhrase => Place is null ? null : OpenText.WithArticle(PlaceAdjective is null ? Place.Text : $"{PlaceAdjective} {Place.Text}");

    /// <summary>The clause as a scene writes it.</summary>
    public string Text
    {
        get
        {
            var parts = new List<string> { SubjectPhrase };
            if (Verb is not null) parts.Add(Verb.Ing);
            if (Verb is not null && Object is not null) parts.Add(Verb.Transitive ? ObjectPhrase! : $"with {ObjectPhrase}");
            if (Verb is null && Object is not null) parts.Add($"{Relation ?? "with"} {ObjectPhrase}");
            if (Place is not null) parts.Add($"{(Verb is null && Object is not null ? "in" : Relation ?? "in")} {PlacePhrase}");
            return string.Join(' ', parts);
        }
    }

    /// <summary>Every noun and verb lemma the clause uses.</summary>
    public IEnumerable<string> Lemmas()
    {
        yield return Subject.Text;
        if (Verb is not null) yield return Verb.Lemma;
        if (Object is not null) yield return Object.Text;
        if (Place is not null) yield return Place.Text;
    }
}

/// <summary>A generated scene.</summary>
/// <param name="Type">Scene type (one of the fixed dataset's eight).</param>
/// <param name="Clauses">Its clauses; long scenes have three or more.</param>
/// <param name="Time">Stated time or weather.</param>
/// <param name="Indoor">Whether it takes place in a room.</param>
/// <param name="Text">The scene as a user would type it.</param>
internal sealed record OpenScene(string Type, IReadOnlyList<Clause> Clauses, SceneTime Time, bool Indoor, string Text)
{
    /// <summary>Three or more clauses: a long scene.</summary>
    public bool IsLong => Clauses.Count >= 3;

    /// <summary>The scene's time phrase ("at night"), or null.</summary>
    public string? TimePhrase => OpenGrammar.TimePhrase(Time);
}
