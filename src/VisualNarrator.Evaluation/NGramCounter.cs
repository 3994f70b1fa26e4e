namespace VisualNarrator.Evaluation;

/// <summary>
/// Counts n-grams (n = 1..4) of token lists. Tokens are interned to integer ids so that an n-gram is an exact
/// value-type key (no joining with separators that could collide).
/// </summary>
internal sealed class NGramCounter
{
    /// <summary>Largest n-gram order a key can hold.</summary>
    public const int MaxOrder = 4;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    /// <summary>Counts every n-gram of order 1..<paramref name="maxOrder"/> in <paramref name="tokens"/>.</summary>
    public Dictionary<NGram, int> Count(IReadOnlyList<string> tokens, int maxOrder)
    {
        if (maxOrder is < 1 or > MaxOrder) throw new ArgumentOutOfRangeException(nameof(maxOrder), maxOrder, $"n-gram order must be 1..{MaxOrder}");
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = Intern(tokens[i]);
        var counts = new Dictionary<NGram, int>();
        for (int k = 1; k <= maxOrder; k++)
        {
            for (int i = 0; i + k <= ids.Length; i++)
            {
                var g = NGram.From(ids, i, k);
                counts[g] = counts.GetValueOrDefault(g) + 1;
            }
        }
        return counts;
    }

    private int Intern(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!_ids.TryGetValue(token, out int id))
        {
            id = _ids.Count;
            _ids.Add(token, id);
        }
        return id;
    }
}

/// <summary>An n-gram of interned token ids; unused positions hold -1.</summary>
internal readonly record struct NGram(int A, int B, int C, int D)
{
    /// <summary>Number of tokens in the n-gram (1..4).</summary>
    public int Order => D >= 0 ? 4 : C >= 0 ? 3 : B >= 0 ? 2 : 1;

    public static NGram From(int[] ids, int start, int length) => length switch
    {
        1 => new NGram(ids[start], -1, -1, -1),
        2 => new NGram(ids[start], ids[start + 1], -1, -1),
        3 => new NGram(ids[start], ids[start + 1], ids[start + 2], -1),
        4 => new NGram(ids[start], ids[start + 1], ids[start + 2], ids[start + 3]),
        _ => throw new ArgumentOutOfRangeException(nameof(length)),
    };
}
