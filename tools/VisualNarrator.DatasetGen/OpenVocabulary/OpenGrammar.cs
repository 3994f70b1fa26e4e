namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>Where a scene's words come from: the training pools, or (for the word-held-out test set) the held-out
/// pools with probability <paramref name="heldOutShare"/> per draw, or (for the copy corpus) any word of
/// <paramref name="copyWords"/> with probability <paramref name="copyShare"/> per noun.</summary>
internal sealed class WordSource(Lexicon lexicon, Rng rng, double heldOutShare, IReadOnlyList<string>? copyWords = null, double copyShare = 0)
{
    /// <summary>Draws a noun of the category: everyday words (sense-tagged in WordNet) seven times in ten.</summary>
    public Noun Noun(NounCategory category)
    {
        if (copyWords is not null && rng.Chance(copyShare)) return new Noun(rng.Pick(copyWords), category, Common: true);
        var pool = heldOutShare > 0 && rng.Chance(heldOutShare) && lexicon.HeldOut[category].Count > 0 ? lexicon.HeldOut[category] : lexicon.Train[category];
        var common = pool.Where(n => n.Common).ToList();
        return rng.Chance(0.8) && common.Count > 0 ? rng.Pick(common) : rng.Pick(pool);
    }

    /// <summary>Draws a verb; <paramref name="transitive"/> asks for one that takes an object, <paramref name="motion"/>
    /// for a verb of motion.</summary>
    public Verb Verb(bool transitive, bool motion)
    {
        var pool = heldOutShare > 0 && rng.Chance(heldOutShare) ? lexicon.HeldOutVerbs : lexicon.TrainVerbs;
        var fit = pool.Where(v => (!transitive || v.Transitive) && (!motion || v.Motion)).ToList();
        if (fit.Count == 0) fit = lexicon.TrainVerbs.Where(v => (!transitive || v.Transitive) && (!motion || v.Motion)).ToList();
        return rng.Pick(fit);
    }
}

/// <summary>
/// The open-vocabulary scene grammar: eight scene types, each with a few clause patterns filled from WordNet pools
/// (subjects doing things to objects in places, still lifes, places with things in them, vehicles, sports), an optional
/// time or weather, and long scenes of three or four clauses.
/// </summary>
internal static class OpenGrammar
{
    public static readonly IReadOnlyList<string> SceneTypes = ["people", "animals", "food", "nature", "indoor", "urban", "transport", "sports-events"];

    private static readonly string[] BeingAdjectives = ["young", "old", "tired", "cheerful", "curious", "sleepy", "tall", "small", "little", "happy", "busy", "patient", "calm", "careful", "proud", "playful", "quiet", "elderly", "friendly", "serious"];
    private static readonly string[] ThingAdjectives = ["red", "blue", "green", "yellow", "orange", "purple", "white", "black", "gray", "brown", "golden", "silver", "wooden", "rusty", "shiny", "broken", "tiny", "huge", "old", "new", "dusty", "colorful", "striped", "battered", "polished", "heavy", "bright", "small", "large", "round"];
    private static readonly string[] PlaceAdjectives = ["quiet", "busy", "empty", "crowded", "narrow", "wide", "old", "sunny", "dark", "small", "large", "abandoned", "cozy", "bright", "peaceful", "noisy", "tidy", "messy", "modern", "ancient"];
    private static readonly string[] StillRelations = ["on", "beside", "next to", "near", "under", "behind"];

    /// <summary>The phrase a scene ends with for <paramref name="time"/>, or null.</summary>
    public static string? TimePhrase(SceneTime time) => time switch
    {
        SceneTime.Dawn => "at dawn",
        SceneTime.Morning => "in the morning",
        SceneTime.Noon => "at noon",
        SceneTime.Afternoon => "in the afternoon",
        SceneTime.Sunset => "at sunset",
        SceneTime.Dusk => "at dusk",
        SceneTime.Night => "at night",
        SceneTime.Rain => "in the rain",
        SceneTime.Snow => "in the snow",
        SceneTime.Fog => "in thick fog",
        SceneTime.Overcast => "under a cloudy sky",
        _ => null,
    };

