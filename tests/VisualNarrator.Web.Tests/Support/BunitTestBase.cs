using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Tests.Support;

/// <summary>bUnit context with MudBlazor, the app's scoped services and a <see cref="FakeNarrator"/> (DESIGN section 10).</summary>
public abstract class BunitTestBase : BunitContext, IAsyncLifetime
{
    protected FakeNarrator Narrator { get; } = new();

    protected BunitTestBase()
    {
        // Two shared cores: allow slow renders.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddLogging();
        Services.AddSingleton<INarrator>(Narrator);
        Services.AddScoped<BrowserStorage>();
        Services.AddScoped<ClientIdentity>();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    /// <summary>Triggers an event again when a render replaced the element in between (pages re-render on their own
    /// when a narration streams or ends).</summary>
    protected static void Retry(Action trigger)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                trigger();
                return;
            }
            catch (Bunit.Rendering.UnknownEventHandlerIdException) when (attempt < 40)
            {
                Thread.Sleep(50);
            }
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
