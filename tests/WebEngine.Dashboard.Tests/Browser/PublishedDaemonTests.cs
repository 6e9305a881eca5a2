using Microsoft.Playwright;
using WebEngine.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The daemon as `./dev.sh daemon` runs it: the Release ReadyToRun publish, started from another directory.</summary>
public sealed class PublishedDaemonFixture : DashboardFixture
{
    protected override string? DaemonPath => RepoPaths.PublishedDaemon;
}

/// <summary>
/// The publish serves its packages' assets under fingerprinted names from a manifest resolved against the content root;
/// started from elsewhere it once answered them with empty bodies, and the dashboard never came to life.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PublishedDaemonTests(PublishedDaemonFixture fixture) : IClassFixture<PublishedDaemonFixture>
{
    [Fact]
    public async Task The_published_daemon_serves_a_live_dashboard()
    {
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers");
        var assets = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('script[src], link[rel=stylesheet]')].map(e => e.src || e.href)");
        Assert.Contains(assets, url => url.Contains("/_framework/blazor.web", StringComparison.Ordinal));
        foreach (var url in assets)
        {
            var response = await page.Context.APIRequest.GetAsync(url);
            Assert.True(response.Status == 200, $"{url}: {response.Status}");
            Assert.True((await response.BodyAsync()).Length > 0, $"{url} came back empty");
        }

        // Live: a container started from the CLI appears in the table without a reload.
        var name = DashboardFixture.NewName("published");
        await fixture.Daemon.DockerOkAsync("run", "-d", "--network", "none", "--name", name, "busybox", "sleep", "300");
        var row = page.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=container-state]")).ToHaveTextAsync("running", new() { Timeout = 30_000 });
        await fixture.Daemon.DockerOkAsync("rm", "-f", name);
    }
}
