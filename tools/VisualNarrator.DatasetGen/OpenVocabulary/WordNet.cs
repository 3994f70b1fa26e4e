using System.Globalization;

namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>One WordNet 3.0 synset as the data.noun / data.verb files hold it.</summary>
/// <param name="Offset">Byte offset in its data file, WordNet's synset id.</param>
/// <param name="LexFile">Lexicographer file number (05 noun.animal, 06 noun.artifact, 13 noun.food, 18 noun.person,
/// 20 noun.plant, 35 verb.contact, 38 verb.motion, ...).</param>
/// <param name="Words">Lemmas, with underscores turned into spaces.</param>
/// <param name="Hypernyms">Offsets of the synset's direct hypernyms (pointer "@" and instance "@i").</param>
/// <param name="Frames">Verb frame numbers that apply to the whole synset (verbs only).</param>
/// <param name="Gloss">Definition and examples.</param>
internal sealed record Synset(long Offset, int LexFile, IReadOnlyList<string> Words, IReadOnlyList<long> Hypernyms, IReadOnlyList<int> Frames, string Gloss);

/// <summary>Reads the Debian <c>wordnet-base</c> files (data.noun, data.verb, index.noun/index.verb tag counts).
/// The format is WordNet's wndb(5): space-separated fields, hexadecimal word and pointer counts, a gloss after " | ".</summary>
internal sealed class WordNet
{
    /// <summary>Where Debian's wordnet-base installs the database.</summary>
    public const string DefaultFolder = "/usr/share/wordnet";

    private readonly Dictionary<long, Synset> _nouns;
    private readonly Dictionary<string, int> _nounTagCounts;
    private readonly Dictionary<string, int> _verbTagCounts;
    private readonly Dictionary<string, List<long>> _nounSenses;
    private readonly Dictionary<string, List<long>> _verbSenses;

    public IReadOnlyCollection<Synset> Nouns => _nouns.Values;
    public IReadOnlyList<Synset> Verbs { get; }

    private WordNet(Dictionary<long, Synset> nouns, List<Synset> verbs, Dictionary<string, int> nounTags, Dictionary<string, int> verbTags,
        Dictionary<string, List<long>> nounSenses, Dictionary<string, List<long>> verbSenses)
    {
        _verbSenses = verbSenses;
        _nouns = nouns;
        Verbs = verbs;
        _nounTagCounts = nounTags;
        _verbTagCounts = verbTags;
        _nounSenses = nounSenses;
    }

    /// <summary>Loads the noun and verb databases from <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">A database file is missing (install wordnet-base).</exception>
    public static WordNet Load(string folder)
    {
        string Need(string name)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: WordNet database file not found; install Debian's wordnet-base or pass --wordnet DIR", path);
            return path;
        }
        var nouns = ReadData(Need("data.noun")).ToDictionary(s => s.Offset);
        var verbs = ReadData(Need("data.verb")).ToList();
        var (nounTags, nounSenses) = ReadIndex(Need("index.noun"));
        var (verbTags, verbSenses) = ReadIndex(Need("index.verb"));
        return new WordNet(nouns, verbs, nounTags, verbTags, nounSenses, verbSenses);
    }

    /// <summary>How often a noun lemma was sense-tagged in WordNet's semantic concordance: a rough frequency.</summary>
    public int NounTagCount(string lemma) => _nounTagCounts.GetValueOrDefault(lemma.Replace(' ', '_'));

    /// <summary>Sense-tag count of a verb lemma.</summary>
    public int VerbTagCount(string lemma) => _verbTagCounts.GetValueOrDefault(lemma.Replace(' ', '_'));

    /// <summary>The noun synset of a lemma's <paramref name="sense"/>-th sense (1-based, WordNet's order).</summary>
    public Synset NounSense(string lemma, int sense = 1) =>
        _nounSenses.TryGetValue(lemma.Replace(' ', '_'), out var offsets) && sense <= offsets.Count
            ? _nouns[offsets[sense - 1]]
            : throw new InvalidDataException($"WordNet has no noun sense {sense} of '{lemma}'");

    /// <summary>The rank (1-based, most frequent first) of <paramref name="synset"/> among the senses of a noun or verb
    /// lemma, or int.MaxValue when it is not one of them.</summary>
    public int SenseRank(string lemma, Synset synset, bool verb)
    {
        var senses = (verb ? _verbSenses : _nounSenses).GetValueOrDefault(lemma.Replace(' ', '_'));
        var i = senses?.IndexOf(synset.Offset) ?? -1;
        return i < 0 ? int.MaxValue : i + 1;
    }

    /// <summary>Whether <paramref name="synset"/> is <paramref name="ancestor"/> or below it in the hypernym tree.</summary>
    public bool IsA(Synset synset, Synset ancestor)
    {
        var seen = new HashSet<long>();
        var stack = new Stack<long>([synset.Offset]);
        while (stack.Count > 0)
        {
            var o = stack.Pop();
            if (o == ancestor.Offset) return true;
            if (!seen.Add(o) || !_nouns.TryGetValue(o, out var s)) continue;
            foreach (var h in s.Hypernyms) stack.Push(h);
        }
        return false;
    }

    private static IEnumerable<Synset> ReadData(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("  ", StringComparison.Ordinal) || line.Length == 0) continue; // licence header
            var bar = line.IndexOf(" | ", StringComparison.Ordinal);
            var gloss = bar >= 0 ? line[(bar + 3)..].Trim() : "";
            var f = (bar >= 0 ? line[..bar] : line).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var offset = long.Parse(f[0], CultureInfo.InvariantCulture);
            var lexFile = int.Parse(f[1], CultureInfo.InvariantCulture);
            var pos = f[2];
            int wordCount = int.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var words = new List<string>(wordCount);
            int i = 4;
            for (int w = 0; w < wordCount; w++, i += 2)
            {
                var word = f[i];
                var paren = word.IndexOf('(', StringComparison.Ordinal); // adjective markers such as "(a)"
                if (paren > 0) word = word[..paren];
                words.Add(word.Replace('_', ' '));
            }
            int pointerCount = int.Parse(f[i++], CultureInfo.InvariantCulture);
            var hypernyms = new List<long>();
            for (int p = 0; p < pointerCount; p++, i += 4)
                if (f[i] is "@" or "@i") hypernyms.Add(long.Parse(f[i + 1], CultureInfo.InvariantCulture));
            var frames = new List<int>();
            if (pos == "v" && i < f.Length)
            {
                int frameCount = int.Parse(f[i++], CultureInfo.InvariantCulture);
                for (int k = 0; k < frameCount; k++, i += 3)
                    if (f[i + 2] == "00") frames.Add(int.Parse(f[i + 1], CultureInfo.InvariantCulture));
            }
            yield return new Synset(offset, lexFile, words, hypernyms, frames, gloss);
        }
    }

    private static (Dictionary<string, int> Tags, Dictionary<string, List<long>> Senses) ReadIndex(string path)
    {
        var tags = new Dictionary<string, int>(StringComparer.Ordinal);
        var senses = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("  ", StringComparison.Ordinal) || line.Length == 0) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int synsetCount = int.Parse(f[2], CultureInfo.InvariantCulture);
            int pointerTypes = int.Parse(f[3], CultureInfo.InvariantCulture);
            int tagIndex = 4 + pointerTypes + 1;
            tags[f[0]] = int.Parse(f[tagIndex], CultureInfo.InvariantCulture);
            senses[f[0]] = f.Skip(tagIndex + 1).Take(synsetCount).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();
        }
        return (tags, senses);
    }
}
