using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>Healthchecks run through exec in real containers: status, failing streak, the results log and events.</summary>
public sealed class HealthcheckTests
{
    private const long Millisecond = 1_000_000;

    [Fact]
    public async Task APassingProbeMakesTheContainerHealthy()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 60", config: new ContainerConfig
        {
            Healthcheck = new HealthConfig { Test = ["CMD-SHELL", "echo fine; true"], Interval = 300 * Millisecond, Timeout = 5000 * Millisecond },
        });
        Assert.Null((await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health);
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        Assert.Equal(HealthStatuses.Starting, (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health?.Status);

        await EngineFixture.EventuallyAsync(async () =>
            (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health?.Status == HealthStatuses.Healthy, "healthy");
        var health = (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health!;
        Assert.Equal(0, health.FailingStreak);
        Assert.Equal((0, "fine\n"), (health.Log[0].ExitCode, health.Log[0].Output));
        Assert.True(health.Log[0].End >= health.Log[0].Start);
        Assert.Contains("health_status: healthy", await engine.ActionsAsync(created.Id));

        await engine.Containers.RemoveAsync(created.Id, force: true, removeVolumes: false, EngineFixture.Timeout());
    }

    [Fact]
    public async Task AFailingProbeMakesTheContainerUnhealthyAfterItsRetries()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 60", config: new ContainerConfig
        {
            Healthcheck = new HealthConfig { Test = ["CMD", "sh", "-c", "echo bad >&2; exit 3"], Interval = 200 * Millisecond, Retries = 2 },
        });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());

        await EngineFixture.EventuallyAsync(async () =>
            (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health?.Status == HealthStatuses.Unhealthy, "unhealthy");
        var health = (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health!;
        Assert.True(health.FailingStreak >= 2, $"failing streak {health.FailingStreak}");
        Assert.All(health.Log, r => Assert.Equal((3, "bad\n"), (r.ExitCode, r.Output)));
        await EngineFixture.EventuallyAsync(async () =>
            (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health!.Log.Count == HealthMonitor.KeptResults, "five results kept");
        Assert.Equal(["health_status: unhealthy"], (await engine.ActionsAsync(created.Id)).Where(a => a.StartsWith("health_status", StringComparison.Ordinal)));

        await engine.Containers.StopAsync(created.Id, 1, null, EngineFixture.Timeout());
        var streak = (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health!.Log.Count;
        await Task.Delay(500);
        Assert.Equal(streak, (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Health!.Log.Count);
        await engine.Containers.RemoveAsync(created.Id, force: true, removeVolumes: false, EngineFixture.Timeout());
    }

    [Fact]
    public void FailuresInTheStartPeriodDoNotCount()
    {
        var started = DateTime.UtcNow;
        var monitor = new HealthMonitor(1, TimeSpan.FromSeconds(10), started);
        Assert.Null(monitor.Record(new HealthProbeResult(started.AddSeconds(1), started.AddSeconds(1), 1, "")));
        Assert.Equal((HealthStatuses.Starting, 0), (monitor.Snapshot().Status, monitor.Snapshot().FailingStreak));
        Assert.Equal(HealthStatuses.Unhealthy, monitor.Record(new HealthProbeResult(started.AddSeconds(11), started.AddSeconds(11), -1, "")));
    }

    [Fact]
    public async Task HealthSurvivesTheEngine()
    {
        await using var engine = await EngineFixture.StartAsync();
        var check = new HealthConfig { Test = ["CMD", "false"], Interval = 1000 * Millisecond, Retries = 1 };
        var running = await ContainerLifecycleTests.CreateAsync(engine, "sleep 60", config: new ContainerConfig { Healthcheck = check });
        var stopped = await ContainerLifecycleTests.CreateAsync(engine, "sleep 60", config: new ContainerConfig { Healthcheck = check });
        foreach (var id in new[] { running.Id, stopped.Id })
            await engine.Containers.StartAsync(id, EngineFixture.Timeout());
        foreach (var id in new[] { running.Id, stopped.Id })
            await EngineFixture.EventuallyAsync(async () => (await HealthAsync(engine, id))?.Status == HealthStatuses.Unhealthy, "unhealthy");
        await engine.Containers.StopAsync(stopped.Id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout());
        var before = (await HealthAsync(engine, stopped.Id))!;
        var restartedAt = DateTime.UtcNow;

        await engine.RestartEngineAsync();

        // Both show the health they had, not a fresh "starting": the results from before the restart are still there.
        var stoppedHealth = (await HealthAsync(engine, stopped.Id))!;
        Assert.Equal((before.Status, before.FailingStreak), (stoppedHealth.Status, stoppedHealth.FailingStreak));
        Assert.Equal(before.Log, stoppedHealth.Log);
        var runningHealth = (await HealthAsync(engine, running.Id))!;
        Assert.Equal(HealthStatuses.Unhealthy, runningHealth.Status);
        Assert.Contains(runningHealth.Log, r => r.Start < restartedAt && r.ExitCode == 1);
        Assert.Equal(HealthStatuses.Unhealthy, engine.Containers.HealthStatus(stopped.Id));

        // The re-attached run goes on probing from its stored streak.
        var streak = runningHealth.FailingStreak;
        await EngineFixture.EventuallyAsync(async () => (await HealthAsync(engine, running.Id))!.FailingStreak > streak, "the streak grows");
    }

    [Fact]
    public async Task TheStartIntervalAppliesWhileTheContainerIsStarting()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 60", config: new ContainerConfig
        {
            Healthcheck = new HealthConfig
            {
                Test = ["CMD", "true"], Interval = 3600_000 * Millisecond, StartPeriod = 600_000 * Millisecond, StartInterval = 200 * Millisecond,
            },
        });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        var summary = await SummaryStatusAsync(engine, created.Id);
        Assert.True(summary.EndsWith("(health: starting)", StringComparison.Ordinal) || summary.EndsWith("(healthy)", StringComparison.Ordinal), summary);

        // Healthy long before the hour-long Interval; then the Interval applies, so no other probe runs.
        await EngineFixture.EventuallyAsync(async () => (await HealthAsync(engine, created.Id))?.Status == HealthStatuses.Healthy, "healthy");
        Assert.EndsWith("(healthy)", await SummaryStatusAsync(engine, created.Id), StringComparison.Ordinal);
        Assert.Equal(HealthStatuses.Healthy, (await engine.Containers.ListAsync(new ContainerListOptions { All = true }, EngineFixture.Timeout())).Single(c => c.Id == created.Id).Health);
        await Task.Delay(1000);
        Assert.Single((await HealthAsync(engine, created.Id))!.Log);
    }

    [Fact]
    public void PsStatusShowsTheHealthAsDockerDoes()
    {
        var now = DateTime.UtcNow;
        var record = new Data.Containers.ContainerRecord
        {
            Id = "", Name = "", ImageId = "", ImageReference = "", ConfigJson = "{}", HostConfigJson = "{}", Status = "running", Runtime = "",
            StartedUtc = now.AddSeconds(-3),
        };
        Assert.Equal("Up 3 seconds (healthy)", ContainerService.HumanStatus(record, ContainerStatus.Running, now, HealthStatuses.Healthy));
        Assert.Equal("Up 3 seconds (unhealthy)", ContainerService.HumanStatus(record, ContainerStatus.Running, now, HealthStatuses.Unhealthy));
        Assert.Equal("Up 3 seconds (health: starting)", ContainerService.HumanStatus(record, ContainerStatus.Running, now, HealthStatuses.Starting));
        Assert.Equal("Up 3 seconds", ContainerService.HumanStatus(record, ContainerStatus.Running, now, HealthStatuses.None));
        Assert.Equal("Up 3 seconds", ContainerService.HumanStatus(record, ContainerStatus.Running, now));
    }

    private static async Task<ContainerHealth?> HealthAsync(EngineFixture engine, string id) =>
        (await engine.Containers.InspectAsync(id, EngineFixture.Timeout())).State.Health;

    private static async Task<string> SummaryStatusAsync(EngineFixture engine, string id) =>
        (await engine.Containers.ListAsync(new ContainerListOptions { All = true }, EngineFixture.Timeout())).Single(c => c.Id == id).Status;
}
