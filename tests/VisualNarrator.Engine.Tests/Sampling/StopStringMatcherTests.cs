using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Engine.Tests.Sampling;

public class StopStringMatcherTests
{
    [Fact]
    public void Stop_string_inside_one_piece_cuts_the_piece()
    {
        var m = new StopStringMatcher(["\n\n"]);
        Assert.Equal(new StopStringStep("A cat", false, null), m.Push("A cat"));
        Assert.Equal(new StopStringStep(" sleeps.", true, "\n\n"), m.Push(" sleeps.\n\nNext"));
        Assert.True(m.Stopped);
        Assert.Equal("", m.Flush());
        Assert.Throws<InvalidOperationException>(() => m.Push("more"));
    }

    [Fact]
    public void Stop_string_spanning_tokens_is_held_back_then_dropped()
    {
        var m = new StopStringMatcher(["</s>"]);
        Assert.Equal("abc", m.Push("abc<").Emit);
        Assert.Equal("<", m.HeldBack);
        Assert.Equal("", m.Push("/").Emit);
        Assert.Equal("</", m.HeldBack);
        var last = m.Push("s>tail");
        Assert.Equal(new StopStringStep("", true, "</s>"), last);
    }

    [Fact]
    public void A_false_start_is_released_when_it_cannot_become_a_stop_string()
    {
        var m = new StopStringMatcher(["</s>"]);
        Assert.Equal("a", m.Push("a<").Emit);
        Assert.Equal("</b", m.Push("/b").Emit);
        Assert.Equal("", m.HeldBack);
        Assert.Equal("x", m.Push("x<").Emit);
        Assert.Equal("<", m.Flush());
        Assert.False(m.Stopped);
    }

    [Fact]
    public void Overlapping_prefixes_hold_back_only_what_can_still_match()
    {
        // Text "aaab" with stop "aab": the output is "a".
        var m = new StopStringMatcher(["aab"]);
        Assert.Equal("", m.Push("aa").Emit);
        Assert.Equal("a", m.Push("a").Emit);
        Assert.Equal("aa", m.HeldBack);
        Assert.Equal(new StopStringStep("", true, "aab"), m.Push("b"));
    }

    [Fact]
    public void The_earliest_stop_string_wins()
    {
        var m = new StopStringMatcher(["bc", "ab", "Z"]);
        Assert.Equal(new StopStringStep("x", true, "ab"), m.Push("xabcZ"));
        // Same start: the longer one.
        var n = new StopStringMatcher(["ab", "abc"]);
        Assert.Equal(new StopStringStep("x", true, "abc"), n.Push("xabcd"));
    }

    [Fact]
    public void Without_stop_strings_everything_passes_through()
    {
        var m = new StopStringMatcher([]);
        Assert.Equal("<|end|>", m.Push("<|end|>").Emit);
        Assert.Equal("", m.Push("").Emit);
        Assert.Equal("", m.Flush());
        Assert.Throws<ArgumentException>(() => new StopStringMatcher(["ok", ""]));
    }

    [Fact]
    public void Emitted_text_is_the_text_before_the_first_stop_for_any_split_into_pieces()
    {
        string[] stops = ["\n\n", "END", "Caption:"];
        var rng = new Random(7);
        const string alphabet = "ab \nENDCaption:.";
        for (var trial = 0; trial < 2000; trial++)
        {
            var text = new string(Enumerable.Range(0, rng.Next(0, 30)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
            var first = stops.Select(s => text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
            var expected = first >= 0 ? text[..first] : text;

            var m = new StopStringMatcher(stops);
            var output = "";
            var pos = 0;
            while (pos < text.Length && !m.Stopped)
            {
                var len = Math.Min(rng.Next(0, 5), text.Length - pos);
                var step = m.Push(text.Substring(pos, len));
                pos += len;
                output += step.Emit;
                // Never emits anything that is not part of the final answer.
                Assert.StartsWith(output, expected);
            }
            if (!m.Stopped) output += m.Flush();
            Assert.Equal(expected, output);
            Assert.Equal(first >= 0, m.Stopped);
        }
    }
}
