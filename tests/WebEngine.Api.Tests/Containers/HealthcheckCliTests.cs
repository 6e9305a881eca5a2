namespace WebEngine.Api.Tests.Containers;

/// <summary>The real docker CLI: a container's healthcheck in inspect and in ps's health filter.</summary>
public sealed class HealthcheckCliTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task InspectAndPsShowTheHealth()
    {
        var healthy = BusyboxDaemonFixture.NewName("hc-ok");
        var sick = BusyboxDaemonFixture.NewName("hc-bad");
        var healthyId = await fixture.DockerOkAsync("run", "-d", "--name", healthy, "--health-cmd", "echo ok", "--health-interval", "300ms", "busybox", "sleep", "300");
        var sickId = await fixture.DockerOkAsync("run", "-d", "--name", sick, "--health-cmd", "exit 2", "--health-interval", "300ms", "--health-retries", "1", "busybox", "sleep", "300");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        string states;
        do
        {
            await Task.Delay(200);
            states = await fixture.DockerOkAsync("inspect", "--format", "{{.State.Health.Status}}", healthy, sick);
        }
        while (states != "healthy\nunhealthy" && DateTime.UtcNow < deadline);
        Assert.Equal("healthy\nunhealthy", states);
        // The probes go on every 300 ms, so the streak is at least the one that made it unhealthy.
        var sickHealth = (await fixture.DockerOkAsync("inspect", "--format", "{{(index .State.Health.Log 0).ExitCode}} {{.State.Health.FailingStreak}}", sick)).Split(' ');
        Assert.Equal("2", sickHealth[0]);
        Assert.True(int.Parse(sickHealth[1]) >= 1, $"failing streak {sickHealth[1]}");
        Assert.Equal("ok\n", (await fixture.DockerOkAsync("inspect", "--format", "{{json (index .State.Health.Log 0).Output}}", healthy)).Replace("\"", "").Replace("\\n", "\n"));

        Assert.Equal(healthyId, await fixture.DockerOkAsync("ps", "-q", "--no-trunc", "--filter", "health=healthy", "--filter", $"name={healthy}"));
        Assert.Equal(sickId, await fixture.DockerOkAsync("ps", "-q", "--no-trunc", "--filter", "health=unhealthy", "--filter", $"name={sick}"));
        Assert.Equal("", await fixture.DockerOkAsync("ps", "-q", "--filter", "health=none", "--filter", $"name={healthy}"));
        await fixture.DockerOkAsync("rm", "-f", healthy, sick);
    }
}
