using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>Raw declarations of ggml's own GGUF writer (gguf.h), used by the tests to check our managed reader against
/// files that ggml writes (they live here so the library resolver of <see cref="GgmlLibrary"/> applies). Same rules as
/// <see cref="GgmlNative"/>.</summary>
internal static unsafe partial class GgufNative
{
    [LibraryImport(GgmlNative.BaseLibrary)] internal static partial IntPtr gguf_init_empty();
    [LibraryImport(GgmlNative.BaseLibrary)] internal static partial void gguf_free(IntPtr ctx);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_u8(IntPtr ctx, string key, byte val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_i8(IntPtr ctx, string key, sbyte val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_u16(IntPtr ctx, string key, ushort val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_i16(IntPtr ctx, string key, short val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_u32(IntPtr ctx, string key, uint val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_i32(IntPtr ctx, string key, int val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_f32(IntPtr ctx, string key, float val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_u64(IntPtr ctx, string key, ulong val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_i64(IntPtr ctx, string key, long val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_f64(IntPtr ctx, string key, double val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_bool(IntPtr ctx, string key, [MarshalAs(UnmanagedType.U1)] bool val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_val_str(IntPtr ctx, string key, string val);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_arr_data(IntPtr ctx, string key, uint type, void* data, nuint n);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial void gguf_set_arr_str(IntPtr ctx, string key, IntPtr* data, nuint n);
    [LibraryImport(GgmlNative.BaseLibrary)] internal static partial void gguf_add_tensor(IntPtr ctx, IntPtr tensor);
    [LibraryImport(GgmlNative.BaseLibrary, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool gguf_write_to_file(IntPtr ctx, string fname, [MarshalAs(UnmanagedType.U1)] bool onlyMeta);
    [LibraryImport(GgmlNative.BaseLibrary)] internal static partial IntPtr ggml_get_data(IntPtr tensor);
}
