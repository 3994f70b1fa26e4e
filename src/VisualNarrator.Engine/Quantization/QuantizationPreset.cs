using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Quantization;

/// <summary>A whole-model quantization type as llama.cpp's <c>llama-quantize</c> names it (<c>q4_k_m</c>, ...): the
/// default type of the 2-D weights, the <c>llama_ftype</c> written to <c>general.file_type</c>, and whether the
/// per-tensor mix of <see cref="QuantizationMix"/> bumps some tensors to more bits.</summary>
public sealed class QuantizationPreset
{
    private QuantizationPreset(string name, GgmlType defaultType, uint fileType)
    {
        Name = name;
        DefaultType = defaultType;
        FileType = fileType;
    }

    /// <summary>Name as llama-quantize spells it, lower case (<c>q4_k_m</c>).</summary>
    public string Name { get; }

    /// <summary>Type of a 2-D weight that no mix rule or fallback changes (Q4_K for q4_k_m).</summary>
    public GgmlType DefaultType { get; }

    /// <summary>llama.cpp's <c>enum llama_ftype</c> value, stored as <c>general.file_type</c>.</summary>
    public uint FileType { get; }

    /// <summary>F16 weights (LLAMA_FTYPE_MOSTLY_F16 = 1).</summary>
    public static QuantizationPreset F16 { get; } = new("f16", GgmlType.F16, 1);

    /// <summary>Q8_0 weights, output/tied embedding Q8_0 too (LLAMA_FTYPE_MOSTLY_Q8_0 = 7).</summary>
    public static QuantizationPreset Q8_0 { get; } = new("q8_0", GgmlType.Q8_0, 7);

    /// <summary>Q6_K weights (LLAMA_FTYPE_MOSTLY_Q6_K = 18).</summary>
    public static QuantizationPreset Q6_K { get; } = new("q6_k", GgmlType.Q6_K, 18);

    /// <summary>Q5_K with Q6_K on output and on some attn_v / ffn_down (LLAMA_FTYPE_MOSTLY_Q5_K_M = 17).</summary>
    public static QuantizationPreset Q5_K_M { get; } = new("q5_k_m", GgmlType.Q5_K, 17);

    /// <summary>Q4_K with Q6_K on output and on some attn_v / ffn_down (LLAMA_FTYPE_MOSTLY_Q4_K_M = 15).</summary>
    public static QuantizationPreset Q4_K_M { get; } = new("q4_k_m", GgmlType.Q4_K, 15);

    /// <summary>Q4_0 weights, output/tied embedding Q6_K (LLAMA_FTYPE_MOSTLY_Q4_0 = 2).</summary>
    public static QuantizationPreset Q4_0 { get; } = new("q4_0", GgmlType.Q4_0, 2);

    /// <summary>Every supported preset.</summary>
    public static IReadOnlyList<QuantizationPreset> All { get; } = [F16, Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0];

    /// <summary>Whether the preset's weights are block-quantized (everything but f16); only then does the mix apply.</summary>
    public bool IsQuantized => GgmlTypeInfo.IsQuantized(DefaultType);

    /// <summary>Finds a preset by name, case-insensitively (<c>Q4_K_M</c> = <c>q4_k_m</c>).</summary>
    /// <exception cref="Inference.InvalidSettingException">The name is not a supported preset; the message lists the supported ones.</exception>
    public static QuantizationPreset Parse(string name) =>
        TryParse(name, out var preset) ? preset
            : throw new Inference.InvalidSettingException("--type", $"unknown quantization type '{name}'; supported: {string.Join(", ", All.Select(p => p.Name))}");

    /// <summary>Finds a preset by name, case-insensitively.</summary>
    public static bool TryParse(string? name, out QuantizationPreset preset)
    {
        preset = All.FirstOrDefault(p => string.Equals(p.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))!;
        return preset is not null;
    }

    /// <summary>The preset's name.</summary>
    public override string ToString() => Name;
}
