namespace VisualNarrator.DatasetGen.Grammar;

/// <summary>The light an image is taken in; it decides the light sentences, tone words and which props may appear.</summary>
internal enum Light { Dawn, Day, Golden, Dusk, Night, Overcast, Rain, Snow, Fog, Artificial }

/// <summary>Time named by a context; descriptions may only use that time's words (no "morning" at sunset).</summary>
internal enum TimeOfDay { Any, Dawn, Morning, Midday, Afternoon, Sunset, Dusk, Evening, Night }

/// <summary>What the image mainly shows: a place (a street, a lake), a being (a man, a fox) or a thing (a bowl of
/// ramen, a steam train). Lists hold templates (see <see cref="Expander"/>), each optionally prefixed by a
/// condition such as <c>[dark]</c> or <c>[!rain,!snow]</c> (see <see cref="Cond"/>).</summary>
internal sealed class Subject
{
    public required string Key { get; init; }
    /// <summary>Phrase used in the scene prompt ("a busy city street").</summary>
    public required string Scene { get; init; }
    /// <summary>Indefinite noun phrases for the opening sentence (paraphrases of <see cref="Scene"/>).</summary>
    public required string[] Nps { get; init; }
    /// <summary>Definite references ("the street").</summary>
    public required string[] Def { get; init; }
    public bool Plural { get; init; }
    public string Pron { get; init; } = "it";
    public string Poss { get; init; } = "its";
    public string Obj { get; init; } = "it";
    /// <summary>Predicates with no object ("stretches into the distance"); empty for beings.</summary>
    public string[] Verbs { get; init; } = [];
    public string[] Clauses { get; init; } = [];
    public string[] Props { get; init; } = [];
    public string[] Anchors { get; init; } = [];
    public string[] Moods { get; init; } = [];
    public string[] Tags { get; init; } = [];
    public Light[]? Lights { get; init; }
}

/// <summary>The detail the scene adds to its subject ("with skyscrapers", "reading a book").</summary>
internal sealed class Feature
{
    public required string Key { get; init; }
    public required string Scene { get; init; }
    /// <summary>Post-modifiers ("with tall glass skyscrapers", "reading a worn book").</summary>
    public required string[] With { get; init; }
    /// <summary>Finite predicates, agreeing with the subject through <c>{s:sg|pl}</c>.</summary>
    public required string[] Finite { get; init; }
    public required string[] Clauses { get; init; }
    public string[] Props { get; init; } = [];
    public string[] Anchors { get; init; } = [];
    /// <summary>Subject keys or tags this feature fits.</summary>
    public required string[] Fits { get; init; }
    /// <summary>Context tags this feature needs (any one of them); null: any context.</summary>
    public string[]? Places { get; init; }
    public Light[]? Lights { get; init; }
}

/// <summary>Where and/or when ("at dusk", "on a park bench in the morning", "at a candlelit dinner").</summary>
internal sealed class Context
{
    public required string Key { get; init; }
    public required string Scene { get; init; }
    /// <summary>Adverbials for descriptions (paraphrases of <see cref="Scene"/>).</summary>
    public required string[] Adv { get; init; }
    public required Light[] Lights { get; init; }
    public TimeOfDay Time { get; init; }
    public bool Indoor { get; init; }
    public string[] Clauses { get; init; } = [];
    public string[] Props { get; init; } = [];
    public string[] Anchors { get; init; } = [];
    public string[] Moods { get; init; } = [];
    public string[] Tags { get; init; } = [];
    /// <summary>When set, these replace the shared light sentences (a candlelit table has no lamps).</summary>
    public string[]? LightClauses { get; init; }
    /// <summary>Subject keys or tags this context fits; null: every subject of the type.</summary>
    public string[]? Fits { get; init; }
}

