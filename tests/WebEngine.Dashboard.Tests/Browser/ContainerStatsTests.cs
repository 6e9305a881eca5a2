using System.Net.Sockets;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The stats tab: live charts of cpu, memory, network and block I/O of a running container.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ContainerStatsTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Stats_tab_charts_cpu_memory_network_and_block_io_and_counts_traffic_sent_to_the_container()
    {
        var name = DashboardFixture.NewName("charted");
        await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "while true; do echo x > /dev/null; done");
        var address = await fixture.Daemon.DockerOkAsync("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name);
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName, "/ui/containers/" + name);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Stats" }).ClickAsync();

        foreach (var chart in new[] { "stats-cpu", "stats-memory", "stats-net-rx", "stats-net-tx", "stats-block-read", "stats-block-write" })
            await Expect(page.Locator($"[data-testid={chart}]")).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=stats-cpu]")).Not.ToHaveTextAsync("0.0 %", new() { Timeout = 30_000 });

        // Connections to a closed port: each SYN reaches the container and its reset comes back.
        var totals = page.Locator("[data-testid=stats-net-totals]");
        await Expect(totals).ToContainTextAsync("eth0:", new() { Timeout = 30_000 });
        var before = await totals.TextContentAsync();
        for (var i = 0; i < 20; i++)
            await KnockAsync(address);
        await Expect(totals).Not.ToHaveTextAsync(before!, new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=stats-net-rx]")).ToContainTextAsync("/s");
        await DashboardFixture.ScreenshotAsync(page, "container-stats-network");
        await fixture.Daemon.DockerOkAsync("rm", "-f", name);
    }

    private static async Task KnockAsync(string address)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<SocketException>(async () => await client.ConnectAsync(address, 9, timeout.Token));
    }
}
