using VisualNarrator.Convert.HuggingFace;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Commands;

/// <summary>Parsers for option values shared by the commands.</summary>
public static class Options
{
    /// <summary>f32 | f16 | bf16 → torch dtype.</summary>
    public static ScalarType ParseDType(string text) => text.Trim().ToLowerInvariant() switch
    {
        "f32" or "float32" => ScalarType.Float32,
        "f16" or "float16" => ScalarType.Float16,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"--dtype must be f32, f16 or bf16, got '{text}'"),
    };

    /// <summary>safetensors | bin → format.</summary>
    public static WeightFormat ParseFormat(string text) => text.Trim().ToLowerInvariant() switch
    {
        "safetensors" => WeightFormat.Safetensors,
        "bin" => WeightFormat.TorchBin,
        _ => throw new ArgumentException($"--format must be safetensors or bin, got '{text}'"),
    };
}
