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
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        return Process.Start(psi)!;
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
