using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The console tab: a terminal exec'd into the container, its output, and what it says when the process ends.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    /// <summary>The state once the exec runs ("connected: sh"); the state before connecting, "not connected", contains the word too.</summary>
    private static readonly Regex Connected = new("^connected: ");

    [Fact]
    public async Task Operator_runs_echo_in_the_console_and_sees_its_output_then_the_exit()
    {
        var name = DashboardFixture.NewName("console");
        var id = await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        var page = await fixture.SignedInPageAsync(DashboardFixture.OperatorName, $"/ui/containers/{id}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Console" }).ClickAsync();
        await page.Locator("[data-testid=console-connect]").ClickAsync();
        await Expect(page.Locator("[data-testid=console-state]")).ToHaveTextAsync(Connected, new() { Timeout = 30_000 });

        var terminal = page.Locator("[data-testid=console-terminal] .xterm-rows");
        // ash flushes input typed before its prompt (TCSAFLUSH), as a real terminal would.
        await Expect(terminal).ToContainTextAsync("# ", new() { Timeout = 30_000 });
        await page.Locator("[data-testid=console-terminal] .xterm").ClickAsync();
        await page.Keyboard.TypeAsync("echo hello-$((40+2))");
        await page.Keyboard.PressAsync("Enter");
        await Expect(terminal).ToContainTextAsync("hello-42", new() { Timeout = 30_000 });
        await DashboardFixture.ScreenshotAsync(page, "container-console");

        await page.Keyboard.TypeAsync("exit 3");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-testid=console-state]")).ToContainTextAsync("process exited with code 3", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task Console_says_so_when_the_container_stops()
    {
        var name = DashboardFixture.NewName("console-stop");
        var id = await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        var page = await fixture.SignedInPageAsync(DashboardFixture.OperatorName, $"/ui/containers/{id}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Console" }).ClickAsync();
        await page.Locator("[data-testid=console-connect]").ClickAsync();
        await Expect(page.Locator("[data-testid=console-state]")).ToHaveTextAsync(Connected, new() { Timeout = 30_000 });

        await fixture.Daemon.DockerOkAsync("kill", name);
        await Expect(page.Locator("[data-testid=console-state]")).ToContainTextAsync(new Regex("container stopped|process exited"), new() { Timeout = 30_000 });
    }
}
