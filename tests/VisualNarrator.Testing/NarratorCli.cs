using System.Diagnostics;

namespace VisualNarrator.Testing;

/// <summary>Runs the real <c>narrator</c> executable (built next to the tests) as a child process.</summary>
public static class NarratorCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => Wait(Start(args));

    /// <summary>Runs narrator with extra environment variables.</summary>
    public static Result Run(IReadOnlyDictionary<string, string> environment, params string[] args) => Wait(Start(environment, args));

    /// <summary>Starts narrator without waiting (to signal it mid-run); finish with <see cref="Wait"/>.</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    private static Process Start(IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "narrator.dll");
        var psi = DefaultSignals("dotnet");
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        return Process.Start(psi)!;
    }

    /// <summary>Starts <paramref name="program"/> through <c>env --default-signal=INT</c> (coreutils), which restores
    /// SIGINT's default disposition and then execs it under the same pid. A test run started in the background by a
    /// script (<c>dotnet test &amp;</c>) ignores SIGINT, children inherit that, and the runtime keeps an ignored SIGINT
    /// ignored: the Ctrl-C tests would then test nothing. Output is redirected.</summary>
    public static ProcessStartInfo DefaultSignals(string program)
    {
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add(program);
        return psi;
    }

    public static Result Wait(Process p)
    {
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"narrator {string.Join(' ', p.StartInfo.ArgumentList.Skip(1))} did not finish");
            }
            return new Result(p.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
