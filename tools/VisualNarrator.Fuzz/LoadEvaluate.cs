using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Models;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Fuzz;

/// <summary>What one file did when loaded and evaluated.</summary>
/// <param name="Kind">"ok" (loaded and evaluated), "refused" (a documented input exception), or "violation" (any other
/// exception: a bug the contract does not allow).</param>
/// <param name="Exception">The exception's type name, or null.</param>
/// <param name="Message">Its message, or null.</param>
public sealed record Outcome(string Kind, string? Exception, string? Message);

/// <summary>Loads a GGUF file the way the CLI and the web app do, then evaluates it: tokenizes and detokenizes a
/// prompt with the file's own tokenizer, decodes it, and takes greedy steps. Every failure must be one of the
/// engine's documented input exceptions.</summary>
public static class LoadEvaluate
{
    /// <summary>The exceptions that mean "bad file" or "the model computes garbage": the contract's exit 2.</summary>
    public static bool IsInputFault(Exception ex) => ex is GgufFormatException or ModelLoadException or TokenizerFormatException
        or DecodeException or ModelOutputException;

    /// <summary>Runs the probe on <paramref name="path"/>; a KV cache of <paramref name="contextSize"/> cells.</summary>
    public static Outcome Run(string path, int contextSize = 32, int steps = 2)
    {
        try
        {
            using var model = Model.Load(path, new ModelLoadOptions("cpu", Threads: 1));
            var ids = model.Tokenizer.Encode("Describe this image: a busy city street");
            _ = model.Tokenizer.Decode(ids, skipSpecial: false);
            var prompt = ids.Take(Math.Min(ids.Length, Math.Min(16, model.Hyperparameters.ContextLength - steps))).ToArray();
            if (prompt.Length == 0) return new Outcome("ok", null, null);
            using var ctx = new InferenceContext(model, new InferenceOptions(ContextSize: Math.Min(contextSize, model.Hyperparameters.ContextLength)));
            var batch = new DecodeBatch();
            batch.AddSequence(prompt, 0, 0);
            ctx.Decode(batch);
            var position = prompt.Length;
            for (var s = 0; s < steps && position < model.Hyperparameters.ContextLength; s++, position++)
            {
                var logits = ctx.Logits(0);
                var next = 0;
                for (var i = 1; i < logits.Length; i++) if (logits[i] > logits[next]) next = i;
                batch.Clear();
                batch.Add(next, position, 0, true);
                ctx.Decode(batch);
            }
            return new Outcome("ok", null, null);
        }
        catch (Exception ex) when (IsInputFault(ex))
        {
            return new Outcome("refused", ex.GetType().Name, ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new Outcome("violation", ex.GetType().Name, ex.Message);
        }
    }
}
