using AngleSharp.Dom;
using Bunit;
using WebEngine.Web.Components.Shared;

namespace WebEngine.Dashboard.Tests.Components;

/// <summary>The state column: the state, with the healthcheck's status while the container runs, as docker ps tells it.</summary>
public sealed class StateChipTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();

    public StateChipTests() => _context.Services.AddMudServicesForTests();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    private IElement Chip(string state, string? health) =>
        _context.Render<StateChip>(p => p.Add(c => c.State, state).Add(c => c.Health, health)).Find("[data-testid=container-state]");

    [Theory]
    [InlineData("running", "healthy", "running (healthy)", "success")]
    [InlineData("running", "unhealthy", "running (unhealthy)", "error")]
    [InlineData("running", "starting", "running (starting)", "info")]
    [InlineData("running", null, "running", "success")]
    [InlineData("exited", "unhealthy", "exited", null)]
    [InlineData("paused", "healthy", "paused", "warning")]
    public void Shows_the_health_of_a_running_container(string state, string? health, string text, string? color)
    {
        var chip = Chip(state, health);
        Assert.Equal(text, chip.TextContent.Trim());
        if (color is null)
            Assert.DoesNotContain("mud-chip-color-error", chip.GetAttribute("class"), StringComparison.Ordinal);
        else
            Assert.Contains($"mud-chip-color-{color}", chip.GetAttribute("class"), StringComparison.Ordinal);
    }
}
