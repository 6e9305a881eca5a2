using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The users and API tokens pages: an admin manages users and tokens; a token works against the REST API until revoked.</summary>
[Collection(BrowserCollection.Name)]
public sealed class UsersAndTokensTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Admin_creates_a_viewer_and_a_token_that_works_until_revoked()
    {
        var name = DashboardFixture.NewName("ursula");
        var page = await fixture.SignedInPageAsync("admin", "/ui/users");
        await DashboardFixture.Input(page, "user-new-name").FillAsync(name);
        await DashboardFixture.Input(page, "user-new-password").FillAsync("first-password");
        await page.GetByRole(AriaRole.Radio, new() { Name = "viewer" }).CheckAsync();
        // What was typed is still there once the fields' changes have gone to the server and come back as renders.
        await Expect(DashboardFixture.Input(page, "user-new-name")).ToHaveValueAsync(name);
        await Expect(DashboardFixture.Input(page, "user-new-password")).ToHaveValueAsync("first-password");
        await page.Locator("[data-testid=user-create]").ClickAsync();
        var row = page.Locator("tr.user-row", new() { HasText = name });
        try
        {
            await Expect(row).ToHaveCountAsync(1);
        }
        catch (PlaywrightException e)
        {
            var said = await page.Locator(".mud-snackbar").AllTextContentsAsync();
            throw new InvalidOperationException($"no row for {name} after Create; the page said: [{string.Join(" | ", said)}]", e);
        }
        Assert.Equal("viewer", await RoleOverSocketAsync(name));

        // The page lists the users again (and renders new selects) before it says so: wait for that before the next click.
        await ChooseRoleAsync(page, row, "operator");
        await Expect(page.Locator(".mud-snackbar", new() { HasText = $"{name} is now operator" })).ToBeVisibleAsync();
        Assert.Equal("operator", await RoleOverSocketAsync(name));
        await ChooseRoleAsync(page, row, "viewer");
        await Expect(page.Locator(".mud-snackbar", new() { HasText = $"{name} is now viewer" })).ToBeVisibleAsync();
        Assert.Equal("viewer", await RoleOverSocketAsync(name));

        // The admin may neither remove themselves (no button) nor stop being the last admin (the API's words).
        var adminRow = page.Locator("tr.user-row", new() { Has = page.Locator("[data-testid=user-name]", new() { HasTextRegex = new("^admin$") }) });
        await Expect(adminRow.Locator("[data-testid=user-remove]")).ToHaveCountAsync(0);
        await ChooseRoleAsync(page, adminRow, "viewer");
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "last admin" })).ToBeVisibleAsync();
        Assert.Equal("admin", await RoleOverSocketAsync("admin"));
        await Expect(adminRow.Locator("[data-testid=user-role]")).ToContainTextAsync("admin");

        // A new password: the fixture signs users in with UserPassword.
        await row.Locator("[data-testid=user-reset-password]").ClickAsync();
        await DashboardFixture.Input(page, "user-reset-new").FillAsync(DashboardFixture.UserPassword);
        await page.Locator("[data-testid=user-reset-save]").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "New password set" })).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "users");

        await row.Locator("[data-testid=user-tokens]").ClickAsync();
        await Expect(page.Locator("[data-testid=tokens-title]")).ToContainTextAsync(name);
        await DashboardFixture.WaitUntilInteractiveAsync(page);
        var secret = await CreateTokenAsync(page, "ci");

        using var http = new HttpClient { BaseAddress = fixture.Daemon.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using (var allowed = await http.GetAsync("/containers/json"))
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        using (var refused = await http.PostAsync("/volumes/create", new StringContent("{}")))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        await page.ReloadAsync();
        await DashboardFixture.WaitUntilInteractiveAsync(page);
        var tokenRow = page.Locator("tr.token-row", new() { HasText = "ci" });
        await Expect(tokenRow.Locator("[data-testid=token-last-used]")).Not.ToHaveTextAsync("never");
        await DashboardFixture.ScreenshotAsync(page, "tokens");
        await tokenRow.Locator("[data-testid=token-revoke]").ClickAsync();
        await page.Locator(".mud-dialog button", new() { HasText = "Revoke" }).ClickAsync();
        await Expect(page.Locator("tr.token-row")).ToHaveCountAsync(0);
        using (var revoked = await http.GetAsync("/containers/json"))
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);

        // The viewer: no users entry, the page and the API refuse, but their own tokens are theirs to manage.
        var viewer = await fixture.SignedInPageAsync(name, "/ui/tokens");
        await Expect(viewer.Locator("[data-testid=tokens-title]")).ToContainTextAsync(name);
        await Expect(viewer.Locator("[data-testid=nav-users]")).ToHaveCountAsync(0);
        var own = await CreateTokenAsync(viewer, "mine");
        Assert.StartsWith("wet_", own, StringComparison.Ordinal);
        var users = await viewer.Context.APIRequest.GetAsync("/webengine/users");
        Assert.Equal(403, users.Status);
        await viewer.GotoAsync("/ui/tokens?user=admin");
        await Expect(viewer.Locator(".mud-snackbar", new() { HasText = "only an admin" })).ToBeVisibleAsync();
        var usersPage = await viewer.GotoAsync("/ui/users");
        Assert.Equal(403, usersPage?.Status);
        Assert.DoesNotContain("user-create", await viewer.ContentAsync(), StringComparison.Ordinal);

        await page.GotoAsync("/ui/users");
        await DashboardFixture.WaitUntilInteractiveAsync(page);
        await row.Locator("[data-testid=user-remove]").ClickAsync();
        await page.Locator(".mud-dialog button", new() { HasText = "Remove" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        using var socket = DashboardFixture.UnixSocketClient(fixture.Daemon.Socket);
        using var gone = await socket.GetAsync($"/webengine/users/{name}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static async Task<string> CreateTokenAsync(IPage page, string name)
    {
        await DashboardFixture.Input(page, "token-new-name").FillAsync(name);
        await page.Locator("[data-testid=token-create]").ClickAsync();
        await Expect(page.Locator("tr.token-row", new() { HasText = name })).ToHaveCountAsync(1);
        var secret = (await page.Locator("[data-testid=token-secret]").TextContentAsync())?.Trim() ?? "";
        Assert.StartsWith("wet_", secret, StringComparison.Ordinal);
        return secret;
    }

    private static async Task ChooseRoleAsync(IPage page, ILocator row, string role)
    {
        await row.Locator("[data-testid=user-role]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasTextRegex = new($"^{role}$") }).ClickAsync();
    }

    private async Task<string?> RoleOverSocketAsync(string name)
    {
        using var socket = DashboardFixture.UnixSocketClient(fixture.Daemon.Socket);
        using var json = JsonDocument.Parse(await socket.GetStringAsync($"/webengine/users/{name}"));
        return json.RootElement.GetProperty("Role").GetString();
    }
}