/// <summary>One of the eight scene types and its pools.</summary>
internal sealed class SceneType
{
    public required string Name { get; init; }
    public required Subject[] Subjects { get; init; }
    public required Feature[] Features { get; init; }
    public required Context[] Contexts { get; init; }
    public string[] Props { get; init; } = [];
    public string[] Anchors { get; init; } = [];
    /// <summary>Extra light sentences for this type (conditions select the light).</summary>
    public string[] LightClauses { get; init; } = [];

    public IEnumerable<string> ContextTags(Context c) => c.Tags.Append(c.Indoor ? "in" : "out");

    public static bool Matches(string[] fits, Subject s) => fits.Any(f => f == s.Key || s.Tags.Contains(f));

    public bool FeatureFits(Feature f, Subject s) => Matches(f.Fits, s) && Lights(s, f, null).Any();

    /// <summary>Whether a context fits a subject and its feature (<paramref name="f"/> null: a bare-subject scene).</summary>
    public bool ContextFits(Context c, Subject s, Feature? f) =>
        (c.Fits is null || Matches(c.Fits, s))
        && (f?.Places is null || f.Places.Any(p => ContextTags(c).Contains(p)))
        && Lights(s, f, c).Any();

    /// <summary>Lights the combination allows (all contexts' lights when <paramref name="c"/> is null).</summary>
    public IEnumerable<Light> Lights(Subject s, Feature? f, Context? c)
    {
        IEnumerable<Light> all = c?.Lights ?? Enum.GetValues<Light>();
        return all.Where(l => (s.Lights is null || s.Lights.Contains(l)) && (f?.Lights is null || f.Lights.Contains(l)));
    }
}

/// <summary>Conditions on pool entries: <c>[a,b,!c]</c> at the start of a template. Terms come in three kinds: light
/// (a light name: dawn day golden dusk night overcast rain snow fog artificial; <c>sun</c> = dawn, day, golden;
/// <c>dark</c> = dusk, night), place (<c>in</c>/<c>out</c>: indoor or outdoor context) and number (<c>sg</c>/<c>pl</c>:
/// the subject's). Positive terms of one kind are alternatives, and every kind that has positive terms must be met
/// (<c>[night,out]</c> = at night and outdoors); negated terms must all fail.</summary>
internal static class Cond
{
    public static (string Text, bool Ok) Check(string entry, Light light, bool indoor, bool plural)
    {
        if (entry.Length == 0 || entry[0] != '[') return (entry, true);
        int close = entry.IndexOf(']');
        if (close < 0) throw new FormatException($"unclosed condition in '{entry}'");
        var terms = entry[1..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var text = entry[(close + 1)..].TrimStart();
        var positives = new Dictionary<int, bool>();
        foreach (var term in terms)
        {
            bool negated = term.StartsWith('!');
            string name = negated ? term[1..] : term;
            bool hit = Holds(name, light, indoor, plural);
            if (negated)
            {
                if (hit) return (text, false);
            }
            else
            {
                int kind = Kind(name);
                positives[kind] = positives.GetValueOrDefault(kind) || hit;
            }
        }
        return (text, positives.Values.All(v => v));
    }

    private static int Kind(string term) => term switch
    {
        "in" or "out" => 1,
        "sg" or "pl" => 2,
        _ => 0,
    };

    private static bool Holds(string term, Light light, bool indoor, bool plural) => term switch
    {
        "sun" => light is Light.Dawn or Light.Day or Light.Golden,
        "dark" => light is Light.Dusk or Light.Night,
        "in" => indoor,
        "out" => !indoor,
        "sg" => !plural,
        "pl" => plural,
        _ => Enum.TryParse<Light>(term, ignoreCase: true, out var l) ? l == light
            : throw new FormatException($"unknown condition term '{term}'"),
    };

    /// <summary>The entries of <paramref name="pool"/> whose condition holds, condition stripped.</summary>
    public static List<string> Filter(IEnumerable<string> pool, Light light, bool indoor, bool plural) =>
        pool.Select(e => Check(e, light, indoor, plural)).Where(r => r.Ok).Select(r => r.Text).ToList();
}
