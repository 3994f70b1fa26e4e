using System.CommandLine;
using VisualNarrator.Engine.Sampling;

namespace VisualNarrator.Cli.Commands;

/// <summary>Every sampling control as a command-line option (llama.cpp / HuggingFace names), on top of a preset.</summary>
public sealed class SamplingOptions
{
    private readonly Option<string> _preset = new("--preset") { Description = "Starting point: narrator (default: the seed model's settings, penalties on generated tokens only), seed (the seed model's exactly: temperature 0.4, repetition penalty 1.8 and no-repeat 3-grams over prompt and output, 80 tokens), greedy, creative", DefaultValueFactory = _ => SamplingPresetTable.DefaultName };
    private readonly Option<float?> _temperature = new("--temperature", "--temp") { Description = "0 = greedy" };
    private readonly Option<int?> _topK = new("--top-k") { Description = "Keep the k most likely tokens (0 = off)" };
    private readonly Option<float?> _topP = new("--top-p") { Description = "Nucleus: smallest set with this cumulative probability (1 = off)" };
    private readonly Option<float?> _minP = new("--min-p") { Description = "Drop tokens below min_p x the top probability (0 = off)" };
    private readonly Option<float?> _typicalP = new("--typical-p") { Description = "Locally typical sampling (1 = off)" };
    private readonly Option<float?> _repetition = new("--repetition-penalty", "--repeat-penalty") { Description = "HuggingFace repetition penalty over prompt and output (1 = off)" };
    private readonly Option<int?> _lastN = new("--penalty-last-n", "--repeat-last-n") { Description = "Tokens the penalties look back over (-1 = all, 0 = off)" };
    private readonly Option<float?> _presence = new("--presence-penalty") { Description = "OpenAI presence penalty" };
    private readonly Option<float?> _frequency = new("--frequency-penalty") { Description = "OpenAI frequency penalty" };
    private readonly Option<bool?> _penalizePrompt = new("--penalize-prompt") { Description = "true: penalties and the n-gram ban count the prompt's tokens (HuggingFace); false: generated tokens only (llama.cpp)" };
    private readonly Option<int?> _noRepeat = new("--no-repeat-ngram-size") { Description = "Ban repeating any n-gram of this size (0 = off)" };
    private readonly Option<float?> _xtcProbability = new("--xtc-probability") { Description = "XTC: chance of excluding the top choices (0 = off)" };
    private readonly Option<float?> _xtcThreshold = new("--xtc-threshold") { Description = "XTC: probability a choice needs to be excluded" };
    private readonly Option<int?> _mirostat = new("--mirostat") { Description = "0 = off, 2 = mirostat v2" };
    private readonly Option<float?> _mirostatTau = new("--mirostat-tau") { Description = "Mirostat target surprise" };
    private readonly Option<float?> _mirostatEta = new("--mirostat-eta") { Description = "Mirostat learning rate" };
    private readonly Option<uint?> _seed = new("--seed", "-s") { Description = "Random seed (same seed and settings, same text)" };
    private readonly Option<int?> _maxNew = new("--max-new-tokens", "-n") { Description = "Most tokens to generate" };
    private readonly Option<string[]> _stop = new("--stop") { Description = "Stop when this text is generated (repeatable)", AllowMultipleArgumentsPerToken = false };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _preset, _temperature, _topK, _topP, _minP, _typicalP, _repetition, _lastN, _presence, _frequency,
                     _penalizePrompt, _noRepeat, _xtcProbability, _xtcThreshold, _mirostat, _mirostatTau, _mirostatEta, _seed, _maxNew, _stop })
            command.Options.Add(o);
    }

    /// <summary>The preset with every option given on the command line applied, validated.</summary>
    public SamplingSettings Build(ParseResult parse)
    {
        var s = SamplingPresetTable.Get(parse.GetValue(_preset)!, "--preset");
        s = s with
        {
            Temperature = parse.GetValue(_temperature) ?? s.Temperature,
            TopK = parse.GetValue(_topK) ?? s.TopK,
            TopP = parse.GetValue(_topP) ?? s.TopP,
            MinP = parse.GetValue(_minP) ?? s.MinP,
            TypicalP = parse.GetValue(_typicalP) ?? s.TypicalP,
            RepetitionPenalty = parse.GetValue(_repetition) ?? s.RepetitionPenalty,
            PenaltyLastN = parse.GetValue(_lastN) ?? s.PenaltyLastN,
            PresencePenalty = parse.GetValue(_presence) ?? s.PresencePenalty,
            FrequencyPenalty = parse.GetValue(_frequency) ?? s.FrequencyPenalty,
            PenalizePrompt = parse.GetValue(_penalizePrompt) ?? s.PenalizePrompt,
            NoRepeatNgramSize = parse.GetValue(_noRepeat) ?? s.NoRepeatNgramSize,
            XtcProbability = parse.GetValue(_xtcProbability) ?? s.XtcProbability,
            XtcThreshold = parse.GetValue(_xtcThreshold) ?? s.XtcThreshold,
            Mirostat = parse.GetValue(_mirostat) ?? s.Mirostat,
            MirostatTau = parse.GetValue(_mirostatTau) ?? s.MirostatTau,
            MirostatEta = parse.GetValue(_mirostatEta) ?? s.MirostatEta,
            Seed = parse.GetValue(_seed) ?? s.Seed,
            MaxNewTokens = parse.GetValue(_maxNew) ?? s.MaxNewTokens,
            StopStrings = parse.GetValue(_stop) is { Length: > 0 } stops ? stops : s.StopStrings,
        };
        return s.Validate();
    }
}
