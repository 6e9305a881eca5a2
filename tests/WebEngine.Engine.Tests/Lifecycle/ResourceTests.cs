using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>top, stats and update against a running container's real cgroup.</summary>
public sealed class ResourceTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task TopStatsAndUpdateSeeTheContainersCgroup()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 1000", host: new HostConfig { Memory = 64 * MiB, PidsLimit = 50 });
        await Assert.ThrowsAsync<ConflictException>(() => engine.Containers.StatsAsync(created.Id, EngineFixture.Timeout()));
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());

        var top = await engine.Containers.TopAsync(created.Id, EngineFixture.Timeout());
        Assert.Equal("CMD", top.Titles[^1]);
        var row = Assert.Single(top.Processes);
        Assert.Equal(((await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Pid.ToString(), "sleep 1000"), (row[1], row[^1]));

        var stats = await engine.Containers.StatsAsync(created.Id, EngineFixture.Timeout());
        Assert.Equal((64 * MiB, 1L, 50L), (stats.MemoryLimit, stats.PidsCurrent, stats.PidsLimit ?? 0));
        Assert.True(stats.MemoryUsage > 0);
        Assert.True(stats.SystemCpuUsage > stats.CpuTotalUsage);

        await engine.Containers.UpdateAsync(created.Id, new ContainerUpdate { Memory = 128 * MiB, PidsLimit = 20, RestartPolicy = new RestartPolicy("unless-stopped") },
            EngineFixture.Timeout());
        stats = await engine.Containers.StatsAsync(created.Id, EngineFixture.Timeout());
        Assert.Equal((128 * MiB, 20L), (stats.MemoryLimit, stats.PidsLimit ?? 0));
        var host = (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).HostConfig;
        Assert.Equal((128 * MiB, 20L, "unless-stopped"), (host.Memory, host.PidsLimit ?? 0, host.RestartPolicy.Name));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => engine.Containers.UpdateAsync(created.Id, new ContainerUpdate { Memory = -5 }, EngineFixture.Timeout()));
        Assert.Contains("update", await engine.ActionsAsync(created.Id));

        // The bundle carries the new limits into the next start.
        await engine.Containers.RestartAsync(created.Id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout());
        Assert.Equal(128 * MiB, (await engine.Containers.StatsAsync(created.Id, EngineFixture.Timeout())).MemoryLimit);
    }
}
