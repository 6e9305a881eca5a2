using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The logs tab reads the log from the browser over /hubs/logs with the sign-in cookie, so a viewer may too.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LogsHubTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Viewer_follows_the_log_over_the_logs_hub_and_it_resumes_after_a_restart()
    {
        var name = DashboardFixture.NewName("hubbed");
        // Each run counts itself in a file of the container's own filesystem, which outlives the restart.
        await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c",
            "n=$(cat /runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > /runs; echo \"run number $n\"; echo \"to stderr $n\" >&2; exec sleep 300");
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName, "/ui/containers/" + name);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();

        var view = page.Locator("[data-testid=log-view]");
        await Expect(view).ToContainTextAsync("run number 1", new() { Timeout = 30_000 });
        await Expect(page.Locator(".log-stderr")).ToContainTextAsync("to stderr 1");
        // The page's own record of what it fetched (SignalR negotiates with a fetch whatever transport follows), not a
        // Playwright event handler: one attached after the page loaded may miss a connection opened early.
        var fetched = await page.EvaluateAsync<string[]>("() => performance.getEntriesByType('resource').map(e => e.name)");
        Assert.Contains(fetched, url => url.Contains("/hubs/logs/negotiate", StringComparison.Ordinal));

        // The follow ends when the container stops, and picks up the next run without repeating the first.
        await fixture.Daemon.DockerOkAsync("restart", "-t", "0", name);
        await Expect(view).ToContainTextAsync("run number 2", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=log-count]")).ToHaveTextAsync("4 lines");
        await Expect(page.Locator("[data-testid=log-line]", new() { HasText = "run number 1" })).ToHaveCountAsync(1);
        await fixture.Daemon.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task The_hub_refuses_the_cookie_of_another_origin()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName, "/ui/containers");
        var negotiate = await page.Context.APIRequest.PostAsync("/hubs/logs/negotiate?negotiateVersion=1");
        Assert.Equal(200, negotiate.Status);
        var foreign = await page.Context.APIRequest.PostAsync("/hubs/logs/negotiate?negotiateVersion=1",
            new() { Headers = new Dictionary<string, string> { ["Origin"] = "http://elsewhere.test" } });
        Assert.Equal(403, foreign.Status);
    }

    [Fact]
    public async Task The_logs_tab_downloads_the_whole_log_as_text_for_a_signed_in_user_only()
    {
        var name = DashboardFixture.NewName("download");
        await fixture.Daemon.DockerOkAsync("run", "--name", name, "busybox", "sh", "-c", "echo first line; echo second line");
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName, "/ui/containers/" + name);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        var href = await page.Locator("[data-testid=log-download]").GetAttributeAsync("href");
        Assert.NotNull(href);

        var plain = await page.Context.APIRequest.GetAsync(href);
        Assert.Equal(200, plain.Status);
        Assert.Equal($"attachment; filename=\"{name}.log\"", plain.Headers["content-disposition"]);
        Assert.Equal("first line\nsecond line\n", await plain.TextAsync());
        var stamped = await page.Context.APIRequest.GetAsync(href.Replace("timestamps=false", "timestamps=true", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT[0-9:.]+Z first line\n\S+ second line\n$", await stamped.TextAsync());

        // Without the sign-in cookie: refused, no log.
        await using var anonymous = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.Daemon.BaseAddress.ToString() });
        var refused = await anonymous.APIRequest.GetAsync(href, new() { MaxRedirects = 0 });
        Assert.NotEqual(200, refused.Status);
        Assert.DoesNotContain("first line", await refused.TextAsync());
        await fixture.Daemon.DockerOkAsync("rm", name);
    }
}
