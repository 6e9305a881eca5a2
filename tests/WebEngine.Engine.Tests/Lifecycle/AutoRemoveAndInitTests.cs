using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>AutoRemove (docker run --rm) and HostConfig.Init (docker run --init).</summary>
public sealed class AutoRemoveAndInitTests
{
    [Fact]
    public async Task AutoRemoveDeletesTheContainerAndItsAnonymousVolumesAtExit()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "echo bye; exit 4", host: new HostConfig { AutoRemove = true },
            config: new ContainerConfig { Volumes = new HashSet<string> { "/scratch" } });
        Assert.Single(await engine.Volumes.ListAsync(null, EngineFixture.Timeout()));
        var removed = await engine.Containers.BeginWaitAsync(created.Id, WaitCondition.Removed, EngineFixture.Timeout());
        var exited = await engine.Containers.BeginWaitAsync(created.Id, WaitCondition.NextExit, EngineFixture.Timeout());
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());

        Assert.Equal(4, (await exited.Result.WaitAsync(EngineFixture.Timeout())).ExitCode);
        Assert.Equal(4, (await removed.Result.WaitAsync(EngineFixture.Timeout())).ExitCode);
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout()));
        Assert.Empty(await engine.Volumes.ListAsync(null, EngineFixture.Timeout()));
        Assert.Empty(Directory.EnumerateFileSystemEntries(engine.Options.ContainersDirectory));
        Assert.Empty(engine.MountsBelowDataRoot());
        Assert.Equal(["create", "start", "die", "destroy"], await engine.ActionsAsync(created.Id));
    }

    [Fact]
    public async Task InitRunsAsPidOneAndForwardsTheStopSignal()
    {
        await using var engine = await EngineFixture.StartAsync();
        Assert.NotNull(engine.Options.InitBinary);
        var created = await ContainerLifecycleTests.CreateAsync(engine, "echo pid $$; sleep 1000", host: new HostConfig { Init = true });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await EngineFixture.EventuallyAsync(async () => (await engine.LogTextAsync(created.Id)).Contains("pid"), "the shell reports its pid");

        // The shell is not PID 1 (the init is), so SIGTERM reaches it through the init and ends it without SIGKILL.
        Assert.NotEqual("pid 1\n", await engine.LogTextAsync(created.Id));
        await engine.Containers.StopAsync(created.Id, timeoutSeconds: 60, signal: null, EngineFixture.Timeout());
        Assert.Equal(143, (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.ExitCode);
        Assert.Equal(["create", "start", "kill", "die", "stop"], await engine.ActionsAsync(created.Id));
    }
}
