using VisualNarrator.Web;
using VisualNarrator.Web.Load;

if (args.Length > 0 && args[0] == "load") return await LoadCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "hostile") return await HostileCommand.RunAsync(args[1..]);

var app = NarratorApp.Configure(NarratorApp.CreateBuilder(args).Build());
await app.RunAsync();
return 0;

/// <summary>The entry point (top-level statements); public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
