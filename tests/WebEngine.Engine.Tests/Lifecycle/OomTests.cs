using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>The kernel's OOM killer ends a container that allocates past its memory limit: exit 137, OOMKilled, an oom event.</summary>
public sealed class OomTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task AContainerPastItsMemoryLimitIsOomKilled(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        // The shell's variable doubles until it no longer fits in 32 MiB (no swap beyond the limit).
        var created = await ContainerLifecycleTests.CreateAsync(engine, "x=0123456789abcdef; while true; do x=$x$x; done",
            host: new HostConfig { Memory = 32 * MiB, MemorySwap = 32 * MiB });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());

        var exit = await engine.Containers.WaitAsync(created.Id, WaitCondition.NotRunning, EngineFixture.Timeout());
        Assert.Equal(137, exit.ExitCode);
        var state = (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State;
        Assert.Equal(("exited", 137, true), (state.Status, state.ExitCode, state.OOMKilled));
        Assert.Equal(["create", "start", "oom", "die"], await engine.ActionsAsync(created.Id));
    }

    [Fact]
    public async Task AContainerKilledOtherwiseIsNotOomKilled()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 60", host: new HostConfig { Memory = 32 * MiB });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await engine.Containers.KillAsync(created.Id, "KILL", EngineFixture.Timeout());
        await engine.Containers.WaitAsync(created.Id, WaitCondition.NotRunning, EngineFixture.Timeout());

        var state = (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State;
        Assert.Equal(("exited", 137, false), (state.Status, state.ExitCode, state.OOMKilled));
    }
}
