using VisualNarrator.Engine.Generation;
using System.Text.RegularExpressions;

namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>A noun a scene can name, with the scene-type category WordNet files it under.</summary>
/// <param name="Text">The lemma ("golden retriever").</param>
/// <param name="Category">The pool it was drawn into.</param>
/// <param name="Common">Sense-tagged at least once in WordNet's concordance: everyday words get drawn more often.</param>
internal sealed record Noun(string Text, NounCategory Category, bool Common)
{
    /// <summary>"a" or "an", by the first letter with the usual spoken exceptions.</summary>
    public string Article => OpenText.Article(Text);

    /// <summary>"a violin".</summary>
    public string WithArticle => $"{Article} {Text}";
}

/// <summary>An action a subject can take, in its -ing form.</summary>
/// <param name="Lemma">WordNet lemma ("repair").</param>
/// <param name="Ing">Present participle, checked against the word list ("repairing").</param>
/// <param name="Transitive">Takes an object ("repairing a violin").</param>
/// <param name="Motion">A verb of motion, which also fits vehicles and animals.</param>
internal sealed record Verb(string Lemma, string Ing, bool Transitive, bool Motion);

/// <summary>Noun pools, by what the scene grammar does with them.</summary>
internal enum NounCategory { Person, Animal, Artifact, Vehicle, Food, Plant, Room, Building, Outdoor, Sport }

/// <summary>
/// The open vocabulary: nouns and verbs from WordNet 3.0, kept when they are lower-case English words of Debian's
/// word list (so no taxonomic Latin, no proper names), and sorted into pools by their hypernyms. A fixed share of
/// nouns and verbs is held out by a hash of the lemma, so the word-held-out test set names words that no training
/// narration contains.
/// </summary>
internal sealed class Lexicon
{
    /// <summary>One word in this many is held out of training (by a hash of the lemma, so the choice is stable).</summary>
    public const int HeldOutModulus = 8;

    // Glosses of words a narration for an accessibility product should not use as a scene's subject.
    internal static readonly Regex Unwanted = new(
        @"offensive|slur|disparag|vulgar|obscene|derogat|slang|informal|crime|criminal|kill|murder|sex|prostitut|rape|drug|torture|corpse|dead body|weapon|firearm|gun|bomb|penis|vagina|genital|breast|buttock|feces|urine|excrement",
        RegexOptions.Compiled | RegexOptions.IgnoreCase);

    private static readonly Regex Plain = new("^[a-z]+( [a-z]+)?$", RegexOptions.Compiled);

    public IReadOnlyDictionary<NounCategory, IReadOnlyList<Noun>> Train { get; }
    public IReadOnlyDictionary<NounCategory, IReadOnlyList<Noun>> HeldOut { get; }
    public IReadOnlyList<Verb> TrainVerbs { get; }
    public IReadOnlyList<Verb> HeldOutVerbs { get; }
    /// <summary>Words never held out: the fixed grammar's and the narration templates'.</summary>
    public IReadOnlySet<string> AlwaysSeen { get; }

    private Lexicon(Dictionary<NounCategory, IReadOnlyList<Noun>> train, Dictionary<NounCategory, IReadOnlyList<Noun>> heldOut,
        List<Verb> trainVerbs, List<Verb> heldOutVerbs, IReadOnlySet<string> alwaysSeen)
    {
        AlwaysSeen = alwaysSeen;
        Train = train;
        HeldOut = heldOut;
        TrainVerbs = trainVerbs;
        HeldOutVerbs = heldOutVerbs;
    }

