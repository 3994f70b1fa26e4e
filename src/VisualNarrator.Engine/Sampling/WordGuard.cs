using VisualNarrator.Engine.Generation;

namespace VisualNarrator.Engine.Sampling;

/// <summary>
/// Keeps every word a narration writes a word (<see cref="SamplingSettings.WordGuard"/>): one of a
/// <see cref="WordList"/> or of the prompt. A small model that has never seen a scene's rare word writes it again as
/// a look-alike ("the flakeent", "the olake") or stops half-way ("behind a pia."); the guard turns those draws down
/// and the sampler draws again from what is left.
/// </summary>
/// <remarks>
/// <para>Words are read as the evaluation reads them (<see cref="SceneWords.Words"/>): runs of ASCII letters and
/// digits with one apostrophe suffix, lower-cased; every other character separates words. A token is allowed when,
/// appended to the word the narration ends with, every word it completes is a word (the list holds it or it without
/// its apostrophe suffix, or the prompt has it) and the word it leaves open is the start of one. A token with no text
/// (the end of text) completes the open word. Words with a digit are left alone (numbers, times).</para>
/// <para>Works on token texts only: the caller supplies each token's text (the tokenizer's decoding of that one
/// token).</para>
/// </remarks>
public sealed class WordGuard
{
    private readonly WordList _list;
    private readonly WordList _promptWords;
    private readonly Func<int, string> _tokenText;
    private string _tail = "";

    /// <summary>Starts before the first generated token.</summary>
    /// <param name="words">The words every narration may use (<see cref="WordList.Default"/>).</param>
    /// <param name="prompt">The prompt; its words are allowed too (the user's own, invented or rare words).</param>
    /// <param name="tokenText">The text of one token.</param>
    public WordGuard(WordList words, string prompt, Func<int, string> tokenText)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(tokenText);
        _list = words;
        _tokenText = tokenText;
        _promptWords = new WordList(SceneWords.Words(prompt).Select(SceneWords.Base));
    }

    /// <summary>True when appending the token keeps every word a word or the start of one.</summary>
    public bool Allows(int token)
    {
        var text = Normalise(_tokenText(token));
        var s = _tail + text;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (IsWordChar(s[i])) continue;
            if (i > start && !IsCompleteWord(s[start..i])) return false;
            start = i + 1;
        }
        // The last run stays open unless the token has no text (the end of the narration).
        var last = s[start..];
        return text.Length == 0 ? IsCompleteWord(last) : StartsWord(last);
    }

    /// <summary>Records the token appended to the narration.</summary>
    public void Append(int token)
    {
        var s = _tail + Normalise(_tokenText(token));
        var last = s.Length;
        while (last > 0 && IsWordChar(s[last - 1])) last--;
        _tail = s[last..];
    }

    /// <summary>The word the narration ends with, lower-cased (empty after a separator); for tests.</summary>
    internal string Tail => _tail;

    private static string Normalise(string text) => text.ToLowerInvariant().Replace('\u2019', '\'');

    private static bool IsWordChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '\'';

    private bool IsCompleteWord(string run)
    {
        foreach (var w in SceneWords.Words(run))
        {
            if (!w.Any(char.IsAsciiLetterLower) || w.Any(char.IsAsciiDigit)) continue;
            if (!(_list.IsWord(w) || _promptWords.Contains(SceneWords.Base(w)))) return false;
        }
        return true;
    }

    /// <summary>True when the open run (no separator in it; may be empty) can still become a word.</summary>
    private bool StartsWord(string run)
    {
        run = run.TrimStart('\'');
        if (run.Length == 0 || run.Any(char.IsAsciiDigit)) return true;
        var apostrophe = run.IndexOf('\'');
        // Past the apostrophe any suffix will do ("dog's", "can't"): the word before it must be whole.
        if (apostrophe > 0) return IsCompleteWord(run[..apostrophe]);
        return _list.HasPrefix(run) || _promptWords.HasPrefix(run);
    }
}
