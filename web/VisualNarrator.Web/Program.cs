using Microsoft.Extensions.Options;
using VisualNarrator.Web;

WebApplication app;
try
{
    app = NarratorApp.Configure(NarratorApp.CreateBuilder(args).Build());
    await app.StartAsync();
}
catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or IOException)
{
    // A bad setting (an unreadable key file, invalid options) or a port in use: one line, no stack trace.
    Console.Error.WriteLine($"VisualNarrator.Web: {ex.Message.ReplaceLineEndings(" ")}");
    return 2;
}
try
{
    await app.WaitForShutdownAsync();
}
finally
{
    await app.DisposeAsync();
}
return 0;

/// <summary>The entry point (top-level statements); public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
