using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>The engine's exec table does not grow forever: probes leave nothing, users' execs go with their container or after a while.</summary>
public sealed class ExecTableTests
{
    private const long Millisecond = 1_000_000;

    [Fact]
    public async Task HealthProbesLeaveNoExecBehind()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 60", config: new ContainerConfig
        {
            Healthcheck = new HealthConfig { Test = ["CMD", "true"], Interval = 100 * Millisecond, Timeout = 5000 * Millisecond },
        });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await EngineFixture.EventuallyAsync(async () =>
            (await engine.ActionsAsync(created.Id)).Count(a => a.StartsWith("exec_die", StringComparison.Ordinal)) >= 5, "five probes ran");

        // At most the probe in flight is in the table while the container runs; none once it stopped.
        Assert.True(engine.Containers.ExecIds.Count <= 1, $"{engine.Containers.ExecIds.Count} execs are kept");
        await engine.Containers.StopAsync(created.Id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout());
        await EngineFixture.EventuallyAsync(() => Task.FromResult(engine.Containers.ExecIds.Count == 0), "no exec is kept");
    }

    [Fact]
    public async Task UsersExecsAreForgottenAfterTheRetentionAndWithTheirContainer()
    {
        await using var engine = await EngineFixture.StartAsync();
        engine.Options.ExecRetention = TimeSpan.FromSeconds(1);
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 60");
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());

        var finished = await StartDetachedAsync(engine, created.Id, "exit 2");
        await EngineFixture.EventuallyAsync(async () => (await engine.Containers.ExecInspectAsync(finished, EngineFixture.Timeout())).ExitCode == 2, "the exec exits 2");
        var running = await StartDetachedAsync(engine, created.Id, "sleep 60");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        // Pruning happens as execs are created: the finished one is gone, the running one is kept.
        var latest = await engine.Containers.ExecCreateAsync(created.Id, new ExecConfig { Cmd = ["true"] }, EngineFixture.Timeout());
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.ExecInspectAsync(finished, EngineFixture.Timeout()));
        Assert.True((await engine.Containers.ExecInspectAsync(running, EngineFixture.Timeout())).Running);
        Assert.Equal(new[] { running, latest }.Order(StringComparer.Ordinal), engine.Containers.ExecIds.Order(StringComparer.Ordinal));

        await engine.Containers.RemoveAsync(created.Id, force: true, removeVolumes: false, EngineFixture.Timeout());
        Assert.Empty(engine.Containers.ExecIds);
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.ExecInspectAsync(running, EngineFixture.Timeout()));
    }

    private static async Task<string> StartDetachedAsync(EngineFixture engine, string containerId, string script)
    {
        var id = await engine.Containers.ExecCreateAsync(containerId, new ExecConfig { Cmd = ["sh", "-c", script] }, EngineFixture.Timeout());
        Assert.Null(await engine.Containers.ExecStartAsync(id, detach: true, EngineFixture.Timeout()));
        return id;
    }
}
