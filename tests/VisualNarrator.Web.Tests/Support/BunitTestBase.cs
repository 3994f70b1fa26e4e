using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Tests.Support;

/// <summary>bUnit context with MudBlazor, the app's scoped services and a <see cref="FakeNarrator"/>.</summary>
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

    /// <summary>Finds an element and raises its event in one step on the renderer's dispatcher. Pages re-render on
    /// their own while a narration streams or ends; a find on the test thread followed by a dispatch could hit an
    /// element that a render in between had replaced (bUnit: "no event handler with ID ...").</summary>
    protected static void Trigger<TComponent>(IRenderedComponent<TComponent> cut, Action findAndRaise)
        where TComponent : IComponent =>
        cut.InvokeAsync(findAndRaise).GetAwaiter().GetResult();

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
