using VisualNarrator.Evaluation;

namespace VisualNarrator.DatasetGen.Grammar;

/// <summary>An object placed in the picture: its noun phrase, a verb phrase that agrees with it, and its number.</summary>
internal sealed record PropPick(string Np, string Verb, bool Plural);

/// <summary>The facts of one imagined picture: the scene's parts, its light, the objects in it and the moods it
/// allows. Train descriptions draw fresh facts each time; the references of one test scene share one set. A bare-subject
/// scene ("a busy city street", "an old fox at dawn") has no feature.</summary>
internal sealed record Facts(SceneType Type, Subject Subject, Feature? Feature, Context Context, Light Light,
    IReadOnlyList<PropPick> Props, IReadOnlyList<string> Anchors, IReadOnlyList<string> Moods)
{
    public bool Indoor => Context.Indoor;

    /// <summary>The feature's key, or "(bare)" for a bare-subject scene; for error messages.</summary>
    public string FeatureKey => Feature?.Key ?? "(bare)";
}

/// <summary>Writes descriptions from <see cref="Facts"/> in a <see cref="Voice"/>, and rejects any draft that breaks
/// the dataset's rules (length, adjectives, a spatial relation, no word that contradicts the light or time).</summary>
internal static class Narrator
{
    public const int MinWords = 28;
    public const int MaxWords = 60;
    public const int MinAdjectives = 3;
    public const int TargetMin = 32;
    public const int TargetMax = 54;

    public const string Colours = "{red|blue|green|yellow|white|black|orange|gray|silver|brown|navy|teal|crimson|cream|purple|pale blue|dark green|bright red}";
    public const string ClothColours = "{red|blue|yellow|green|white|navy|gray|black|pink|orange|purple|brown|beige|striped|checkered|plaid|maroon|teal|cream}";

    /// <summary>Phrases that count as a spatial relation.</summary>
    public static readonly string[] SpatialPhrases =
    [
        "to the left of", "to the right of", "behind", "in front of", "next to", "beside", "near ", "just beyond",
        "across from", "not far from", "a few steps from", "in the foreground", "in the background", "on the left",
        "on the right", "at the centre of", "in the middle distance", "further back", "closer to the camera",
        "along the left edge", "nearby", "close by", "not far away", "above", "below", "beneath", "around",
    ];

    public static Facts DrawFacts(Rng rng, SceneType type, Subject subject, Feature? feature, Context? context)
    {
        context ??= rng.Pick(type.Contexts.Where(c => type.ContextFits(c, subject, feature)).ToList());
        var lights = type.Lights(subject, feature, context).ToList();
        var light = rng.Pick(lights);
        bool indoor = context.Indoor, plural = subject.Plural;
        var expander = new Expander(rng, BaseVars(type, subject, light, indoor), plural);

        var propPool = Cond.Filter(type.Props.Concat(subject.Props).Concat(feature?.Props ?? []).Concat(context.Props), light, indoor, plural);
        rng.Shuffle(propPool);
        var props = new List<PropPick>();
        foreach (var entry in propPool)
        {
            var sep = entry.IndexOf(" | ", StringComparison.Ordinal);
            if (sep < 0) throw new FormatException($"prop '{entry}' needs 'noun phrase | verb'");
            var np = expander.Expand(entry[..sep].Trim());
            var verb = expander.Expand(entry[(sep + 3)..].Trim());
            if (props.Any(p => SharesHead(p.Np, np))) continue;
            props.Add(new PropPick(np, verb, IsPlural(np, verb)));
            if (props.Count == 4) break;
        }
        var anchorPool = Cond.Filter(type.Anchors.Concat(subject.Anchors).Concat(feature?.Anchors ?? []).Concat(context.Anchors), light, indoor, plural);
        rng.Shuffle(anchorPool);
        var anchors = new List<string>();
        foreach (var entry in anchorPool)
        {
            var a = expander.Expand(entry);
            if (props.Any(p => SharesHead(p.Np + " " + p.Verb, a)) || anchors.Any(x => SharesHead(x, a))) continue;
            anchors.Add(a);
            if (anchors.Count == 3) break;
        }
        // Moods come from the subject and the context only: a feature's mood can contradict its subject's
        // ("busy" tram line on a "calm" promenade).
        var moods = Cond.Filter(subject.Moods.Concat(context.Moods), light, indoor, plural).Distinct().ToList();
        rng.Shuffle(moods);
        if (props.Count == 0 || anchors.Count == 0 || moods.Count < 2)
            throw new InvalidOperationException($"{type.Name}: '{subject.Key}' + '{feature?.Key ?? "(bare)"}' + '{context.Key}' in {light} has {props.Count} props, {anchors.Count} anchors, {moods.Count} moods");
        return new Facts(type, subject, feature, context, light, props, anchors, moods);
    }

