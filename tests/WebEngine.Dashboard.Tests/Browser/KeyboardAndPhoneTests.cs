using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The dashboard with the keyboard alone (containers, images, users, tokens, the create form), and on a phone's screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class KeyboardAndPhoneTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const string FocusedTestId = "document.activeElement?.getAttribute('data-testid') ?? ''";
    private const string InDialog = "!!document.activeElement?.closest('.mud-dialog-container, .mud-dialog')";

    [Fact]
    public async Task Containers_page_and_a_stop_by_keyboard_only()
    {
        var name = DashboardFixture.NewName("keyed");
        // Ends at once on SIGTERM, so the stop does not wait for its SIGKILL.
        await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait");
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers");
        var row = page.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("running");

        // The first Tab reaches the skip link, shown while focused; Enter moves the focus to the content.
        await SkipToContentAsync(page);

        // Tab on to the row's stop button, whose focus is visible.
        await TabUntilAsync(page, $"document.activeElement?.getAttribute('data-testid') === 'action-stop' && document.activeElement.closest('tr')?.textContent.includes('{name}')");
        await AssertFocusVisibleAsync(page);
        await DashboardFixture.ScreenshotAsync(page, "keyboard-focus");

        // The confirmation keeps the focus inside it, and Escape closes it without stopping anything.
        await page.Keyboard.PressAsync("Enter");
        await AssertDialogKeepsTheFocusAsync(page);
        var dialog = page.Locator(".mud-dialog");
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.Equal("running", await fixture.Daemon.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));
        // The focus is back on the button that opened the dialog.
        await page.WaitForFunctionAsync($"document.activeElement?.getAttribute('data-testid') === 'action-stop' && document.activeElement.closest('tr')?.textContent.includes('{name}')",
            null, new() { Timeout = 30_000 });

        // Again, confirmed with the keyboard: the row shows the container stopped.
        await TabUntilAsync(page, $"document.activeElement?.getAttribute('data-testid') === 'action-stop' && document.activeElement.closest('tr')?.textContent.includes('{name}')");
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog).ToBeVisibleAsync();
        await page.WaitForFunctionAsync(InDialog, null, new() { Timeout = 30_000 });
        await TabUntilAsync(page, FocusedDialogButton("stop"));
        await DashboardFixture.ScreenshotAsync(page, "keyboard-confirm");
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("exited", new() { Timeout = 30_000 });

        // A row opens with the keyboard too.
        await TabUntilAsync(page, $"document.activeElement?.getAttribute('data-testid') === 'container-link' && document.activeElement.textContent.includes('{name}')");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-testid=container-name]")).ToHaveTextAsync(name);
        await fixture.Daemon.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task On_a_phone_the_drawer_collapses_tables_stack_and_actions_stay_reachable()
    {
        var name = DashboardFixture.NewName("phone");
        await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers");
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        await DashboardFixture.WaitUntilInteractiveAsync(page);

        var containersLink = page.GetByRole(AriaRole.Link, new() { Name = "Volumes" });
        await Expect(containersLink).Not.ToBeInViewportAsync();
        var row = page.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("running");
        // The page itself never scrolls sideways: the table stacks its cells.
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            $"the page is {await page.EvaluateAsync<int>("document.documentElement.scrollWidth")} px wide on a 390 px screen");
        var stop = row.Locator("[data-testid=action-stop]");
        await stop.ScrollIntoViewIfNeededAsync();
        await Expect(stop).ToBeInViewportAsync();
        await DashboardFixture.ScreenshotAsync(page, "phone-containers");

        // The menu opens the drawer over the page and a link in it navigates.
        await page.Locator("[data-testid=menu]").ClickAsync();
        await Expect(containersLink).ToBeInViewportAsync();
        await DashboardFixture.ScreenshotAsync(page, "phone-drawer");
        await containersLink.ClickAsync();
        await page.WaitForURLAsync("**/ui/volumes");

        await page.GotoAsync("/ui/containers/" + name);
        await DashboardFixture.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator("[data-testid=action-stop]")).ToBeInViewportAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        await Expect(page.Locator("[data-testid=log-view]")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the container page scrolls sideways");
        await DashboardFixture.ScreenshotAsync(page, "phone-container-logs");
        await fixture.Daemon.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task Images_page_tags_by_keyboard_and_its_remove_dialog_keeps_the_focus()
    {
        var page = await fixture.SignedInPageAsync("admin", "/ui/images");
        await Expect(page.Locator("[data-testid=image-tags]", new() { HasText = "busybox:latest" })).ToHaveCountAsync(1);
        await SkipToContentAsync(page);

        // The row's tag button opens a field that has the focus; Enter tags.
        await TabUntilAsync(page, $"{Focused("image-tag")} && {InRow("busybox:latest")}");
        await AssertFocusVisibleAsync(page);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync(Focused("image-new-tag"), null, new() { Timeout = 30_000 });
        await page.Keyboard.TypeAsync("keyed/busybox:v1");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-testid=image-tags]", new() { HasText = "keyed/busybox:v1" })).ToHaveCountAsync(1);
        Assert.Contains("keyed/busybox:v1", await fixture.Daemon.DockerOkAsync("images", "--format", "{{.Repository}}:{{.Tag}}"), StringComparison.Ordinal);
        // The focus is back on the row's button; Escape closes the field again without tagging.
        await page.WaitForFunctionAsync($"{Focused("image-tag")} && {InRow("keyed/busybox:v1")}", null, new() { Timeout = 30_000 });
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync(Focused("image-new-tag"), null, new() { Timeout = 30_000 });
        await page.Keyboard.TypeAsync("never/tagged:v1");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("[data-testid=image-new-tag]")).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync($"{Focused("image-tag")} && {InRow("keyed/busybox:v1")}", null, new() { Timeout = 30_000 });
        Assert.DoesNotContain("never/tagged", await fixture.Daemon.DockerOkAsync("images", "--format", "{{.Repository}}"), StringComparison.Ordinal);

        // Remove asks first: the dialog keeps the focus, Escape closes it and nothing is removed.
        await TabUntilAsync(page, $"{Focused("image-remove")} && {InRow("keyed/busybox:v1")}");
        await page.Keyboard.PressAsync("Enter");
        await AssertDialogKeepsTheFocusAsync(page);
        await DashboardFixture.ScreenshotAsync(page, "keyboard-images-remove");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=image-tags]", new() { HasText = "keyed/busybox:v1" })).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync($"{Focused("image-remove")} && {InRow("keyed/busybox:v1")}", null, new() { Timeout = 30_000 });
        await fixture.Daemon.DockerOkAsync("rmi", "keyed/busybox:v1");
    }

    [Fact]
    public async Task Users_page_creates_resets_and_removes_a_user_by_keyboard_only()
    {
        var name = DashboardFixture.NewName("keyuser");
        var page = await fixture.SignedInPageAsync("admin", "/ui/users");
        await Expect(page.Locator("tr.user-row").First).ToBeVisibleAsync();
        await SkipToContentAsync(page);

        await TabUntilAsync(page, Focused("user-new-name"));
        await AssertFocusVisibleAsync(page);
        await page.Keyboard.TypeAsync(name);
        await TabUntilAsync(page, Focused("user-new-password"));
        await page.Keyboard.TypeAsync("keyboard-password");
        // The role: Tab reaches the radio group, the arrow keys choose in it.
        await TabUntilAsync(page, "document.activeElement?.closest('[data-testid=user-new-role]')");
        await AssertFocusVisibleAsync(page);
        var operatorRadio = page.GetByRole(AriaRole.Radio, new() { Name = "operator" });
        for (var i = 0; i < 4 && !await operatorRadio.IsCheckedAsync(); i++)
            await page.Keyboard.PressAsync("ArrowRight");
        await Expect(operatorRadio).ToBeCheckedAsync();
        await TabUntilAsync(page, Focused("user-create"));
        await page.Keyboard.PressAsync("Enter");
        var row = page.Locator("tr.user-row", new() { HasText = name });
        await Expect(row).ToHaveCountAsync(1);
        Assert.Equal("operator", await RoleOverSocketAsync(name));

        // The role's select opens with the keyboard, the arrows move in its list, Enter chooses.
        await TabUntilAsync(page, $"{Focused("user-role")} && {InRow(name)}");
        await AssertFocusVisibleAsync(page);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".mud-popover-open .mud-list-item").First).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "keyboard-users-role");
        await page.Keyboard.PressAsync("ArrowUp");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".mud-snackbar", new() { HasText = $"{name} is now viewer" })).ToBeVisibleAsync();
        Assert.Equal("viewer", await RoleOverSocketAsync(name));

        // A new password: the field has the focus when it opens, Enter sets it.
        await TabUntilAsync(page, $"{Focused("user-reset-password")} && {InRow(name)}");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync(Focused("user-reset-new"), null, new() { Timeout = 30_000 });
        await page.Keyboard.TypeAsync("another-keyboard-password");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".mud-snackbar", new() { HasText = $"New password set for {name}" })).ToBeVisibleAsync();
        await page.WaitForFunctionAsync($"{Focused("user-reset-password")} && {InRow(name)}", null, new() { Timeout = 30_000 });

        await TabUntilAsync(page, $"{Focused("user-remove")} && {InRow(name)}");
        await page.Keyboard.PressAsync("Enter");
        await AssertDialogKeepsTheFocusAsync(page);
        await TabUntilAsync(page, FocusedDialogButton("remove"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(row).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Tokens_page_creates_and_revokes_a_token_by_keyboard_only()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName, "/ui/tokens");
        await Expect(page.Locator("[data-testid=tokens-title]")).ToContainTextAsync(DashboardFixture.ViewerName);
        await SkipToContentAsync(page);

        await TabUntilAsync(page, Focused("token-new-name"));
        await AssertFocusVisibleAsync(page);
        await page.Keyboard.TypeAsync("keyed");
        await page.Keyboard.PressAsync("Enter");
        var row = page.Locator("tr.token-row", new() { HasText = "keyed" });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=token-secret]")).ToContainTextAsync("wet_");

        await TabUntilAsync(page, $"{Focused("token-revoke")} && {InRow("keyed")}");
        await AssertFocusVisibleAsync(page);
        await page.Keyboard.PressAsync("Enter");
        await AssertDialogKeepsTheFocusAsync(page);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        await Expect(row).ToHaveCountAsync(1);

        await TabUntilAsync(page, $"{Focused("token-revoke")} && {InRow("keyed")}");
        await page.Keyboard.PressAsync("Enter");
        await AssertDialogKeepsTheFocusAsync(page);
        await TabUntilAsync(page, FocusedDialogButton("revoke"));
        await DashboardFixture.ScreenshotAsync(page, "keyboard-tokens-revoke");
        await page.Keyboard.PressAsync("Enter");
        await Expect(row).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Create_form_filled_and_submitted_by_keyboard_only()
    {
        var name = DashboardFixture.NewName("keyform");
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers/create");
        await SkipToContentAsync(page);

        var runLine = page.Locator("[data-testid=create-docker-run]");
        await TabUntilAsync(page, Focused("create-image"));
        await AssertFocusVisibleAsync(page);
        await page.Keyboard.TypeAsync("busybox");
        await TabUntilAsync(page, Focused("create-name"));
        // Each field is bound when it loses the focus; the render that answers it rewrites the form's inputs. Typing into
        // the next field before that render came back lost the typed text on a loaded CI machine: wait for it.
        await Expect(runLine).ToContainTextAsync("busybox");
        await page.Keyboard.TypeAsync(name);
        await TabUntilAsync(page, Focused("create-command"));
        await Expect(runLine).ToContainTextAsync($"--name {name}");
        await page.Keyboard.TypeAsync("sleep 300");
        // The restart policy's select: opened with the keyboard, the arrows choose, Escape closes the list.
        await TabUntilAsync(page, Focused("create-restart"));
        await AssertFocusVisibleAsync(page);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".mud-popover-open .mud-list-item", new() { HasTextRegex = new("^unless-stopped$") })).ToBeVisibleAsync();
        for (var i = 0; i < 6; i++)
        {
            var before = await runLine.TextContentAsync() ?? "";
            if (before.Contains("--restart unless-stopped", StringComparison.Ordinal))
                break;
            await page.Keyboard.PressAsync("ArrowDown");
            await Expect(runLine).Not.ToHaveTextAsync(before);
        }
        await page.Keyboard.PressAsync("Escape");
        await Expect(runLine).ToContainTextAsync("--restart unless-stopped");
        await Expect(runLine).ToContainTextAsync($"--name {name}");
        await Expect(runLine).ToContainTextAsync("busybox sleep 300");
        await TabUntilAsync(page, Focused("create-submit"));
        await AssertFocusVisibleAsync(page);
        await DashboardFixture.ScreenshotAsync(page, "keyboard-create");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForURLAsync("**/ui/containers/*", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=container-state]")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
        Assert.Equal("unless-stopped", await fixture.Daemon.DockerOkAsync("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", name));
        await fixture.Daemon.DockerOkAsync("rm", "-f", name);
    }

    /// <summary>A script: the focused element is (inside) the one with this test id.</summary>
    private static string Focused(string testId) => $"!!document.activeElement?.closest('[data-testid={testId}]')";

    /// <summary>A script: the focused element is the open dialog's button with this (lower-case) text.</summary>
    private static string FocusedDialogButton(string text) =>
        $"!!document.activeElement?.closest('.mud-dialog') && document.activeElement.textContent.trim().toLowerCase() === '{text}'";

    /// <summary>A script: the focused element is in the table row that shows <paramref name="text"/>.</summary>
    private static string InRow(string text) => $"!!document.activeElement?.closest('tr')?.textContent.includes('{text}')";

    /// <summary>Tab to the skip link and Enter: the focus is on the page's content, past the menu.</summary>
    private static async Task SkipToContentAsync(IPage page)
    {
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip-link", await page.EvaluateAsync<string>(FocusedTestId));
        await Expect(page.Locator("[data-testid=skip-link]")).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main-content", await page.EvaluateAsync<string>(FocusedTestId));
    }

    private static async Task AssertFocusVisibleAsync(IPage page) =>
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));

    /// <summary>A dialog opened: it has the focus, and Tab keeps it there.</summary>
    private static async Task AssertDialogKeepsTheFocusAsync(IPage page)
    {
        await Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync(InDialog, null, new() { Timeout = 30_000 });
        for (var i = 0; i < 6; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            // The dialog's focus trap puts the focus back from its edge in a focus handler of its own, which a loaded
            // machine runs a moment later (CI saw the cancel button focused right after the check): wait for it.
            var kept = true;
            try
            {
                await page.WaitForFunctionAsync(InDialog, null, new() { Timeout = 5_000 });
            }
            catch (TimeoutException)
            {
                kept = false;
            }
            Assert.True(kept, $"Tab {i + 1} left the dialog for {await page.EvaluateAsync<string>("document.activeElement?.outerHTML.slice(0, 200) ?? ''")}");
        }
    }

    private async Task<string?> RoleOverSocketAsync(string name)
    {
        using var socket = DashboardFixture.UnixSocketClient(fixture.Daemon.Socket);
        using var json = JsonDocument.Parse(await socket.GetStringAsync($"/webengine/users/{name}"));
        return json.RootElement.GetProperty("Role").GetString();
    }

    /// <summary>Presses Tab until <paramref name="condition"/> (a script) holds of the focused element; fails after 300 presses.
    /// In a dialog, it must still hold a moment later: the dialog's focus trap moves the focus back from its edge in a
    /// handler that runs over the circuit, after the Tab (CI saw the cancel button focused again once the check on the
    /// confirm button had passed, and the Enter then cancelled).</summary>
    private static async Task TabUntilAsync(IPage page, string condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await page.EvaluateAsync<bool>($"!!({condition})"))
            {
                if (!await page.EvaluateAsync<bool>(InDialog))
                    return;
                await page.WaitForTimeoutAsync(500);
                if (await page.EvaluateAsync<bool>($"!!({condition})"))
                    return;
                continue;
            }
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Fail($"300 Tabs never reached: {condition}; the focus is on {await page.EvaluateAsync<string>("document.activeElement?.outerHTML.slice(0, 300) ?? ''")}");
    }
}
