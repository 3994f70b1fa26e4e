using System.Text;
using VisualNarrator.Engine.Serving;

namespace VisualNarrator.Web.Api;

/// <summary>Log probabilities of generated tokens in OpenAI's two shapes, from the probabilities the engine drew each
/// token with (the distribution after penalties, filters and temperature).</summary>
public static class Logprobs
{
    /// <summary>Stands in for log(0), which JSON cannot hold.</summary>
    public const double Floor = -9999;

    /// <summary>Natural log of a probability; <see cref="Floor"/> for 0 or unknown.</summary>
    public static double Of(float p) => p > 0 && float.IsFinite(p) ? Math.Max(Math.Log(p), Floor) : Floor;

    /// <summary>Chat completions: <c>{"content": [{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob",
    /// "bytes"}]}], "refusal": null}</c>.</summary>
    public static object Chat(IEnumerable<NarrationPiece> pieces, int top) => new
    {
        content = Chosen(pieces).Select(c =>
        {
            var (p, token) = c;
            return new
            {
                token,
                logprob = Of(p.Probability),
                bytes = Bytes(token),
                top_logprobs = Top(p, top).Select(a => new { token = a.Text, logprob = Of(a.Probability), bytes = Bytes(a.Text) }).ToArray(),
            };
        }).ToArray(),
        refusal = (string?)null,
    };

    /// <summary>Completions: <c>{"tokens", "token_logprobs", "top_logprobs": [{token: logprob}], "text_offset"}</c>;
    /// offsets count from <paramref name="offset"/> (the text streamed before these pieces).</summary>
    public static object Completion(IReadOnlyList<NarrationPiece> pieces, int offset, int top)
    {
        var chosen = Chosen(pieces);
        var offsets = new List<int>();
        var at = offset;
        foreach (var p in pieces)
        {
            if (p.TokenId >= 0) offsets.Add(at);
            at += p.Text.Length;
        }
        return new
        {
            tokens = chosen.Select(c => c.Text).ToArray(),
            token_logprobs = chosen.Select(c => Of(c.Piece.Probability)).ToArray(),
            // Alternatives with the same text (different ids) keep the first, the most likely.
            top_logprobs = chosen.Select(c => Top(c.Piece, top).GroupBy(a => a.Text).ToDictionary(g => g.Key, g => Of(g.First().Probability))).ToArray(),
            text_offset = offsets.ToArray(),
        };
    }

    /// <summary>The pieces that carry a token, each with its text. A piece without a token of its own (the bytes of an
    /// unfinished character, flushed when the narration ends) is added to the token before it, so that the tokens still
    /// add up to the text.</summary>
    private static List<(NarrationPiece Piece, string Text)> Chosen(IEnumerable<NarrationPiece> pieces)
    {
        var chosen = new List<(NarrationPiece Piece, string Text)>();
        foreach (var p in pieces)
        {
            if (p.TokenId >= 0) chosen.Add((p, TokenText(p)));
            else if (chosen.Count > 0) chosen[^1] = (chosen[^1].Piece, chosen[^1].Text + p.Text);
        }
        return chosen;
    }

    /// <summary>The <paramref name="n"/> most likely tokens of the step: the chosen one and the engine's alternatives
    /// (which leave the chosen one out).</summary>
    private static IEnumerable<TokenAlternative> Top(NarrationPiece p, int n) =>
        p.Alternatives.Where(a => a.TokenId != p.TokenId).Append(new TokenAlternative(p.TokenId, TokenText(p), p.Probability))
            .OrderByDescending(a => a.Probability).Take(n);

    /// <summary>UTF-8 bytes as a list of integers (a byte[] would be written as base64).</summary>
    private static int[] Bytes(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    /// <summary>The token's own text: from its entry among the alternatives when listed, else the text the piece added
    /// (empty while a character or a possible stop string is pending; the text then comes with a later token).</summary>
    private static string TokenText(NarrationPiece p) => p.Alternatives.FirstOrDefault(a => a.TokenId == p.TokenId)?.Text ?? p.Text;
}
