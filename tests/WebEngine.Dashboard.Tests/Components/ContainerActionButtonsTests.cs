using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using WebEngine.Api.Auth;
using WebEngine.Web.Components;
using WebEngine.Web.Components.Shared;

namespace WebEngine.Dashboard.Tests.Components;

/// <summary>The action buttons a row shows, by the container's state and the user's role.</summary>
public sealed class ContainerActionButtonsTests : IAsyncLifetime
{
    // MudBlazor's services are only IAsyncDisposable: the context is disposed asynchronously, not by xunit's Dispose.
    private readonly BunitContext _context = new();

    public ContainerActionButtonsTests()
    {
        _context.Services.AddMudServicesForTests();
        _context.Services.AddSingleton<IWebEngineAuthorization, WebEngineAuthorization>();
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    /// <summary>The buttons for a user of <paramref name="role"/>, who holds the claims of every role below it, as the API's principals do.</summary>
    private string[] Actions(string state, string role)
    {
        var auth = _context.AddAuthorization();
        auth.SetAuthorized("someone");
        auth.SetRoles([.. Roles.Including(role)]);
        var cut = _context.Render<ContainerActionButtons>(p => p.Add(c => c.State, state));
        return cut.FindAll("[data-testid^=action-]").Select(e => e.GetAttribute("data-testid")!["action-".Length..]).ToArray();
    }

    [Fact]
    public void Viewer_gets_no_buttons() => Assert.Empty(Actions("running", Roles.Viewer));

    [Fact]
    public void Operator_gets_the_running_containers_verbs_without_remove() =>
        Assert.Equal(["stop", "restart", "kill", "pause"], Actions("running", Roles.Operator));

    [Fact]
    public void Admin_also_removes() =>
        Assert.Equal(["start", "restart", "remove"], Actions("exited", Roles.Admin));

    [Fact]
    public void Paused_container_offers_resume() =>
        Assert.Equal(["resume"], Actions("paused", Roles.Operator));

    [Fact]
    public void Clicking_a_button_raises_the_verb()
    {
        var auth = _context.AddAuthorization();
        auth.SetAuthorized("someone");
        auth.SetRoles([.. Roles.Including(Roles.Operator)]);
        ContainerVerb? raised = null;
        var cut = _context.Render<ContainerActionButtons>(p => p.Add(c => c.State, "running").Add(c => c.OnAction, v => raised = v));
        cut.Find("[data-testid=action-stop]").Click();
        Assert.Equal(ContainerVerb.Stop, raised);
    }
}
