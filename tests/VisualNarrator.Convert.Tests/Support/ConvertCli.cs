using System.Diagnostics;
using VisualNarrator.Testing;

namespace VisualNarrator.Convert.Tests.Support;

/// <summary>Runs the real <c>convert</c> tool (built next to the tests) as a child process.</summary>
internal static class ConvertCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Process Start(params string[] args)
    {
        var psi = NarratorCli.DefaultSignals("dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "convert.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "200";
        return Process.Start(psi)!;
    }

    public static Result Run(params string[] args) => Wait(Start(args), args);

    public static Result Wait(Process p, string[] args)
    {
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"convert {string.Join(' ', args)} did not finish");
            }
            return new Result(p.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
