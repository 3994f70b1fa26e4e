namespace VisualNarrator.Engine.Inference;

/// <summary>Tokens to decode together: each with its position in its sequence, its sequence id, and whether its
/// logits are wanted. Reused between steps so decoding allocates nothing per token.</summary>
public sealed class DecodeBatch
{
    private int[] _tokens, _positions, _sequences;
    private bool[] _wantLogits;

    /// <summary>Creates an empty batch with room for <paramref name="capacity"/> tokens (it grows when needed).</summary>
    public DecodeBatch(int capacity = 64)
    {
        _tokens = new int[capacity];
        _positions = new int[capacity];
        _sequences = new int[capacity];
        _wantLogits = new bool[capacity];
    }

    /// <summary>Tokens in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Tokens that want logits.</summary>
    public int OutputCount { get; private set; }

    internal ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, Count);
    internal ReadOnlySpan<int> Positions => _positions.AsSpan(0, Count);
    internal ReadOnlySpan<int> Sequences => _sequences.AsSpan(0, Count);
    internal ReadOnlySpan<bool> WantLogits => _wantLogits.AsSpan(0, Count);

    /// <summary>Appends a token.</summary>
    public void Add(int token, int position, int sequence, bool wantLogits)
    {
        if (Count == _tokens.Length)
        {
            var n = Count * 2;
            Array.Resize(ref _tokens, n);
            Array.Resize(ref _positions, n);
            Array.Resize(ref _sequences, n);
            Array.Resize(ref _wantLogits, n);
        }
        _tokens[Count] = token;
        _positions[Count] = position;
        _sequences[Count] = sequence;
        _wantLogits[Count] = wantLogits;
        Count++;
        if (wantLogits) OutputCount++;
    }

    /// <summary>Appends a run of tokens of one sequence at consecutive positions; logits for the last one only.</summary>
    public void AddSequence(ReadOnlySpan<int> tokens, int firstPosition, int sequence, bool logitsForLast = true)
    {
        for (var i = 0; i < tokens.Length; i++)
            Add(tokens[i], firstPosition + i, sequence, logitsForLast && i == tokens.Length - 1);
    }

    /// <summary>Makes the last token produce logits (a decode needs at least one output row).</summary>
    public void RequestLogitsForLast()
    {
        if (Count == 0) throw new InvalidOperationException("the batch is empty");
        if (_wantLogits[Count - 1]) return;
        _wantLogits[Count - 1] = true;
        OutputCount++;
    }

    /// <summary>Empties the batch, keeping its memory.</summary>
    public void Clear()
    {
        Count = 0;
        OutputCount = 0;
    }
}
