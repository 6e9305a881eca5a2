using WebEngine.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>Published ports: the containers table's column, and the create form's field, for containers that really answer on them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PublishedPortTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Published_port_shows_in_the_table_and_the_container_answers_on_it()
    {
        var name = DashboardFixture.NewName("served");
        var port = LoopbackPort.Free();
        await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}:80", "busybox",
            "sh", "-c", "mkdir -p /www && echo served-by-busybox > /www/index.html && exec httpd -f -p 80 -h /www");
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers");
        var row = page.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=container-ports]")).ToHaveTextAsync($"127.0.0.1:{port}->80/tcp");
        await DashboardFixture.ScreenshotAsync(page, "containers-ports");
        await AssertAnswersAsync(port, "served-by-busybox");
    }

    [Fact]
    public async Task Container_created_from_the_form_with_a_published_port_answers_on_it()
    {
        var name = DashboardFixture.NewName("formport");
        var port = LoopbackPort.Free();
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers/create");
        await DashboardFixture.Input(page, "create-image").FillAsync("busybox");
        await DashboardFixture.Input(page, "create-name").FillAsync(name);
        await DashboardFixture.Input(page, "create-command").FillAsync(
            "sh -c 'mkdir -p /www && echo served-from-the-form > /www/index.html && exec httpd -f -p 80 -h /www'");
        // Loopback only: the test reaches it from the host, nothing else needs to.
        await DashboardFixture.Input(page, "create-ports").FillAsync($"127.0.0.1:{port}:80");
        await DashboardFixture.Input(page, "create-network").FocusAsync();
        await Expect(page.Locator("[data-testid=create-docker-run]")).ToContainTextAsync($"--name {name} -p 127.0.0.1:{port}:80 busybox sh -c");
        await DashboardFixture.ScreenshotAsync(page, "create-container-ports");
        await page.Locator("[data-testid=create-submit]").ClickAsync();

        await page.WaitForURLAsync("**/ui/containers/*", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=container-state]")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
        await AssertAnswersAsync(port, "served-from-the-form");

        var table = await fixture.SignedInPageAsync("admin", "/ui/containers");
        var row = table.Locator("tr.container-row", new() { HasText = name });
        await Expect(row.Locator("[data-testid=container-ports]")).ToHaveTextAsync($"127.0.0.1:{port}->80/tcp", new() { Timeout = 30_000 });
        Assert.Equal($"127.0.0.1:{port}", await fixture.Daemon.DockerOkAsync("port", name, "80/tcp"));
        await fixture.Daemon.DockerOkAsync("rm", "-f", name);
    }

    /// <summary>GETs / on the host's loopback port until the container's httpd answers with <paramref name="expected"/> (60 s).</summary>
    private static async Task AssertAnswersAsync(int port, string expected)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                Assert.Contains(expected, await http.GetStringAsync($"http://127.0.0.1:{port}/"), StringComparison.Ordinal);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
