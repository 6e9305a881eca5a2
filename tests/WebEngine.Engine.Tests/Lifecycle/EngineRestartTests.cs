using System.Globalization;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>Containers survive the engine: a new engine on the same roots re-attaches them, or learns how they ended.</summary>
public sealed class EngineRestartTests
{
    private const string Counter = "i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done";

    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task RunningContainersAreReattachedAndExitsDuringTheOutageAreKnown(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var counters = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var created = await ContainerLifecycleTests.CreateAsync(engine, Counter);
            await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
            counters.Add(created.Id);
        }
        var exiting = await ContainerLifecycleTests.CreateAsync(engine, "read x; exit 5", config: new Containers.ContainerConfig { OpenStdin = true });
        await engine.Containers.StartAsync(exiting.Id, EngineFixture.Timeout());
        var pids = new Dictionary<string, int>();
        foreach (var id in counters)
            pids[id] = (await engine.Containers.InspectAsync(id, EngineFixture.Timeout())).State.Pid;
        var exitingPid = (await engine.Containers.InspectAsync(exiting.Id, EngineFixture.Timeout())).State.Pid;

        await engine.RestartEngineAsync(async () =>
        {
            // While the engine is down: one container exits, the others keep counting.
            System.Diagnostics.Process.GetProcessById(exitingPid).Kill();
            await EngineFixture.EventuallyAsync(() => Task.FromResult(ContainerLifecycleTests.ProcessState(exitingPid) is '\0' or 'Z'), "the process is gone");
            await Task.Delay(500);
        });

        foreach (var id in counters)
        {
            var state = (await engine.Containers.InspectAsync(id, EngineFixture.Timeout())).State;
            Assert.Equal(("running", pids[id]), (state.Status, state.Pid));
        }
        var ended = (await engine.Containers.InspectAsync(exiting.Id, EngineFixture.Timeout())).State;
        Assert.Equal(("exited", 137), (ended.Status, ended.ExitCode));
        Assert.True(ended.FinishedAt > ended.StartedAt);

        // The re-attached engine controls them fully: stop works, and the logs have every number once.
        await Task.Delay(300);
        foreach (var id in counters)
        {
            Assert.True(await engine.Containers.StopAsync(id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout()));
            Assert.Equal("exited", (await engine.Containers.InspectAsync(id, EngineFixture.Timeout())).State.Status);
            // stdout only: the shell may say "Killed" on stderr when SIGKILL takes its sleep before it.
            var numbers = (await engine.LogsAsync(id, new Logs.LogReadOptions { Stderr = false })).Select(e => int.Parse(e.Text.Trim(), CultureInfo.InvariantCulture)).ToList();
            Assert.True(numbers.Count > 5, $"only {numbers.Count} numbers were logged");
            Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
        }
        Assert.Equal(["create", "start", "die"], await engine.ActionsAsync(exiting.Id));
    }

    [Fact]
    public async Task ContainerWhoseShimVanishedWithoutARecordIsDead()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, Counter);
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        var stateDirectory = engine.Containers.Paths.ShimStateDirectory(created.Id);
        var shimPid = int.Parse(File.ReadAllText(Path.Combine(stateDirectory, "shim.pid")).Trim(), CultureInfo.InvariantCulture);
        var pid = (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Pid;

        await engine.RestartEngineAsync(async () =>
        {
            System.Diagnostics.Process.GetProcessById(shimPid).Kill();
            System.Diagnostics.Process.GetProcessById(pid).Kill();
            await EngineFixture.EventuallyAsync(() => Task.FromResult(ContainerLifecycleTests.ProcessState(shimPid) is '\0' or 'Z'), "the shim is gone");
            File.Delete(Path.Combine(stateDirectory, "exit.json"));
        });

        var state = (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State;
        Assert.Equal(("dead", true), (state.Status, state.Dead));
        Assert.Contains("shim", state.Error);
        await engine.Containers.RemoveAsync(created.Id, force: false, removeVolumes: false, EngineFixture.Timeout());
        Assert.Empty(engine.MountsBelowDataRoot());
    }

    [Fact]
    public async Task AnInterruptedCreateIsCleanedUp()
    {
        await using var engine = await EngineFixture.StartAsync();
        var orphan = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await engine.RestartEngineAsync(async () =>
        {
            // What a create leaves when the engine dies between the rootfs and the row: a mounted rootfs and a bundle.
            await engine.Images.PrepareRootfsAsync(orphan, "busybox", EngineFixture.Timeout());
            await File.WriteAllTextAsync(Path.Combine(engine.Containers.Paths.Directory(orphan), "config.json"), "{}");
            Assert.NotEmpty(engine.MountsBelowDataRoot());
        });
        Assert.False(Directory.Exists(engine.Containers.Paths.Directory(orphan)));
        Assert.Empty(engine.MountsBelowDataRoot());
        Assert.Empty(await engine.Containers.ListAsync(new ContainerListOptions { All = true }, EngineFixture.Timeout()));
    }
}
