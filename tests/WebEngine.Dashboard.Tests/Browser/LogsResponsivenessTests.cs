using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>
/// The logs tab stays usable with big and fast logs: 100 000 lines are virtualised (a few dozen rows in the page), and
/// with a container writing 1 000 lines a second a click still takes effect quickly.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LogsResponsivenessTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Hundred_thousand_lines_are_virtualised_and_searchable()
    {
        var name = DashboardFixture.NewName("seq");
        var id = await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "seq", "1", "100000");
        Assert.Equal("0", await fixture.Daemon.DockerOkAsync("wait", name));
        var page = await fixture.SignedInPageAsync("admin", $"/ui/containers/{id}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        var count = page.Locator("[data-testid=log-count]");
        await Expect(count).ToContainTextAsync("1000 lines", new() { Timeout = 30_000 });

        // The default tail is the last 1000 lines; "Earlier lines" reads more (10 000, then all).
        await page.Locator("[data-testid=log-more]").ClickAsync();
        await Expect(count).ToContainTextAsync("10000 lines", new() { Timeout = 30_000 });
        await page.Locator("[data-testid=log-more]").ClickAsync();
        await Expect(count).ToContainTextAsync("100000 lines", new() { Timeout = 60_000 });
        var rendered = await page.Locator("[data-testid=log-line]").CountAsync();
        Assert.InRange(rendered, 1, 400);
        await Expect(page.Locator("[data-testid=log-view]")).ToContainTextAsync("100000");

        var elapsed = await TimeUntilAsync(page, () => page.Locator("[data-testid=log-wrap]").ClickAsync(),
            () => Expect(page.Locator(".log-view.log-wrap")).ToHaveCountAsync(1));
        output.WriteLine($"wrap toggle with 100 000 lines took effect in {elapsed.TotalMilliseconds:0} ms");
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"the wrap toggle took {elapsed.TotalMilliseconds:0} ms");

        await DashboardFixture.Input(page, "log-search").FillAsync("99999");
        await Expect(count).ToHaveTextAsync("1 line", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=log-view] mark").First).ToHaveTextAsync("99999");
        await DashboardFixture.ScreenshotAsync(page, "container-logs-search");
    }

    [Fact]
    public async Task Clicks_take_effect_quickly_while_a_container_writes_1000_lines_a_second_for_30_seconds()
    {
        var name = DashboardFixture.NewName("fast");
        // 100 lines every 100 ms, for 30 s.
        var id = await fixture.Daemon.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c",
            "i=0; while [ $i -lt 300 ]; do seq $((i*100)) $((i*100+99)); i=$((i+1)); usleep 100000; done");
        var page = await fixture.SignedInPageAsync("admin", $"/ui/containers/{id}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        await Expect(page.Locator("[data-testid=log-view]")).ToContainTextAsync("99", new() { Timeout = 30_000 });

        var timings = new List<double>();
        var wrap = page.Locator("[data-testid=log-wrap]");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(25))
        {
            var wrapped = await page.Locator(".log-view.log-wrap").CountAsync() == 1;
            var elapsed = await TimeUntilAsync(page, () => wrap.ClickAsync(),
                () => Expect(page.Locator(".log-view.log-wrap")).ToHaveCountAsync(wrapped ? 0 : 1, new() { Timeout = 30_000 }));
            timings.Add(elapsed.TotalMilliseconds);
            await Task.Delay(500);
        }
        timings.Sort();
        var median = timings[timings.Count / 2];
        output.WriteLine($"{timings.Count} clicks while writing 1000 lines/s: median {median:0} ms, max {timings[^1]:0} ms");
        await DashboardFixture.ScreenshotAsync(page, "container-logs-fast");
        Assert.True(median < 1000, $"median click-to-effect {median:0} ms (all: {string.Join(", ", timings.Select(t => t.ToString("0")))})");
        var shown = int.Parse((await page.Locator("[data-testid=log-count]").TextContentAsync())!.Split(' ')[0]);
        Assert.True(shown > 10_000, $"only {shown} lines reached the page");
    }

    private static async Task<TimeSpan> TimeUntilAsync(IPage page, Func<Task> action, Func<Task> effect)
    {
        var clock = Stopwatch.StartNew();
        await action();
        await effect();
        return clock.Elapsed;
    }
}