    /// <summary>Draws a scene of <paramref name="type"/>; <paramref name="longScene"/> asks for three or four clauses.</summary>
    public static OpenScene Draw(string type, bool longScene, WordSource words, Rng rng)
    {
        var first = FirstClause(type, words, rng);
        var clauses = new List<Clause> { first };
        bool indoor = first.Place?.Category == NounCategory.Room || (type == "indoor");
        if (longScene)
        {
            int extra = 3 + rng.Next(2);
            for (int i = 0; i < extra; i++) clauses.Add(ExtraClause(words, rng, indoor));
        }
        var time = rng.Chance(0.55) ? (SceneTime)(1 + rng.Next(11)) : SceneTime.Unstated;
        if (indoor && time is SceneTime.Snow or SceneTime.Fog or SceneTime.Overcast) time = SceneTime.Night;
        var text = longScene ? LongText(clauses, rng) : clauses[0].Text;
        if (TimePhrase(time) is { } phrase) text += " " + phrase;
        return new OpenScene(type, clauses, time, indoor, text);
    }

    private static string? Maybe(Rng rng, double p, string[] pool) => rng.Chance(p) ? rng.Pick(pool) : null;

    private static Clause FirstClause(string type, WordSource w, Rng rng)
    {
        switch (type)
        {
            case "people":
            case "animals":
            {
                var subject = w.Noun(type == "people" ? NounCategory.Person : NounCategory.Animal);
                bool withObject = rng.Chance(0.6);
                var verb = w.Verb(withObject, motion: !withObject && rng.Chance(0.5));
                var obj = withObject ? w.Noun(rng.Pick(new[] { NounCategory.Artifact, NounCategory.Artifact, NounCategory.Food, NounCategory.Plant, NounCategory.Vehicle })) : null;
                var place = rng.Chance(0.6) ? PlaceOf(w, rng) : null;
                return new Clause(subject, Maybe(rng, 0.4, BeingAdjectives), verb, obj, obj is null ? null : Maybe(rng, 0.35, ThingAdjectives),
                    place is null ? null : Relation(place.Category, rng), place, place is null ? null : Maybe(rng, 0.25, PlaceAdjectives));
            }
            case "food":
            {
                if (rng.Chance(0.3))
                {
                    var eater = w.Noun(rng.Chance(0.7) ? NounCategory.Person : NounCategory.Animal);
                    var eat = w.Verb(transitive: true, motion: false);
                    return new Clause(eater, Maybe(rng, 0.3, BeingAdjectives), eat, w.Noun(NounCategory.Food), Maybe(rng, 0.3, ThingAdjectives), null, null, null);
                }
                var food = w.Noun(NounCategory.Food);
                var beside = w.Noun(rng.Chance(0.7) ? NounCategory.Artifact : NounCategory.Food);
                var room = rng.Chance(0.4) ? w.Noun(NounCategory.Room) : null;
                return new Clause(food, Maybe(rng, 0.4, ThingAdjectives), null, beside, Maybe(rng, 0.3, ThingAdjectives), rng.Pick(StillRelations), room, null);
            }
            case "nature":
            {
                var subject = w.Noun(rng.Chance(0.6) ? NounCategory.Plant : NounCategory.Outdoor);
                var other = w.Noun(subject.Category == NounCategory.Plant ? NounCategory.Outdoor : NounCategory.Plant);
                return new Clause(subject, Maybe(rng, 0.4, subject.Category == NounCategory.Plant ? ThingAdjectives : PlaceAdjectives), null,
                    other, Maybe(rng, 0.3, ThingAdjectives), rng.Pick(new[] { "beside", "near", "with", "behind", "above" }), null, null);
            }
            case "indoor":
            {
                var room = w.Noun(NounCategory.Room);
                var thing = w.Noun(NounCategory.Artifact);
                return rng.Chance(0.5)
                    ? new Clause(room, Maybe(rng, 0.5, PlaceAdjectives), null, thing, Maybe(rng, 0.4, ThingAdjectives), "with", null, null)
                    : new Clause(thing, Maybe(rng, 0.5, ThingAdjectives), null, null, null, "in", room, Maybe(rng, 0.4, PlaceAdjectives));
            }
            case "urban":
            {
                if (rng.Chance(0.4))
                {
                    var person = w.Noun(NounCategory.Person);
                    var verb = w.Verb(transitive: false, motion: rng.Chance(0.5));
                    var building = w.Noun(NounCategory.Building);
                    return new Clause(person, Maybe(rng, 0.3, BeingAdjectives), verb, null, null, rng.Pick(new[] { "outside", "in front of", "near" }), building, Maybe(rng, 0.3, PlaceAdjectives));
                }
                var b = w.Noun(NounCategory.Building);
                var o = w.Noun(NounCategory.Outdoor);
                return new Clause(b, Maybe(rng, 0.5, PlaceAdjectives), null, null, null, rng.Pick(new[] { "beside", "next to", "across from", "near" }), o, Maybe(rng, 0.3, PlaceAdjectives));
            }
            case "transport":
            {
                var vehicle = w.Noun(NounCategory.Vehicle);
                var moving = rng.Chance(0.5) ? w.Verb(transitive: false, motion: true) : null;
                var place = w.Noun(rng.Chance(0.7) ? NounCategory.Outdoor : NounCategory.Building);
                return new Clause(vehicle, Maybe(rng, 0.5, ThingAdjectives), moving, null, null, Relation(place.Category, rng), place, Maybe(rng, 0.3, PlaceAdjectives));
            }
            case "sports-events":
            {
                var player = w.Noun(NounCategory.Person);
                var sport = w.Noun(NounCategory.Sport);
                var play = new Verb("play", "playing", true, false);
                var place = rng.Chance(0.6) ? PlaceOf(w, rng) : null;
                return new Clause(player, Maybe(rng, 0.4, BeingAdjectives), play, sport, null,
                    place is null ? null : Relation(place.Category, rng), place, place is null ? null : Maybe(rng, 0.3, PlaceAdjectives));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown scene type");
        }
    }

    private static Clause ExtraClause(WordSource w, Rng rng, bool indoor)
    {
        if (rng.Chance(0.5))
        {
            var subject = w.Noun(rng.Chance(0.5) ? NounCategory.Person : NounCategory.Animal);
            bool withObject = rng.Chance(0.5);
            var verb = w.Verb(withObject, motion: false);
            var obj = withObject ? w.Noun(rng.Chance(0.7) ? NounCategory.Artifact : NounCategory.Food) : null;
            return new Clause(subject, Maybe(rng, 0.4, BeingAdjectives), verb, obj, obj is null ? null : Maybe(rng, 0.3, ThingAdjectives), null, null, null);
        }
        var thing = w.Noun(rng.Pick(new[] { NounCategory.Artifact, NounCategory.Artifact, NounCategory.Plant, NounCategory.Food, indoor ? NounCategory.Artifact : NounCategory.Vehicle }));
        var other = w.Noun(indoor ? NounCategory.Artifact : rng.Chance(0.5) ? NounCategory.Artifact : NounCategory.Plant);
        return new Clause(thing, Maybe(rng, 0.5, ThingAdjectives), null, other, Maybe(rng, 0.4, ThingAdjectives), rng.Pick(StillRelations), null, null);
    }

    /// <summary>Joins three or four clauses the way people write a long scene: "A, B nearby, C, and D".</summary>
    private static string LongText(List<Clause> clauses, Rng rng)
    {
        var parts = new List<string> { clauses[0].Text };
        var links = new[] { "while", "with", "and" };
        for (int i = 1; i < clauses.Count; i++)
        {
            var link = i == clauses.Count - 1 ? "and" : rng.Pick(links);
            var suffix = rng.Pick(new[] { "", " nearby", " in the background", " close by", " in the foreground" });
            parts.Add($"{link} {clauses[i].Text}{suffix}");
        }
        return string.Join(", ", parts);
    }

    private static Noun PlaceOf(WordSource w, Rng rng) =>
        w.Noun(rng.Pick(new[] { NounCategory.Room, NounCategory.Building, NounCategory.Outdoor, NounCategory.Outdoor }));

    private static string Relation(NounCategory place, Rng rng) => place switch
    {
        NounCategory.Room => "in",
        NounCategory.Building => rng.Pick(new[] { "outside", "in front of", "next to", "near" }),
        _ => rng.Pick(new[] { "near", "beside", "on", "by", "across" }),
    };
}
