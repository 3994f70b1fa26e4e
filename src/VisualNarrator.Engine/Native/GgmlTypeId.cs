namespace VisualNarrator.Engine.Native;

// GGML_TYPE_COUNT: ggml indexes its type traits without a bounds check, so ids at or above it never reach it.
internal static class GgmlTypeId
{
    // enum ggml_type is 0..GGML_TYPE_COUNT-1 (40 in ggml 0.18.0); ids removed from ggml have block size 0.
    internal const uint Count = 40;
}
