using System.Text.Json;
using WebEngine.Api.Tests.Containers;

namespace WebEngine.Api.Tests.EngineScenarios;

/// <summary>The real docker CLI: ps's Status column carries the health as Docker's does; StartInterval needs API 1.44.</summary>
public sealed class HealthStatusCliTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task PsStatusShowsTheHealth()
    {
        var healthy = BusyboxDaemonFixture.NewName("ps-ok");
        var starting = BusyboxDaemonFixture.NewName("ps-start");
        var sick = BusyboxDaemonFixture.NewName("ps-bad");
        // Probed every 200 ms while starting (StartInterval within StartPeriod), then hourly: healthy at once.
        await fixture.DockerOkAsync("run", "-d", "--name", healthy, "--network", "none", "--health-cmd", "true", "--health-interval", "1h",
            "--health-start-period", "10m", "--health-start-interval", "200ms", "busybox", "sleep", "300");
        // First probed in an hour: starting all along.
        await fixture.DockerOkAsync("run", "-d", "--name", starting, "--network", "none", "--health-cmd", "true", "--health-interval", "1h",
            "busybox", "sleep", "300");
        await fixture.DockerOkAsync("run", "-d", "--name", sick, "--network", "none", "--health-cmd", "exit 1", "--health-interval", "200ms",
            "--health-retries", "1", "busybox", "sleep", "300");

        await WaitForStatusAsync(healthy, "(healthy)");
        await WaitForStatusAsync(sick, "(unhealthy)");
        Assert.Matches(@"^Up .+ \(health: starting\)$", await StatusAsync(starting));
        await fixture.DockerOkAsync("rm", "-f", healthy, starting, sick);
    }

    [Fact]
    public async Task StartIntervalIsIgnoredBeforeApi144()
    {
        const string body = """{"Image":"busybox","Cmd":["true"],"Healthcheck":{"Test":["CMD","true"],"StartInterval":1000000000}}""";
        var old = await CreateAsync("v1.43", body);
        var current = await CreateAsync("v1.44", body);
        Assert.Equal(0, (await fixture.InspectAsync(old)).GetProperty("Config").GetProperty("Healthcheck").GetProperty("StartInterval").GetInt64());
        Assert.Equal(1_000_000_000, (await fixture.InspectAsync(current)).GetProperty("Config").GetProperty("Healthcheck").GetProperty("StartInterval").GetInt64());
        await fixture.DockerOkAsync("rm", "-f", old, current);
    }

    private async Task<string> CreateAsync(string version, string body)
    {
        using var response = await fixture.PostJsonAsync($"/{version}/containers/create", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("Id").GetString()!;
    }

    private Task<string> StatusAsync(string name) => fixture.DockerOkAsync("ps", "--filter", $"name={name}", "--format", "{{.Status}}");

    private async Task WaitForStatusAsync(string name, string suffix)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string status;
        while (!(status = await StatusAsync(name)).EndsWith(suffix, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Matches(@"^Up .+ \(" + suffix[1..^1] + @"\)$", status);
    }
}
