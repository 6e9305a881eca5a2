using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The containers table follows the engine live, and its actions work, with progress while a stop waits.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ContainersTableTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Table_follows_containers_started_and_stopped_with_the_docker_cli_without_a_reload()
    {
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers");
        var name = DashboardFixture.NewName("live");
        var row = page.Locator("tr.container-row", new() { HasText = name });
        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;

        await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "--stop-timeout", "1", "busybox", "sleep", "300");
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("running", new() { Timeout = 30_000 });
        await DashboardFixture.ScreenshotAsync(page, "containers");

        await fixture.Daemon.DockerOkAsync("stop", name);
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("exited", new() { Timeout = 30_000 });
        await Expect(row.Locator("[data-testid=container-status]")).ToContainTextAsync("Exited (");
        Assert.Equal(0, navigations);

        await fixture.Daemon.DockerOkAsync("rm", name);
        await Expect(row).ToHaveCountAsync(0, new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task Start_and_stop_from_the_page_show_progress_until_the_state_changes()
    {
        var name = DashboardFixture.NewName("buttons");
        // sleep as PID 1 ignores SIGTERM: the stop waits for its timeout, so the countdown is visible.
        await fixture.Daemon.DockerOkAsync("create", "--name", name, "--stop-timeout", "4", "busybox", "sleep", "300");
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers");
        var row = page.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("created");

        await row.Locator("[data-testid=action-start]").ClickAsync();
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("running", new() { Timeout = 30_000 });
        Assert.Contains("running", await fixture.Daemon.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));

        await row.Locator("[data-testid=action-stop]").ClickAsync();
        await page.Locator(".mud-dialog button", new() { HasText = "Stop" }).ClickAsync();
        await Expect(row.Locator("[data-testid=container-progress]")).ToContainTextAsync("SIGKILL in", new() { Timeout = 30_000 });
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("exited", new() { Timeout = 30_000 });
        Assert.Contains("exited", await fixture.Daemon.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));
    }

    [Fact]
    public async Task Search_and_state_filter_narrow_the_table()
    {
        var running = DashboardFixture.NewName("findme");
        var created = DashboardFixture.NewName("other");
        await fixture.Daemon.DockerOkAsync("run", "-d", "--name", running, "--label", "team=blue", "busybox", "sleep", "300");
        await fixture.Daemon.DockerOkAsync("create", "--name", created, "busybox", "true");
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers");
        await Expect(page.Locator("tr.container-row", new() { HasText = created })).ToHaveCountAsync(1);

        await DashboardFixture.Input(page, "container-search").FillAsync("team=blue");
        await Expect(page.Locator("tr.container-row", new() { HasText = running })).ToHaveCountAsync(1);
        await Expect(page.Locator("tr.container-row", new() { HasText = created })).ToHaveCountAsync(0);
    }
}
