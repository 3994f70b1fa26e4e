namespace VisualNarrator.Engine.Native;

// The few ggml_type ids this folder needs itself. MERGE: replace with VisualNarrator.Gguf.GgmlType.
internal static class GgmlTypeId
{
    internal const uint F32 = 0;
    internal const uint F16 = 1;
    internal const uint I32 = 26;
    internal const uint I64 = 27;

    // enum ggml_type is 0..GGML_TYPE_COUNT-1 (40 in ggml 0.18.0); ids removed from ggml have block size 0.
    internal const uint Count = 40;
}
