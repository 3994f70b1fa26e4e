namespace VisualNarrator.Web.Load;

/// <summary>Placeholder; the load command follows.</summary>
public static class LoadCommand
{
    /// <summary>Runs the load command.</summary>
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
