using System.Diagnostics;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The create form (its validation and the engine's), then the new container's logs, live, and a stop seen in the table.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CreateAndLogsTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Create_form_shows_field_errors_and_the_engines_errors()
    {
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers/create");
        await page.Locator("[data-testid=create-submit]").ClickAsync();
        await Expect(page.GetByText("an image is required")).ToBeVisibleAsync();

        await DashboardFixture.Input(page, "create-image").FillAsync("busybox");
        await DashboardFixture.Input(page, "create-name").FillAsync("bad name!");
        await DashboardFixture.Input(page, "create-memory").FillAsync("12x");
        await page.Locator("[data-testid=create-submit]").ClickAsync();
        await Expect(page.GetByText("Invalid container name (bad name!)")).ToBeVisibleAsync();
        await Expect(page.GetByText("invalid size: '12x'")).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "create-container-errors");

        // Well-formed but refused by the engine (a name in use): the API's own message, and nothing created.
        var taken = DashboardFixture.NewName("taken");
        var existing = await fixture.Daemon.DockerOkAsync("create", "--name", taken, "busybox", "true");
        await DashboardFixture.Input(page, "create-name").FillAsync(taken);
        await DashboardFixture.Input(page, "create-memory").FillAsync("");
        await page.Locator("[data-testid=create-submit]").ClickAsync();
        await Expect(page.Locator("[data-testid=create-error]")).ToContainTextAsync($"The container name \"/{taken}\" is already in use");
        Assert.Equal(existing[..12], await fixture.Daemon.DockerOkAsync("ps", "-aq", "--filter", $"name={taken}"));
        await fixture.Daemon.DockerOkAsync("rm", taken);
    }

    [Fact]
    public async Task Fields_typed_one_right_after_another_keep_their_own_text()
    {
        // The image field once was an autocomplete that took the focus when its search answered: the name typed next landed in it.
        var name = DashboardFixture.NewName("quick");
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers/create");
        var image = DashboardFixture.Input(page, "create-image");
        await Expect(image).ToHaveAttributeAsync("list", "local-image-tags");
        await Expect(page.Locator("#local-image-tags option[value='busybox:latest']")).ToHaveCountAsync(1);

        await image.PressSequentiallyAsync("busy");
        await DashboardFixture.Input(page, "create-name").PressSequentiallyAsync(name);
        await DashboardFixture.Input(page, "create-command").PressSequentiallyAsync("sleep 5");
        await DashboardFixture.Input(page, "create-entrypoint").FocusAsync();
        await Expect(page.Locator("[data-testid=create-docker-run]")).ToContainTextAsync($"--name {name} busy sleep 5");
        await Expect(image).ToHaveValueAsync("busy");
        await Expect(DashboardFixture.Input(page, "create-name")).ToHaveValueAsync(name);
        await Expect(DashboardFixture.Input(page, "create-command")).ToHaveValueAsync("sleep 5");
        Assert.Equal("create-entrypoint", await page.EvaluateAsync<string>(
            "document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? ''"));
    }

    [Fact]
    public async Task Created_counter_shows_its_lines_live_and_its_stop_reaches_the_table()
    {
        var name = DashboardFixture.NewName("counter");
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers/create");
        await DashboardFixture.Input(page, "create-image").FillAsync("busybox");
        await DashboardFixture.Input(page, "create-name").FillAsync(name);
        await Expect(DashboardFixture.Input(page, "create-name")).ToHaveValueAsync(name);
        await DashboardFixture.Input(page, "create-command").FillAsync("sh -c 'i=0; while true; do echo count-$i; i=$((i+1)); sleep 0.2; done'");
        await Expect(page.Locator("[data-testid=create-docker-run]")).ToContainTextAsync($"docker run -d --name {name}");
        await page.Locator("[data-testid=create-submit]").ClickAsync();

        await page.WaitForURLAsync("**/ui/containers/*");
        await Expect(page.Locator("[data-testid=container-state]")).ToHaveTextAsync("running", new() { Timeout = 30_000 });
        await page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        var view = page.Locator("[data-testid=log-view]");
        await Expect(view).ToContainTextAsync("count-2", new() { Timeout = 30_000 });
        // Lines written after the tab opened arrive without a reload.
        await Expect(view).ToContainTextAsync("count-15", new() { Timeout = 30_000 });
        await DashboardFixture.ScreenshotAsync(page, "container-logs");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Overview" }).ClickAsync();
        await Expect(page.Locator("[data-testid=docker-run]")).ToContainTextAsync("busybox sh -c");
        await DashboardFixture.ScreenshotAsync(page, "container-overview");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Stats" }).ClickAsync();
        await Expect(page.Locator("[data-testid=stats-memory]")).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
        await DashboardFixture.ScreenshotAsync(page, "container-stats");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Events" }).ClickAsync();
        await Expect(page.Locator("[data-testid=event-action]", new() { HasText = "start" }).First).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "container-events");

        var table = await fixture.SignedInPageAsync("admin", "/ui/containers");
        var row = table.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("running");
        await fixture.Daemon.DockerOkAsync("stop", "-t", "1", name);
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("exited", new() { Timeout = 30_000 });
    }
}