    /// <summary>The head word of a phrase is taken to be its last word; two phrases clash when one's head occurs in the other.</summary>
    private static bool SharesHead(string a, string b)
    {
        static string Head(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].TrimEnd('s');
        static bool Has(string s, string head) => s.Split(' ').Any(w => w.TrimEnd('s') == head);
        return Has(b, Head(a)) || Has(a, Head(b));
    }

    private static bool IsPlural(string np, string verb)
    {
        var lower = np.ToLowerInvariant();
        if (lower.StartsWith("a few ", StringComparison.Ordinal) || lower.StartsWith("a couple of ", StringComparison.Ordinal)) return true;
        var first = lower.Split(' ')[0];
        if (first is "a" or "an" or "one" or "the" or "each") return false;
        var v = verb.Split(' ')[0];
        return !(v is "is" or "has" or "was") && !(v.EndsWith('s') && !v.EndsWith("ss", StringComparison.Ordinal));
    }

    private static Dictionary<string, string> BaseVars(SceneType type, Subject subject, Light light, bool indoor) => new(StringComparer.Ordinal)
    {
        ["c"] = Colours,
        ["cloth"] = ClothColours,
        ["the"] = "{" + string.Join("|", subject.Def) + "}",
        ["pron"] = subject.Pron,
        ["poss"] = subject.Poss,
        ["obj"] = subject.Obj,
        ["sky"] = Lighting.Sky(light),
        ["tone"] = Lighting.Tone(light, indoor),
        ["rel"] = Voice.Relations,
        ["pos"] = Voice.Positions,
    };

    /// <summary>Writes one description; throws when no draft passes the rules (a grammar bug).</summary>
    public static string Describe(Rng rng, Facts facts, Voice voice)
    {
        var forbidden = Lighting.Forbidden(facts.Light, facts.Context.Time);
        string? last = null;
        var problems = new Dictionary<string, int>();
        for (int attempt = 0; attempt < 400; attempt++)
        {
            var text = Draft(rng, facts, voice);
            last = text;
            var problem = Problem(text, forbidden);
            if (problem is null) return text;
            problem = problem.EndsWith(" words", StringComparison.Ordinal) ? "length" : problem;
            problems[problem] = problems.GetValueOrDefault(problem) + 1;
        }
        throw new InvalidOperationException($"no acceptable description for {facts.Type.Name} '{facts.Subject.Key}' + '{facts.FeatureKey}' + '{facts.Context.Key}' ({facts.Light}, {voice.Name}); problems: {string.Join(", ", problems.Select(p => $"{p.Key} x{p.Value}"))}; last draft: {last}");
    }

    /// <summary>Why a description breaks the rules, or null.</summary>
    public static string? Problem(string text, ISet<string> forbidden)
    {
        var tokens = PtbTokenizer.Tokenize(text);
        if (tokens.Length < MinWords || tokens.Length > MaxWords) return $"{tokens.Length} words";
        if (tokens.Count(AdjectiveLexicon.Default.Contains) < MinAdjectives) return "too few adjectives";
        if (tokens.FirstOrDefault(forbidden.Contains) is { } bad) return $"contradicting word '{bad}'";
        var lower = text.ToLowerInvariant();
        if (!SpatialPhrases.Any(lower.Contains)) return "no spatial relation";
        for (int i = 1; i < text.Length; i++)
            if (char.IsUpper(text[i]) && !(i >= 2 && text[i - 1] == ' ' && text[i - 2] is '.' or ':'))
                return "capital letter inside a sentence";
        var sentences = text.Split(". ", StringSplitOptions.RemoveEmptyEntries);
        if (sentences.Length < 2) return "one sentence";
        if (sentences.Distinct().Count() != sentences.Length) return "repeated sentence";
        return null;
    }

