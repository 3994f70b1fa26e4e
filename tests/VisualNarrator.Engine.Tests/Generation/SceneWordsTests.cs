using VisualNarrator.Engine.Generation;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Engine.Tests.Generation;

public class SceneWordsTests
{
    [Fact]
    public void Content_words_keep_their_case_and_order_and_drop_stop_words_template_words_and_repeats()
    {
        var words = SceneWords.ContentWords("Describe this image: a Golden retriever's frisbee at 3am, and the retriever's owner");
        Assert.Equal(["Golden", "retriever", "frisbee", "3am", "owner"], words);
        Assert.True(SceneWords.IsStopWord("The"));
        Assert.True(SceneWords.IsStopWord("it's"));
        Assert.False(SceneWords.IsStopWord("violin"));
        Assert.Empty(SceneWords.ContentWords("What do you see in this picture: "));
    }

    [Fact]
    public void Token_sequences_are_each_word_as_written_after_a_space()
    {
        var tokenizer = OptTokenizer.FromGpt2Ranks();
        var sequences = SceneWords.TokenSequences("Describe this image: a robot repairing a violin", tokenizer);
        Assert.Equal([" robot", " repairing", " violin"], sequences.Select(ids => tokenizer.Decode(ids)));
        Assert.All(sequences, ids => Assert.Equal(tokenizer.Encode(tokenizer.Decode(ids), addSpecialTokens: false), ids));
    }

    [Fact]
    public void Token_ends_tell_blank_tokens_and_sentence_ends_from_words()
    {
        var tokenizer = OptTokenizer.FromGpt2Ranks();
        TokenEnd End(string text) => SceneWords.TokenEnd(tokenizer, tokenizer.Encode(text, addSpecialTokens: false).Single());
        Assert.Equal(TokenEnd.Sentence, End("."));
        Assert.Equal(TokenEnd.Sentence, End("?"));
        Assert.Equal(TokenEnd.Sentence, End(".\""));
        Assert.Equal(TokenEnd.Blank, End("\n"));
        Assert.Equal(TokenEnd.Other, End(" dog"));
        Assert.Equal(TokenEnd.Other, End(","));
    }

    [Theory]
    [InlineData(" The", true)]
    [InlineData("\u201cA", true)]
    [InlineData(" (3", true)]
    [InlineData("y", false)]
    [InlineData(" is", false)]
    [InlineData(" ", false)]
    [InlineData("", false)]
    public void OpensSentence_AsksForACapitalOrADigitAfterOpeners(string text, bool opens) =>
        Assert.Equal(opens, SceneWords.OpensSentence(text));
}
