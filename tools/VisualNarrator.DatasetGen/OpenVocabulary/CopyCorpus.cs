using System.Text;
using System.Text.RegularExpressions;
using VisualNarrator.Engine.Generation;

namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>
/// The copy part of the training data (<c>train-copy.jsonl</c>): open-grammar scenes whose nouns are, three times in
/// four, any WordNet noun or verb of the word list that no other training line contains ("a tall lutist drowning a
/// gazebo"), narrated by the usual voices. Why: a model trained from scratch only learns the tokens its training text
/// holds, and users type words from outside every pool. These lines give most of the vocabulary's word tokens a trained
/// embedding and teach the model to carry whatever the scene names into its narration. The words make little sense
/// together; the lines teach copying, not meaning (the dictionary, <see cref="GlossCorpus"/>, teaches meaning).
/// Held-out words, every word that starts with one and every word whose lemma hash would hold it out stay out, so the
/// word-held-out test still names only words that no training narration contains.
/// </summary>
internal static class CopyCorpus
{
    /// <summary>Lines of the corpus.</summary>
    public const int Lines = 12000;
    /// <summary>Chance that a noun of a scene is a copy word rather than a word of the training pools.</summary>
    public const double CopyShare = 0.75;

    private static readonly Regex Plain = new("^[a-z]{3,14}$", RegexOptions.Compiled);

    /// <summary>The corpus and what it drew from.</summary>
    /// <param name="Text">JSONL, one <c>{"id","scene_type","scene","prompt","description"}</c> a line, as train-open.</param>
    /// <param name="PoolWords">Number of words it may draw as copy words.</param>
    /// <param name="Words">Every word the corpus contains.</param>
    internal sealed record Result(string Text, int PoolWords, IReadOnlySet<string> Words);

    /// <summary>Builds the corpus. <paramref name="seen"/> is every word of the other training files; copy words come
    /// from outside it. A drawn line that names a word of <paramref name="keepOut"/> (the test scenes' unseen words,
    /// some of which are training-pool words that train-open happened never to draw) is drawn again.</summary>
    public static Result Build(WordNet wordNet, Lexicon lexicon, WordList words, IReadOnlySet<string> seen, IReadOnlySet<string> keepOut, Rng rng)
    {
        var pool = Pool(wordNet, lexicon, words, seen, keepOut);
        var source = new WordSource(lexicon, rng, 0, pool, CopyShare);
        var text = new StringBuilder();
        var corpusWords = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Lines; i++)
        {
            var type = OpenGrammar.SceneTypes[i % OpenGrammar.SceneTypes.Count];
            OpenDatasetBuilder.NarratedScene line;
            HashSet<string> lineWords;
            do
            {
                line = OpenDatasetBuilder.NarratedLine($"copy-{i + 1:D5}", type, rng.Chance(OpenDatasetBuilder.LongShare), source, rng);
                lineWords = OpenDatasetBuilder.Words([line.Prompt, line.Description]);
            } while (lineWords.Overlaps(keepOut));
            corpusWords.UnionWith(lineWords);
            text.Append(line.Json);
        }
        return new Result(text.ToString(), pool.Count, corpusWords);
    }

    /// <summary>Single-word WordNet noun and verb lemmas of the word list, 3-14 letters, that no training text holds, no
    /// sense of which has a gloss a narration should not use, and that neither are held out nor start with a held-out
    /// word or a test scene's unseen word (so no inflection or compound of one slips in), in ordinal order.</summary>
    private static List<string> Pool(WordNet wordNet, Lexicon lexicon, WordList words, IReadOnlySet<string> seen, IReadOnlySet<string> keepOut)
    {
        var heldOut = lexicon.HeldOut.Values.SelectMany(p => p).SelectMany(n => n.Text.Split(' '))
            .Concat(lexicon.HeldOutVerbs.SelectMany(v => new[] { v.Lemma, v.Ing }))
            .Concat(keepOut)
            .Where(w => !lexicon.AlwaysSeen.Contains(w))
            .ToHashSet(StringComparer.Ordinal);
        var lemmas = new HashSet<string>(StringComparer.Ordinal);
        var unwanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var synset in wordNet.Nouns.Concat(wordNet.Verbs))
            foreach (var lemma in synset.Words)
            {
                lemmas.Add(lemma);
                if (Lexicon.Unwanted.IsMatch(synset.Gloss)) unwanted.Add(lemma);
            }
        bool StartsWithHeldOut(string w)
        {
            for (int n = 1; n <= w.Length; n++)
                if (heldOut.Contains(w[..n])) return true;
            return false;
        }
        return words.Ordered()
            .Where(w => Plain.IsMatch(w) && lemmas.Contains(w) && !unwanted.Contains(w) && !seen.Contains(w)
                        && Lexicon.Hash(w) % Lexicon.HeldOutModulus != 0 && !StartsWithHeldOut(w))
            .ToList();
    }
}
