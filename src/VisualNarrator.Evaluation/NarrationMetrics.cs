using VisualNarrator.Engine.Generation;

namespace VisualNarrator.Evaluation;

/// <summary>One generated description and the scene type the caller assigns to it (e.g. Nature, Urban, People).</summary>
/// <param name="Text">The raw description as the model produced it (prompt already stripped).</param>
/// <param name="SceneType">Group label for the per-scene-type report.</param>
/// <param name="Scene">The scene the narration was asked to describe (without the prompt template), when known: it
/// enables scene recall and the recall gate of seed success.</param>
public sealed record NarrationSample(string Text, string SceneType, string? Scene = null);

/// <summary>Narrator metrics over a set of descriptions; docs/metrics.md gives each formula.</summary>
/// <param name="Count">Number of descriptions.</param>
/// <param name="MeanLength">Mean number of words (PTB tokens after coco's punctuation removal) per description.</param>
/// <param name="Distinct1">Distinct unigrams / total unigrams over the whole set (0 when there are none).</param>
/// <param name="Distinct2">Distinct bigrams / total bigrams over the whole set (bigrams never cross descriptions).</param>
/// <param name="Repeated3GramRate">Mean over descriptions with at least one 3-gram of (3-grams equal to an earlier
/// 3-gram of the same description) / (3-grams of the description); 0 when no description has a 3-gram.</param>
/// <param name="AdjectiveCoverage">Share of descriptions with at least 2 adjective tokens (occurrences, from the lexicon).</param>
/// <param name="AdjectiveDensity">Adjective tokens / words over the whole set.</param>
/// <param name="ContentRichness">(min(1, AdjectiveDensity / 0.10) + Distinct2 + AdjectiveCoverage) / 3.</param>
/// <param name="SeedCoherenceRate">Share of descriptions the seed's check calls coherent.</param>
/// <param name="SeedRelevanceRate">Share the seed's check calls relevant.</param>
/// <param name="SeedArtifactRate">Share with artifacts by the seed's procedure (checked after cleaning).</param>
/// <param name="RawArtifactRate">Share whose raw text contains a glitch token (the same check before cleaning).</param>
/// <param name="SeedSuccessRate">Mean seed success score (1 coherent and clean, 0.5 coherent with artifacts, 0 otherwise),
/// where a narration whose scene recall is below <see cref="NarrationMetrics.MinSceneRecall"/> scores 0 (off-topic).</param>
/// <param name="SeedLiteralSuccessRate">The same score by the seed's own checks alone, without the recall gate.</param>
/// <param name="SceneRecall">Mean scene recall over the descriptions whose scene is known and has a content word (null
/// when none has).</param>
/// <param name="NonWordRate">Non-words / words over the whole set (<see cref="SceneGrounding.NonWords"/>).</param>
/// <param name="WellFormedStartRate">Share of descriptions with a well-formed start.</param>
/// <param name="CompleteParagraphRate">Share of descriptions that are complete paragraphs
/// (<see cref="SceneGrounding.IsCompleteParagraph"/>): two or more sentences, the last one finished.</param>
public sealed record NarrationScores(
    int Count, double MeanLength, double Distinct1, double Distinct2, double Repeated3GramRate,
    double AdjectiveCoverage, double AdjectiveDensity, double ContentRichness,
    double SeedCoherenceRate, double SeedRelevanceRate, double SeedArtifactRate, double RawArtifactRate, double SeedSuccessRate,
    double SeedLiteralSuccessRate, double? SceneRecall, double NonWordRate, double WellFormedStartRate,
    double CompleteParagraphRate);

/// <summary>Narrator metrics overall and per scene type (ordinal scene-type names, in first-seen order).</summary>
/// <param name="Overall">All samples.</param>
/// <param name="BySceneType">Scene type to the same metrics over its samples only.</param>
public sealed record NarrationReport(NarrationScores Overall, IReadOnlyDictionary<string, NarrationScores> BySceneType);

/// <summary>Options of <see cref="NarrationMetrics"/>; the defaults are the seed benchmark's lists and the shipped lexicon.</summary>
/// <param name="Adjectives">Adjective lexicon (null: <see cref="AdjectiveLexicon.Default"/>).</param>
/// <param name="RelevanceKeywords">Relevance keywords (null: <see cref="SeedChecks.RelevanceKeywords"/>).</param>
/// <param name="GlitchTokens">Glitch tokens (null: <see cref="SeedChecks.GlitchTokens"/>).</param>
/// <param name="Words">Word list of the non-word check (null: <see cref="WordList.Default"/>).</param>
public sealed record NarrationOptions(AdjectiveLexicon? Adjectives = null, IReadOnlyList<string>? RelevanceKeywords = null,
    IReadOnlyList<string>? GlitchTokens = null, WordList? Words = null);

/// <summary>Computes <see cref="NarrationScores"/>; words are <see cref="PtbTokenizer.Tokenize"/> tokens of the raw text.</summary>
public static class NarrationMetrics
{
    /// <summary>Adjective density at which the richness component saturates (one adjective per ten words).</summary>
    public const double RichnessDensityTarget = 0.10;

    /// <summary>Minimum adjective occurrences for a description to count towards <see cref="NarrationScores.AdjectiveCoverage"/>.</summary>
    public const int CoverageMinAdjectives = 2;

