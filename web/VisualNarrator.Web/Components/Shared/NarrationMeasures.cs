using VisualNarrator.Evaluation;

namespace VisualNarrator.Web.Components.Shared;

/// <summary>The compare view's numbers for one narration, with the evaluation suite's definitions (docs/metrics.md):
/// words are PTB tokens, adjectives come from the shipped lexicon, repetition is the repeated 3-gram rate.</summary>
/// <param name="Words">Word count.</param>
/// <param name="Adjectives">Adjective occurrences.</param>
/// <param name="Repetition">Share of 3-grams repeating an earlier one (0 when fewer than 3 words).</param>
public sealed record NarrationMeasures(int Words, int Adjectives, double Repetition)
{
    /// <summary>Measures a narration.</summary>
    public static NarrationMeasures Of(string text)
    {
        var tokens = PtbTokenizer.Tokenize(text);
        return new NarrationMeasures(tokens.Length, tokens.Count(AdjectiveLexicon.Default.Contains), NarrationMetrics.Repeated3GramRate(tokens) ?? 0);
    }
}
