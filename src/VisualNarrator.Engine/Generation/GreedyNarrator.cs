using VisualNarrator.Engine.Inference;

namespace VisualNarrator.Engine.Generation;

/// <summary>One generated piece of a narration.</summary>
/// <param name="Text">Newly completed text (may be empty while a UTF-8 character is incomplete).</param>
/// <param name="TokenId">The generated token.</param>
public sealed record NarrationPiece(string Text, int TokenId);

/// <summary>Greedy narration of one prompt on a context: fits the prompt, prefills it in chunks, then takes the most
/// likely token until EOS or the token limit, streaming the text of the generated tokens only (the prompt is never
/// part of the output).</summary>
public sealed class GreedyNarrator(InferenceContext context)
{
    private readonly DecodeBatch _batch = new();

    /// <summary>Runs <paramref name="prompt"/> and yields generated pieces. <paramref name="onFitted"/> is told how the
    /// prompt was fitted (e.g. to warn that it was cut).</summary>
    public IEnumerable<NarrationPiece> Narrate(string prompt, int maxNewTokens = 80, int maxPromptTokens = PromptWindow.DefaultMaxPromptTokens,
        Action<FittedPrompt>? onFitted = null, int sequence = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxNewTokens);
        var model = context.Model;
        var limit = Math.Min(maxPromptTokens, model.Hyperparameters.ContextLength - maxNewTokens);
        if (limit < 2)
            throw new ArgumentOutOfRangeException(nameof(maxNewTokens), $"{maxNewTokens} new tokens leave no room for a prompt in the model's {model.Hyperparameters.ContextLength}-token context");
        var fitted = PromptWindow.Fit(model.Tokenizer.Encode(prompt), limit, model.Tokenizer.BosId);
        onFitted?.Invoke(fitted);

        context.Cache.RemoveSequence(sequence);
        try
        {
            var ids = fitted.Ids;
            for (var start = 0; start < ids.Length; start += context.Options.MaxBatchTokens)
            {
                var end = Math.Min(ids.Length, start + context.Options.MaxBatchTokens);
                _batch.Clear();
                // Every chunk asks for its last token's logits; only the final chunk's are used.
                _batch.AddSequence(ids.AsSpan(start, end - start), start, sequence);
                context.Decode(_batch);
            }
            var decoder = model.Tokenizer.CreateStreamDecoder();
            var position = ids.Length;
            for (var step = 0; step < maxNewTokens; step++)
            {
                var next = ArgMax(context.Logits(0));
                if (next == model.Tokenizer.EosId) break;
                yield return new NarrationPiece(decoder.Push(next), next);
                if (step == maxNewTokens - 1) break;
                _batch.Clear();
                _batch.Add(next, position++, sequence, true);
                context.Decode(_batch);
            }
            var rest = decoder.Flush();
            if (rest.Length > 0) yield return new NarrationPiece(rest, -1);
        }
        finally
        {
            context.Cache.RemoveSequence(sequence);
        }
    }

    /// <summary>Index of the largest value (first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
