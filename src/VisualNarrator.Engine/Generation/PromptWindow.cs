namespace VisualNarrator.Engine.Generation;

/// <summary>A prompt cut to fit: the ids to run and how many were dropped.</summary>
/// <param name="Ids">Prompt ids, BOS first when the model uses one.</param>
/// <param name="DroppedTokens">Tokens removed from the left of the prompt (0 when it fit).</param>
public sealed record FittedPrompt(int[] Ids, int DroppedTokens)
{
    /// <summary>True when the prompt was cut.</summary>
    public bool Truncated => DroppedTokens > 0;
}

/// <summary>Cuts long prompts from the left, as the seed model does (it keeps the last 128 tokens), so the end of
/// the prompt, which the continuation depends on, survives. A leading BOS is kept in place.</summary>
public static class PromptWindow
{
    /// <summary>The seed model's prompt limit in tokens.</summary>
    public const int DefaultMaxPromptTokens = 128;

    /// <summary>Keeps at most <paramref name="maxTokens"/> ids (BOS included), dropping from the left after BOS.</summary>
    public static FittedPrompt Fit(int[] ids, int maxTokens, int? bosId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        if (ids.Length <= maxTokens) return new FittedPrompt(ids, 0);
        var keepBos = bosId is int bos && ids.Length > 0 && ids[0] == bos;
        var tail = ids[^(keepBos ? maxTokens - 1 : maxTokens)..];
        var fitted = keepBos ? [ids[0], .. tail] : tail;
        return new FittedPrompt(fitted, ids.Length - fitted.Length);
    }
}
