using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

// Tensors in a context and the ops that build a graph from them.
internal static unsafe partial class GgmlNative
{
    // ---- tensors ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_tensor_1d(IntPtr ctx, uint type, long ne0);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_tensor_2d(IntPtr ctx, uint type, long ne0, long ne1);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_tensor_3d(IntPtr ctx, uint type, long ne0, long ne1, long ne2);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_new_tensor_4d(IntPtr ctx, uint type, long ne0, long ne1, long ne2, long ne3);
    [LibraryImport(BaseLibrary, StringMarshalling = StringMarshalling.Utf8)] internal static partial IntPtr ggml_set_name(IntPtr tensor, string name);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_get_name(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_op_desc(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial nuint ggml_nbytes(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_get_first_tensor(IntPtr ctx);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_get_next_tensor(IntPtr ctx, IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial long ggml_nelements(IntPtr tensor);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_is_contiguous(IntPtr tensor);
    [LibraryImport(BaseLibrary)] [return: MarshalAs(UnmanagedType.U1)] internal static partial bool ggml_is_transposed(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_set_input(IntPtr tensor);
    [LibraryImport(BaseLibrary)] internal static partial void ggml_set_output(IntPtr tensor);

    // ---- ops ----
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_get_rows(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_set_rows(IntPtr ctx, IntPtr a, IntPtr b, IntPtr c);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_norm(IntPtr ctx, IntPtr a, float eps);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_add(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_mul(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_mul_mat(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_relu(IntPtr ctx, IntPtr a);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_gelu(IntPtr ctx, IntPtr a);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_view_1d(IntPtr ctx, IntPtr a, long ne0, nuint offset);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_view_2d(IntPtr ctx, IntPtr a, long ne0, long ne1, nuint nb1, nuint offset);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_view_3d(IntPtr ctx, IntPtr a, long ne0, long ne1, long ne2, nuint nb1, nuint nb2, nuint offset);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_reshape_2d(IntPtr ctx, IntPtr a, long ne0, long ne1);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_reshape_3d(IntPtr ctx, IntPtr a, long ne0, long ne1, long ne2);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_permute(IntPtr ctx, IntPtr a, int axis0, int axis1, int axis2, int axis3);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_cont(IntPtr ctx, IntPtr a);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_pad(IntPtr ctx, IntPtr a, int p0, int p1, int p2, int p3);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_transpose(IntPtr ctx, IntPtr a);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_cpy(IntPtr ctx, IntPtr a, IntPtr b);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_soft_max_ext(IntPtr ctx, IntPtr a, IntPtr mask, float scale, float maxBias);
    [LibraryImport(BaseLibrary)] internal static partial IntPtr ggml_flash_attn_ext(IntPtr ctx, IntPtr q, IntPtr k, IntPtr v, IntPtr mask, float scale, float maxBias, float logitSoftcap);
    /// <summary><paramref name="prec"/>: GGML_PREC_DEFAULT 0, GGML_PREC_F32 10.</summary>
    [LibraryImport(BaseLibrary)] internal static partial void ggml_flash_attn_ext_set_prec(IntPtr a, int prec);
}
