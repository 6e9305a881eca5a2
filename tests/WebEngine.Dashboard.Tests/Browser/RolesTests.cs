using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>Sign-in and sign-out, and what each role is shown and allowed.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RolesTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Repeated_wrong_passwords_are_throttled_and_the_page_says_to_wait()
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.Daemon.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var name = DashboardFixture.NewName("guesser");
        // The daemon's default: five failures for one user name, then a lockout.
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            // A fresh form each time (no error in its address), so the wait below sees this attempt's answer.
            await page.GotoAsync("/signin");
            await page.FillAsync("#username", name);
            await page.FillAsync("#password", "wrong");
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync("**/signin?error=**");
            if (attempt == 1)
                await Expect(page.Locator("[data-testid=signin-error]")).ToHaveTextAsync("The user name or password is wrong.");
        }
        await Expect(page.Locator("[data-testid=signin-error]")).ToContainTextAsync("Too many failed sign-ins");
        await DashboardFixture.ScreenshotAsync(page, "signin-throttled");
        await context.CloseAsync();

        // Another user from the same address still signs in.
        await fixture.SignedInPageAsync(DashboardFixture.ViewerName, "/ui/containers");
    }

    [Fact]
    public async Task Viewer_sees_no_write_actions_and_the_server_refuses_them()
    {
        var name = DashboardFixture.NewName("viewed");
        var id = await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName, "/ui/containers");
        var row = page.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("running");
        await Expect(page.Locator("[data-testid^=action-]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=create-container]")).ToHaveCountAsync(0);
        await DashboardFixture.ScreenshotAsync(page, "containers-viewer");

        await row.Locator("[data-testid=container-link]").ClickAsync();
        await Expect(page.Locator("[data-testid=container-name]")).ToHaveTextAsync(name);
        await Expect(page.Locator("[data-testid^=action-]")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Console" }).ClickAsync();
        await Expect(page.GetByText("The console needs the operator role.")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=console-connect]")).ToHaveCountAsync(0);

        // With the viewer's own cookie, the server refuses the write (403) and the container keeps running.
        var stop = await page.Context.APIRequest.PostAsync($"/containers/{id}/stop");
        Assert.Equal(403, stop.Status);
        var create = await page.Context.APIRequest.GetAsync("/ui/containers/create");
        Assert.DoesNotContain("create-submit", await create.TextAsync());
        Assert.Equal("running", await fixture.Daemon.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));
    }

    [Fact]
    public async Task Operator_sees_start_and_stop_but_not_remove_or_create()
    {
        var name = DashboardFixture.NewName("operated");
        await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        var page = await fixture.SignedInPageAsync(DashboardFixture.OperatorName, "/ui/containers");
        var row = page.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=action-stop]")).ToHaveCountAsync(1);
        await Expect(row.Locator("[data-testid=action-remove]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=create-container]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Wrong_password_is_refused_then_sign_in_and_sign_out_work()
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.Daemon.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ui/volumes");
        await page.WaitForURLAsync("**/signin**");
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", "wrong");
        await page.ClickAsync("button[type=submit]");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("wrong");
        await DashboardFixture.ScreenshotAsync(page, "signin");

        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", DashboardDaemon.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/ui/volumes");
        await DashboardFixture.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator("[data-testid=signed-in-user]")).ToContainTextAsync("admin");

        await page.Locator("[data-testid=sign-out]").ClickAsync();
        await page.WaitForURLAsync("**/signin**");
        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/signin**");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Every_page_renders_for_the_admin()
    {
        var page = await fixture.SignedInPageAsync("admin", "/");
        await Expect(page.Locator("[data-testid=host-facts]")).ToContainTextAsync("Kernel");
        await Expect(page.Locator("[data-testid=image-count]")).ToHaveTextAsync("1");
        await DashboardFixture.ScreenshotAsync(page, "overview");

        await page.GotoAsync("/ui/images");
        await Expect(page.Locator("[data-testid=image-tags]").First).ToContainTextAsync("busybox:latest");
        await DashboardFixture.ScreenshotAsync(page, "images");

        await page.GotoAsync("/ui/volumes");
        await DashboardFixture.WaitUntilInteractiveAsync(page);
        await DashboardFixture.Input(page, "volume-name").FillAsync("dashboard-volume");
        await page.Locator("[data-testid=volume-create]").ClickAsync();
        await Expect(page.Locator("[data-testid=volume-row-name]", new() { HasText = "dashboard-volume" })).ToHaveCountAsync(1);
        await DashboardFixture.ScreenshotAsync(page, "volumes");

        await page.GotoAsync("/ui/events");
        await Expect(page.Locator("[data-testid=event-action]", new() { HasText = "create" }).First).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "events");

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/ui/containers");
        await DashboardFixture.WaitUntilInteractiveAsync(page);
        await DashboardFixture.ScreenshotAsync(page, "containers-phone");
    }
}
