using System.Text;
using System.Text.RegularExpressions;
using VisualNarrator.Engine.Generation;

namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>
/// The dictionary part of the training data (<c>train-gloss.jsonl</c>): one WordNet definition per word, as a question and
/// its answer ("What is a yacht?" → "A yacht is an expensive vessel propelled by sail or power and used for cruising or
/// racing."). Why: the built-in model is trained from scratch, so it only learns the tokens its training text contains.
/// Most held-out words are single BPE tokens that appeared in no training text at all, whose embeddings stayed at their
/// random start, and a model cannot copy a token it never learned. OPT's own checkpoints learned their vocabulary in
/// pre-training on general text; this corpus plays that part at small scale. It never holds a scene or a narration.
/// Half of the held-out words (<see cref="NeverSeenModulus"/>) stay out of it too, so the word-held-out test measures both
/// words known only from the dictionary and words the model never met anywhere.
/// </summary>
internal static class GlossCorpus
{
    /// <summary>A held-out word whose lemma hash is a multiple of this is left out of the dictionary as well.</summary>
    public const int NeverSeenModulus = 2 * Lexicon.HeldOutModulus;

    private static readonly Regex Parenthesis = new(@"\s*\([^)]*\)", RegexOptions.Compiled);
    private static readonly Regex CleanGloss = new("^[a-z][a-z ,'-]*[a-z]$", RegexOptions.Compiled);

    /// <summary>The corpus lines and the words kept out of it.</summary>
    /// <param name="Text">JSONL, one <c>{"id","scene_type":"dictionary","prompt","description"}</c> a line.</param>
    /// <param name="Lines">Number of lines.</param>
    /// <param name="Words">Every word the corpus contains.</param>
    internal sealed record Result(string Text, int Lines, IReadOnlySet<string> Words);

    /// <summary>Builds the corpus: every noun and verb of the scene lexicon (training and held-out pools), then every
    /// other WordNet noun and verb that was sense-tagged at least once (everyday words), each with its first sense's gloss,
    /// shuffled by <paramref name="rng"/>. A line naming a never-seen word anywhere is dropped.</summary>
    public static Result Build(WordNet wordNet, Lexicon lexicon, WordList words, Rng rng)
    {
        var neverSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var noun in lexicon.HeldOut.Values.SelectMany(p => p).Where(n => IsNeverSeen(n.Text)))
            neverSeen.UnionWith(noun.Text.Split(' ').Where(w => !lexicon.AlwaysSeen.Contains(w)));
        foreach (var verb in lexicon.HeldOutVerbs.Where(v => IsNeverSeen(v.Lemma)))
        {
            neverSeen.Add(verb.Lemma);
            neverSeen.Add(verb.Ing);
        }

        var lexiconNouns = lexicon.Train.Values.Concat(lexicon.HeldOut.Values).SelectMany(p => p).Select(n => n.Text).ToHashSet(StringComparer.Ordinal);
        var lexiconVerbs = lexicon.TrainVerbs.Concat(lexicon.HeldOutVerbs).ToDictionary(v => v.Lemma, v => v.Ing, StringComparer.Ordinal);
        var entries = new SortedDictionary<string, (string Prompt, string Description)>(StringComparer.Ordinal);

        foreach (var synset in wordNet.Nouns.OrderBy(s => s.Offset))
            foreach (var lemma in synset.Words)
            {
                if (entries.ContainsKey("n " + lemma) || !Lexicon.IsPlainNoun(lemma, words) || wordNet.SenseRank(lemma, synset, verb: false) != 1) continue;
                if (!lexiconNouns.Contains(lemma) && wordNet.NounTagCount(lemma) == 0) continue;
                if (Definition(synset.Gloss) is not { } gloss) continue;
                entries["n " + lemma] = ($"What is {OpenText.WithArticle(lemma)}?", $"{OpenText.Capitalize(OpenText.WithArticle(lemma))} is {gloss}.");
            }
        foreach (var synset in wordNet.Verbs)
            foreach (var lemma in synset.Words)
            {
                if (entries.ContainsKey("v " + lemma) || !Regex.IsMatch(lemma, "^[a-z]{3,14}$") || !words.Contains(lemma) || wordNet.SenseRank(lemma, synset, verb: true) != 1) continue;
                if (!lexiconVerbs.TryGetValue(lemma, out var ing))
                {
                    if (wordNet.VerbTagCount(lemma) == 0) continue;
                    ing = OpenText.Participle(lemma, words);
                }
                if (ing is null || Definition(synset.Gloss) is not { } gloss) continue;
                entries["v " + lemma] = ($"What does it mean to {lemma}?", $"To {lemma} is to {gloss}. Someone doing it is {ing}.");
            }

        var kept = entries.Values.Where(e => !OpenDatasetBuilder.Words([e.Prompt, e.Description]).Overlaps(neverSeen)).ToList();
        rng.Shuffle(kept);
        var text = new StringBuilder();
        var corpusWords = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < kept.Count; i++)
        {
            var (prompt, description) = kept[i];
            corpusWords.UnionWith(OpenDatasetBuilder.Words([prompt, description]));
            text.Append(OpenDatasetBuilder.Line(w =>
            {
                w.WriteString("id", $"gloss-{i + 1:D5}");
                w.WriteString("scene_type", "dictionary");
                w.WriteString("prompt", prompt);
                w.WriteString("description", description);
            }));
        }
        return new Result(text.ToString(), kept.Count, corpusWords);
    }

    /// <summary>Whether a held-out lemma is also kept out of the dictionary.</summary>
    public static bool IsNeverSeen(string lemma) => Lexicon.Hash(lemma) % NeverSeenModulus == 0;

    /// <summary>The gloss's definition (before its examples), without parentheses, when it is plain lower-case text of
    /// 3 to 30 words that a narration product may say.</summary>
    private static string? Definition(string gloss)
    {
        var definition = Parenthesis.Replace(gloss.Split(';')[0], "").Trim();
        if (!CleanGloss.IsMatch(definition) || Lexicon.Unwanted.IsMatch(definition)) return null;
        return OpenText.WordCount(definition) is >= 3 and <= 30 ? definition : null;
    }
}
