using System.Text.Json;
using VisualNarrator.Evaluation;
using VisualNarrator.Testing;

namespace VisualNarrator.Evaluation.Tests;

public sealed class PtbTokenizerTests
{
    private static string Tok(string s) => string.Join(" ", PtbTokenizer.Tokenize(s));

    [Theory]
    [InlineData("A man riding a wave on top of a surfboard.", "a man riding a wave on top of a surfboard")]
    [InlineData("A dog's bowl, a cat's toy!", "a dog 's bowl a cat 's toy")]
    [InlineData("It doesn't fit; they can't, won't.", "it does n't fit they ca n't wo n't")]
    [InlineData("We're here, I'm there, you've been, she'd go, they'll see", "we 're here i 'm there you 've been she 'd go they 'll see")]
    [InlineData("I cannot go, we're gonna win", "i can not go we 're gon na win")]
    [InlineData("A close-up of a black-and-white cat", "a close-up of a black-and-white cat")]
    [InlineData("Time is 1:20, price 3.50 or 1,000 items on 2nd st.", "time is 1:20 price 3.50 or 1,000 items on 2nd st.")]
    [InlineData("Mr. Smith and Dr. Who in the U.S. today.", "mr. smith and dr. who in the u.s. today")]
    [InlineData("\"Quoted\" and 'single' words -- dashes... dots", "quoted and single words dashes dots")]
    [InlineData("The dogs' bowls at o'clock", "the dogs bowls at o'clock")]
    [InlineData("A refrigerator/freezer & a #25 shirt for $5", "a refrigerator/freezer & a # 25 shirt for $ 5")]
    public void Tokenize_PtbSplitsLowerCaseAndCocoPunctuationRemoval(string raw, string expected) =>
        Assert.Equal(expected, Tok(raw));

    [Fact]
    public void Brackets_BecomeLowerCasedPtbEscapesThatCocoDoesNotRemove()
    {
        // coco's list holds "-LRB-" in upper case but -lowerCase runs first, so "-lrb-" survives.
        Assert.Equal("a cat -lrb- black -rrb- -lsb- x -rsb- -lcb- y -rcb-", Tok("A cat (black) [x] {y}"));
        Assert.Equal(["A", "cat", "-LRB-", "black", "-RRB-", "."], PtbTokenizer.PtbTokens("A cat (black)."));
    }

    [Fact]
    public void Normalization_UnicodeQuotesDashesEllipsisEntitiesAndLineBreaks()
    {
        Assert.Equal("it 's a dog and cat", Tok("It\u2019s a dog\u2014and\u2026 cat"));
        Assert.Equal("salt & pepper on two lines", Tok("Salt &amp; pepper\non two\r\nlines"));
        Assert.Equal(["``", "Hi", "''"], PtbTokenizer.PtbTokens("\u201CHi\u201D"));
        Assert.Empty(PtbTokenizer.Tokenize(" ... !? "));
    }

    [Fact]
    public void FixtureReferences_AreStableUnderRetokenization_ExceptOneSentenceFinalPeriod()
    {
        // The fixture is Stanford's output; tokenizing it again must change nothing, except "bat." at the end of one
        // caption where Stanford kept the period on the word (a rule this tokenizer does not imitate).
        var dir = RepoPaths.Fixture("coco-caption");
        var refs = JsonSerializer.Deserialize<Dictionary<string, string[]>>(File.ReadAllText(Path.Combine(dir, "references_tokenized.json")))!;
        var changed = refs.Values.SelectMany(v => v).Where(c => Tok(c) != c).ToList();
        Assert.Equal(["a young baseball player in uniform getting ready to bat."], changed);
    }
}
