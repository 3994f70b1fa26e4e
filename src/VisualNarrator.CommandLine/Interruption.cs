using System.Runtime.InteropServices;
using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;

namespace VisualNarrator.CommandLine;

/// <summary>
/// Ctrl+C, SIGTERM, SIGHUP and SIGQUIT for every command. A command that watches a cancellation token
/// (<see cref="Cooperate"/>) gets the first signal as a cancellation and unwinds itself (its outputs' Dispose removes
/// their temporaries); any other command, or a second signal, ends the process at once after removing every pending
/// temporary path (<see cref="AtomicFile.DeletePending"/>), with exit code 128 + the signal number, without running
/// exit handlers (<see cref="ImmediateExit"/>).
/// </summary>
public static class Interruption
{
    private static readonly Lock Gate = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static CancellationTokenSource? _cooperative;
    private static string _tool = "";

    /// <summary>Installs the handlers (once per process).</summary>
    public static void Install(string tool)
    {
        lock (Gate)
        {
            _tool = tool;
            if (Registrations.Count > 0) return;
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            {
                try { Registrations.Add(PosixSignalRegistration.Create(signal, Handle)); }
                catch (PlatformNotSupportedException) { }
            }
        }
    }

    /// <summary>Routes the next signal to <paramref name="source"/> instead of ending the process, until disposed.</summary>
    public static IDisposable Cooperate(CancellationTokenSource source)
    {
        lock (Gate) _cooperative = source;
        return new Scope(source);
    }

    private static void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        CancellationTokenSource? cooperative;
        lock (Gate)
        {
            cooperative = _cooperative;
            _cooperative = null; // a second signal ends the process
        }
        if (cooperative is not null)
        {
            try
            {
                cooperative.Cancel();
                return;
            }
            catch (ObjectDisposedException) { }
        }
        AtomicFile.DeletePending();
        var code = context.Signal switch
        {
            PosixSignal.SIGINT => 130,
            PosixSignal.SIGTERM => 143,
            PosixSignal.SIGHUP => 129,
            PosixSignal.SIGQUIT => 131,
            _ => 128,
        };
        try
        {
            Console.Error.WriteLine($"{_tool}: interrupted ({context.Signal}); partial output removed");
            Console.Out.Flush();
        }
        catch (IOException) { }
        // Not Environment.Exit: its teardown of native libraries crashed a thread still inside ggml (exit 139).
        ImmediateExit.Now(code);
    }

    private sealed class Scope(CancellationTokenSource source) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
                if (ReferenceEquals(_cooperative, source)) _cooperative = null;
        }
    }
}