    /// <summary>Scene recall below which a narration is off-topic and scores 0 in <see cref="NarrationScores.SeedSuccessRate"/>.</summary>
    public const double MinSceneRecall = 0.5;

    /// <summary>Scores the samples overall and per scene type.</summary>
    public static NarrationReport Evaluate(IReadOnlyList<NarrationSample> samples, NarrationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("no descriptions to score", nameof(samples));
        options ??= new NarrationOptions();
        var groups = new Dictionary<string, List<NarrationSample>>(StringComparer.Ordinal);
        foreach (var s in samples)
        {
            if (!groups.TryGetValue(s.SceneType, out var list)) groups[s.SceneType] = list = [];
            list.Add(s);
        }
        var by = groups.ToDictionary(g => g.Key, g => Score(g.Value, options), StringComparer.Ordinal);
        return new NarrationReport(Score(samples, options), by);
    }

    /// <summary>Scores one set of descriptions (no grouping).</summary>
    public static NarrationScores Score(IReadOnlyList<NarrationSample> samples, NarrationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("no descriptions to score", nameof(samples));
        options ??= new NarrationOptions();
        var lexicon = options.Adjectives ?? AdjectiveLexicon.Default;
        long words = 0, adjectives = 0, covered = 0, unigrams = 0, bigrams = 0;
        var distinct1 = new HashSet<string>(StringComparer.Ordinal);
        var distinct2 = new HashSet<(string, string)>();
        double repeatSum = 0;
        int repeatCount = 0;
        int coherent = 0, relevant = 0, artifacts = 0, rawArtifacts = 0, wellFormed = 0, complete = 0, recallCount = 0;
        long nonWords = 0, checkedWords = 0;
        double success = 0, literalSuccess = 0, recallSum = 0;
        foreach (var sample in samples)
        {
            var tokens = PtbTokenizer.Tokenize(sample.Text);
            words += tokens.Length;
            int adj = tokens.Count(lexicon.Contains);
            adjectives += adj;
            if (adj >= CoverageMinAdjectives) covered++;
            unigrams += tokens.Length;
            distinct1.UnionWith(tokens);
            for (int i = 0; i + 1 < tokens.Length; i++)
            {
                bigrams++;
                distinct2.Add((tokens[i], tokens[i + 1]));
            }
            if (Repeated3GramRate(tokens) is double rate)
            {
                repeatSum += rate;
                repeatCount++;
            }

            var cleaned = SeedChecks.Clean(sample.Text, options.GlitchTokens);
            bool isCoherent = SeedChecks.IsCoherent(cleaned);
            bool hasArtifacts = SeedChecks.HasArtifacts(cleaned, options.GlitchTokens);
            if (isCoherent) coherent++;
            if (SeedChecks.IsRelevant(cleaned, options.RelevanceKeywords)) relevant++;
            if (hasArtifacts) artifacts++;
            if (SeedChecks.HasArtifacts(sample.Text, options.GlitchTokens)) rawArtifacts++;
            double score = SeedChecks.Success(isCoherent, hasArtifacts);
            literalSuccess += score;

            double? recall = sample.Scene is null ? null : SceneGrounding.SceneRecall(sample.Scene, sample.Text);
            if (recall is double r)
            {
                recallSum += r;
                recallCount++;
            }
            success += recall < MinSceneRecall ? 0 : score;
            var (bad, all) = SceneGrounding.NonWords(sample.Text, sample.Scene, options.Words);
            nonWords += bad;
            checkedWords += all;
            if (SceneGrounding.IsWellFormedStart(sample.Text, sample.Scene, options.Words)) wellFormed++;
            if (SceneGrounding.IsCompleteParagraph(sample.Text)) complete++;
        }
        int n = samples.Count;
        double d1 = unigrams == 0 ? 0 : distinct1.Count / (double)unigrams;
        double d2 = bigrams == 0 ? 0 : distinct2.Count / (double)bigrams;
        double density = words == 0 ? 0 : adjectives / (double)words;
        double coverage = covered / (double)n;
        double richness = (Math.Min(1.0, density / RichnessDensityTarget) + d2 + coverage) / 3;
        return new NarrationScores(
            n, words / (double)n, d1, d2, repeatCount == 0 ? 0 : repeatSum / repeatCount,
            coverage, density, richness,
            coherent / (double)n, relevant / (double)n, artifacts / (double)n, rawArtifacts / (double)n, success / n,
            literalSuccess / n, recallCount == 0 ? null : recallSum / recallCount,
            checkedWords == 0 ? 0 : nonWords / (double)checkedWords, wellFormed / (double)n, complete / (double)n);
    }

    /// <summary>Share of a description's 3-grams that repeat an earlier 3-gram of the same description; null when it
    /// has no 3-gram (fewer than 3 words).</summary>
    public static double? Repeated3GramRate(IReadOnlyList<string> tokens)
    {
        int total = tokens.Count - 2;
        if (total <= 0) return null;
        var seen = new HashSet<(string, string, string)>();
        int repeated = 0;
        for (int i = 0; i < total; i++)
        {
            if (!seen.Add((tokens[i], tokens[i + 1], tokens[i + 2]))) repeated++;
        }
        return repeated / (double)total;
    }
}