    /// <summary>Builds the pools. Words in <paramref name="alwaysSeen"/> (the fixed grammar's and the narration templates'
    /// words) are never held out, since training narrations contain them anyway.</summary>
    public static Lexicon Build(WordNet wordNet, WordList words, IReadOnlySet<string> alwaysSeen)
    {
        var roots = new (NounCategory Category, string Lemma, int Sense)[]
        {
            (NounCategory.Person, "person", 1),
            (NounCategory.Animal, "mammal", 1), (NounCategory.Animal, "bird", 1), (NounCategory.Animal, "fish", 1),
            (NounCategory.Animal, "reptile", 1), (NounCategory.Animal, "amphibian", 1), (NounCategory.Animal, "insect", 1),
            (NounCategory.Animal, "crustacean", 1), (NounCategory.Animal, "mollusk", 1), (NounCategory.Animal, "arachnid", 1),
            (NounCategory.Vehicle, "vehicle", 1), (NounCategory.Vehicle, "craft", 2), (NounCategory.Vehicle, "vessel", 2),
            (NounCategory.Artifact, "musical instrument", 1), (NounCategory.Artifact, "device", 1), (NounCategory.Artifact, "container", 1),
            (NounCategory.Artifact, "furniture", 1), (NounCategory.Artifact, "implement", 1), (NounCategory.Artifact, "toy", 1),
            (NounCategory.Artifact, "clothing", 1), (NounCategory.Artifact, "equipment", 1), (NounCategory.Artifact, "decoration", 1),
            (NounCategory.Food, "dish", 2), (NounCategory.Food, "baked goods", 1), (NounCategory.Food, "edible fruit", 1),
            (NounCategory.Food, "vegetable", 1), (NounCategory.Food, "dessert", 1), (NounCategory.Food, "beverage", 1),
            (NounCategory.Food, "sandwich", 1), (NounCategory.Food, "cheese", 1),
            (NounCategory.Plant, "flower", 1), (NounCategory.Plant, "tree", 1), (NounCategory.Plant, "shrub", 1), (NounCategory.Plant, "herb", 1),
            (NounCategory.Room, "room", 1),
            (NounCategory.Building, "building", 1), (NounCategory.Building, "shop", 1), (NounCategory.Building, "place of worship", 1),
            (NounCategory.Outdoor, "geological formation", 1), (NounCategory.Outdoor, "body of water", 1), (NounCategory.Outdoor, "tract", 1),
            (NounCategory.Outdoor, "road", 1), (NounCategory.Outdoor, "bridge", 1), (NounCategory.Outdoor, "square", 3),
            (NounCategory.Sport, "sport", 1), (NounCategory.Sport, "game", 2),
        };
        var anchors = roots.Select(r => (r.Category, Synset: wordNet.NounSense(r.Lemma, r.Sense))).ToList();
        var nouns = new Dictionary<string, Noun>(StringComparer.Ordinal);
        foreach (var synset in wordNet.Nouns.OrderBy(s => s.Offset))
        {
            if (Unwanted.IsMatch(synset.Gloss)) continue;
            var match = anchors.FirstOrDefault(a => wordNet.IsA(synset, a.Synset));
            if (match.Synset is null) continue;
            foreach (var lemma in synset.Words)
            {
                if (nouns.ContainsKey(lemma) || !IsPlainNoun(lemma, words)) continue;
                // Only a word's first two senses: "permit" the document, not the fish; no plurals such as "spirits".
                if (wordNet.SenseRank(lemma, synset, verb: false) > 2) continue;
                if (lemma.EndsWith('s') && !lemma.EndsWith("ss", StringComparison.Ordinal) && !lemma.EndsWith("us", StringComparison.Ordinal) && !lemma.EndsWith("is", StringComparison.Ordinal)) continue;
                if (match.Category is NounCategory.Sport && lemma.Contains(' ', StringComparison.Ordinal)) continue;
                nouns[lemma] = new Noun(lemma, match.Category, wordNet.NounTagCount(lemma) > 0);
            }
        }

        var verbs = new Dictionary<string, Verb>(StringComparer.Ordinal);
        foreach (var synset in wordNet.Verbs.OrderBy(s => s.Offset))
        {
            // 29 body, 30 change, 33 competition, 34 consumption, 35 contact, 36 creation, 38 motion, 41 social.
            if (synset.LexFile is not (29 or 30 or 34 or 35 or 36 or 38) || Unwanted.IsMatch(synset.Gloss)) continue;
            bool transitive = synset.Frames.Any(f => f is 8 or 9 or 10 or 11);
            bool intransitive = synset.Frames.Any(f => f is 1 or 2);
            if (!transitive && !intransitive) continue;
            foreach (var lemma in synset.Words)
            {
                if (!Regex.IsMatch(lemma, "^[a-z]{3,14}$") || verbs.ContainsKey(lemma) || wordNet.VerbTagCount(lemma) < 2 || wordNet.SenseRank(lemma, synset, verb: true) > 2) continue;
                if (OpenText.Participle(lemma, words) is not { } ing) continue;
                verbs[lemma] = new Verb(lemma, ing, transitive, synset.LexFile == 38);
            }
        }

        bool Held(string lemma) => !alwaysSeen.Contains(lemma) && lemma.Split(' ').All(w => !alwaysSeen.Contains(w)) && Hash(lemma) % HeldOutModulus == 0;
        var train = new Dictionary<NounCategory, IReadOnlyList<Noun>>();
        var heldOut = new Dictionary<NounCategory, IReadOnlyList<Noun>>();
        foreach (var category in Enum.GetValues<NounCategory>())
        {
            var pool = nouns.Values.Where(n => n.Category == category).OrderBy(n => n.Text, StringComparer.Ordinal).ToList();
            heldOut[category] = pool.Where(n => Held(n.Text)).ToList();
            train[category] = pool.Where(n => !Held(n.Text)).ToList();
        }
        // A training noun must not contain a held-out word either ("tool" held out keeps "tool shed" out).
        var heldNounWords = heldOut.Values.SelectMany(p => p).SelectMany(n => n.Text.Split(' ')).Where(w => !alwaysSeen.Contains(w)).ToHashSet(StringComparer.Ordinal);
        foreach (var category in Enum.GetValues<NounCategory>())
            train[category] = train[category].Where(n => !n.Text.Split(' ').Any(heldNounWords.Contains)).ToList();
        var verbList = verbs.Values.OrderBy(v => v.Lemma, StringComparer.Ordinal).ToList();
        return new Lexicon(train, heldOut, verbList.Where(v => !Held(v.Lemma) && !heldNounWords.Contains(v.Ing)).ToList(),
            verbList.Where(v => Held(v.Lemma)).ToList(), alwaysSeen);
    }

    /// <summary>A noun lemma the scenes and the dictionary may use: one or two lower-case words of 3 to 24 letters in
    /// all, each an entry of the word list.</summary>
    internal static bool IsPlainNoun(string lemma, WordList words) =>
        Plain.IsMatch(lemma) && lemma.Length is >= 3 and <= 24 && lemma.Split(' ').All(words.Contains);

    /// <summary>FNV-1a of the lemma: the stable choice of held-out words.</summary>
    internal static uint Hash(string s)
    {
        uint h = 2166136261;
        foreach (char c in s) h = (h ^ c) * 16777619;
        return h;
    }
}
