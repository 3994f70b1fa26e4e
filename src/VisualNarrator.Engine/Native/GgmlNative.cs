using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>
/// Raw P/Invoke declarations for the ggml C API shipped inside LLamaSharp.Backend.Cpu 0.30.0 (ggml 0.18.0), one
/// partial file per concern: Context, Tensor (tensors and ops), Graph (graphs, allocation, quantization), Backend
/// (buffers, backends, devices, registry, CPU), Scheduler and Threadpool; this file holds the libraries and helpers.
/// </summary>
/// <remarks>
/// Call <see cref="GgmlLibrary.EnsureLoaded"/> before any of these: the library names below only resolve
/// through the resolver it installs, which maps them onto the copies LLamaSharp already loaded.
/// Rules kept throughout:
/// <list type="bullet">
/// <item>Every <c>const char*</c> return is an <see cref="IntPtr"/>: a <c>string</c> return would make the
/// marshaller free memory that ggml owns.</item>
/// <item>C <c>bool</c> is one byte: marshalled as <see cref="UnmanagedType.U1"/>.</item>
/// <item><c>enum ggml_type</c> travels as <see cref="uint"/> (it becomes <c>VisualNarrator.Gguf.GgmlType</c> at merge).</item>
/// <item>Enums that the header marks as packed (<c>ggml_backend_dev_type</c>, <c>ggml_backend_buffer_usage</c>)
/// come back as <see cref="uint"/> and callers keep only the low byte.</item>
/// </list>
/// </remarks>
internal static unsafe partial class GgmlNative
{
    /// <summary>Core tensors, ops, graphs, quantization, buffers and devices.</summary>
    internal const string BaseLibrary = "ggml-base";

    /// <summary>The backend registry (device enumeration, init by type).</summary>
    internal const string RegistryLibrary = "ggml";

    /// <summary>The CPU backend itself.</summary>
    internal const string CpuLibrary = "ggml-cpu";

    // ---- libc: ggml backends read their settings (e.g. GGML_VK_VISIBLE_DEVICES) with getenv, which does not see
    // Environment.SetEnvironmentVariable on Linux ----
    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)] internal static partial int setenv(string name, string value, int overwrite);

    /// <summary>UTF-8 C string owned by ggml, copied to a managed string.</summary>
    internal static string Str(IntPtr p) => p == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(p) ?? "";
}
