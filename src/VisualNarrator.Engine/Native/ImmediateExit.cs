using System.Runtime.InteropServices;

namespace VisualNarrator.Engine.Native;

/// <summary>Ends the process at once with libc's <c>_exit</c>: no exit handlers and no native libraries' static
/// destructors. A signal handler that ends the process runs on its own thread while another may be inside ggml;
/// <see cref="Environment.Exit"/> then tore down ggml's backends under that thread, and the process died of SIGSEGV
/// instead of exiting with the signal's code.</summary>
public static partial class ImmediateExit
{
    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);

    /// <summary>Ends the process with <paramref name="code"/>; where libc is missing, falls back to
    /// <see cref="Environment.Exit"/>. Flush what must reach a file or the terminal before calling it.</summary>
    public static void Now(int code)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                Exit(code);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
            }
        }
        Environment.Exit(code);
    }
}