    private static string Draft(Rng rng, Facts f, Voice voice)
    {
        var s = f.Subject;
        var vars = BaseVars(f.Type, s, f.Light, f.Indoor);
        var ex = new Expander(rng, vars, s.Plural);
        List<string> Pool(IEnumerable<string> entries) => Cond.Filter(entries, f.Light, f.Indoor, s.Plural);

        bool bare = f.Feature is null;
        var featureClauses = Pool(f.Feature?.Clauses ?? []);
        var subjectClauses = Pool(s.Clauses);
        var contextClauses = Pool(f.Context.Clauses);
        var lightClauses = Pool(f.Context.LightClauses ?? (f.Indoor ? Lighting.Indoor(f.Light) : Lighting.Outdoor(f.Light)).Concat(f.Type.LightClauses));
        var verbs = Pool(s.Verbs);
        rng.Shuffle(featureClauses);
        rng.Shuffle(subjectClauses);
        rng.Shuffle(contextClauses);
        rng.Shuffle(lightClauses);

        vars["S"] = ex.Expand(rng.Pick(Pool(s.Nps)));
        if (f.Feature is { } feature)
        {
            vars["With"] = ex.Expand(rng.Pick(Pool(feature.With)));
            vars["Fin"] = ex.Expand(rng.Pick(Pool(feature.Finite)));
        }
        else
        {
            // A bare subject has no post-modifier; its finite predicate is one of the subject's own verbs.
            vars["With"] = "";
            vars["Fin"] = verbs.Count > 0 ? ex.Expand(rng.Pick(verbs)) : "";
        }
        vars["Adv"] = ex.Expand(rng.Pick(Pool(f.Context.Adv)));
        vars["Verb"] = verbs.Count > 0 ? ex.Expand(rng.Pick(verbs)) : "";
        vars["m1"] = f.Moods[0];
        vars["m2"] = f.Moods[1];
        vars["m3"] = f.Moods.Count > 2 ? f.Moods[2] : f.Moods[0];

        var openings = voice.Openings.Where(o => !(o.Contains("{$Verb}") && verbs.Count == 0) && !(o.Contains("{$FC}") && featureClauses.Count == 0)
            && !(bare && o.Contains("{$Fin}") && verbs.Count == 0)).ToList();
        var opening = rng.Pick(openings);
        if (bare) opening = opening.Replace(" {$With}", "", StringComparison.Ordinal);
        int fi = 0, si = 0, ci = 0, li = 0;
        if (opening.Contains("{$FC}")) vars["FC"] = ex.Expand(featureClauses[fi++]);

        var sentences = new List<(string Text, char Slot)>();
        foreach (var part in opening.Split(". ", StringSplitOptions.RemoveEmptyEntries))
            sentences.Add((Expander.Sentence(ex.Expand(part)), 'O'));

        var props = f.Props.ToList();
        rng.Shuffle(props);
        var anchors = f.Anchors.ToList();
        rng.Shuffle(anchors);
        int pi = 0, ai = 0;
        var usedFrames = new HashSet<string>(StringComparer.Ordinal);
        var lightPool = lightClauses.Concat(voice.LightFrames).ToList();
        foreach (char slot in rng.Pick(voice.Plans))
        {
            string? template = slot switch
            {
                'F' => fi < featureClauses.Count ? featureClauses[fi++] : null,
                'S' => si < subjectClauses.Count ? subjectClauses[si++] : null,
                'C' => ci < contextClauses.Count ? contextClauses[ci++] : null,
                'L' => li < lightPool.Count ? lightPool[li++] : null,
                'M' => rng.Pick(voice.MoodFrames),
                'P' => PropSentence(rng, voice, props, anchors, ref pi, ref ai, vars, usedFrames),
                _ => throw new InvalidOperationException($"unknown plan slot '{slot}'"),
            };
            if (template is null) continue;
            sentences.Add((Expander.Sentence(ex.Expand(template)), slot));
        }
        // Each description gets a length budget between TargetMin and TargetMax words; body sentences are dropped
        // at random (never the opening or the last object sentence) until it fits.
        int budget = TargetMin + rng.Next(TargetMax - TargetMin + 1);
        int words = sentences.Sum(x => PtbTokenizer.Tokenize(x.Text).Length);
        while (words > budget)
        {
            var droppable = Enumerable.Range(0, sentences.Count)
                .Where(i => sentences[i].Slot != 'O' && (sentences[i].Slot != 'P' || sentences.Count(x => x.Slot == 'P') > 1)).ToList();
            if (droppable.Count == 0 || sentences.Count <= 3) break;
            int drop = rng.Pick(droppable);
            words -= PtbTokenizer.Tokenize(sentences[drop].Text).Length;
            sentences.RemoveAt(drop);
        }
        return string.Join(" ", sentences.Select(x => x.Text));
    }

    private static string? PropSentence(Rng rng, Voice voice, List<PropPick> props, List<string> anchors, ref int pi, ref int ai,
        Dictionary<string, string> vars, HashSet<string> usedFrames)
    {
        int leftProps = props.Count - pi;
        if (leftProps < 1) return null;
        // A frame is used at most once per description (two "Closer to the camera, ..." sentences read badly).
        var frames = voice.PropFrames.Where(t => (leftProps >= 2 || !t.Contains("{$P2")) && !usedFrames.Contains(t)).ToList();
        if (frames.Count == 0) return null;
        var frame = rng.Pick(frames);
        usedFrames.Add(frame);
        var p1 = props[pi++];
        vars["P1"] = p1.Np;
        vars["P1v"] = p1.Verb;
        vars["P1be"] = p1.Plural ? "are" : "is";
        if (frame.Contains("{$P2"))
        {
            // Optional {$P2} parts may be skipped by the expansion; the prop is consumed either way.
            var p2 = props[pi++];
            vars["P2"] = p2.Np;
            vars["P2v"] = p2.Verb;
            vars["P2be"] = p2.Plural ? "are" : "is";
        }
        vars["A1"] = anchors[ai++ % anchors.Count];
        return frame;
    }
}
