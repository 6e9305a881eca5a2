using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Logs;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>Create, start, stop, kill, restart, pause, rename, remove and wait on real busybox containers.</summary>
public sealed class ContainerLifecycleTests
{
    internal static Task<ContainerCreateResult> CreateAsync(EngineFixture engine, string script, string? name = null, HostConfig? host = null,
        ContainerConfig? config = null) =>
        engine.Containers.CreateAsync(new ContainerCreateRequest(
            (config ?? new ContainerConfig()) with { Image = "busybox", Cmd = ["sh", "-c", script] }, host ?? new HostConfig(), name), EngineFixture.Timeout());

    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task RunsToItsExitCodeAndLogsItsOutput(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var created = await CreateAsync(engine, "echo hello; echo oops >&2; exit 3", name: "exit3");
        var waiter = await engine.Containers.BeginWaitAsync("exit3", WaitCondition.NextExit, EngineFixture.Timeout());

        Assert.True(await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout()));
        var exit = await waiter.Result.WaitAsync(EngineFixture.Timeout());

        Assert.True(exit.ExitCode == 3, $"exit code {exit.ExitCode} ({exit.Error}), log: {await engine.LogTextAsync(created.Id)}");
        var details = await engine.Containers.InspectAsync("exit3", EngineFixture.Timeout());
        Assert.Equal("exited", details.State.Status);
        Assert.Equal(3, details.State.ExitCode);
        Assert.False(details.State.Running);
        Assert.True(details.State.FinishedAt >= details.State.StartedAt, $"finished {details.State.FinishedAt:o} before started {details.State.StartedAt:o}");
        Assert.Equal("/exit3", details.Name);
        Assert.Equal("sh", details.Path);
        var logs = await engine.LogsAsync(created.Id);
        Assert.Equal("hello\n", string.Concat(logs.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Text)));
        Assert.Equal("oops\n", string.Concat(logs.Where(l => l.Stream == LogStream.Stderr).Select(l => l.Text)));
        Assert.Equal(["create", "start", "die"], await engine.ActionsAsync(created.Id));
        Assert.Equal(3, (await engine.Containers.WaitAsync(created.Id, WaitCondition.NotRunning, EngineFixture.Timeout())).ExitCode);
    }

    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task StopSendsStopSignalThenKillsAfterTheTimeout(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var polite = await CreateAsync(engine, "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.1; done");
        // PID 1 without a handler ignores SIGTERM: only the SIGKILL after the timeout ends it.
        var stubborn = await CreateAsync(engine, "echo ready; while true; do sleep 0.1; done");
        await engine.Containers.StartAsync(polite.Id, EngineFixture.Timeout());
        await engine.Containers.StartAsync(stubborn.Id, EngineFixture.Timeout());
        await EngineFixture.EventuallyAsync(async () => (await engine.LogTextAsync(polite.Id)).Contains("ready"), "the trap is set");
        Assert.Equal("running", (await engine.Containers.InspectAsync(polite.Id, EngineFixture.Timeout())).State.Status);

        Assert.True(await engine.Containers.StopAsync(polite.Id, timeoutSeconds: 30, signal: null, EngineFixture.Timeout()));
        Assert.True(await engine.Containers.StopAsync(stubborn.Id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout()));

        var politeState = (await engine.Containers.InspectAsync(polite.Id, EngineFixture.Timeout())).State;
        Assert.Equal(("exited", 0, 0), (politeState.Status, politeState.ExitCode, politeState.Pid));
        Assert.Contains("bye", await engine.LogTextAsync(polite.Id));
        Assert.Equal(137, (await engine.Containers.InspectAsync(stubborn.Id, EngineFixture.Timeout())).State.ExitCode);
        Assert.Equal(["create", "start", "kill", "die", "stop"], await engine.ActionsAsync(polite.Id));
        Assert.Equal(["create", "start", "kill", "kill", "die", "stop"], await engine.ActionsAsync(stubborn.Id));
        Assert.False(await engine.Containers.StopAsync(polite.Id, 1, null, EngineFixture.Timeout()));
    }

    [Fact]
    public async Task TheContainersStopSignalAndStopTimeoutApplyAndTheStateSaysStopping()
    {
        await using var engine = await EngineFixture.StartAsync();
        // Were the container's StopTimeout ignored, the stop would wait for this default and the test's deadline would end it.
        engine.Options.DefaultStopTimeoutSeconds = 3600;
        var usr1 = await CreateAsync(engine, "trap 'echo got-usr1; exit 3' USR1; echo ready; while true; do sleep 0.1; done",
            config: new ContainerConfig { StopSignal = "SIGUSR1" });
        var stubborn = await CreateAsync(engine, "while true; do sleep 0.1; done", config: new ContainerConfig { StopTimeout = 5 });
        await engine.Containers.StartAsync(usr1.Id, EngineFixture.Timeout());
        await engine.Containers.StartAsync(stubborn.Id, EngineFixture.Timeout());
        await EngineFixture.EventuallyAsync(async () => (await engine.LogTextAsync(usr1.Id)).Contains("ready"), "the trap is set");

        Assert.True(await engine.Containers.StopAsync(usr1.Id, timeoutSeconds: null, signal: null, EngineFixture.Timeout()));
        Assert.Equal(3, (await engine.Containers.InspectAsync(usr1.Id, EngineFixture.Timeout())).State.ExitCode);
        Assert.Contains("got-usr1", await engine.LogTextAsync(usr1.Id));
        var kill = (await engine.Events.ListAsync(new Events.EventFilter(new Dictionary<string, IReadOnlyList<string>> { ["container"] = [usr1.Id], ["event"] = ["kill"] }),
            null, null, EngineFixture.Timeout())).Single();
        Assert.Equal("10", kill.Actor.Attributes["signal"]);

        var stopping = engine.Containers.StopAsync(stubborn.Id, timeoutSeconds: null, signal: null, EngineFixture.Timeout(120));
        await EngineFixture.EventuallyAsync(async () => (await engine.Containers.InspectAsync(stubborn.Id, EngineFixture.Timeout())).State is { Stopping: true, Running: true },
            "the state says stopping");
        Assert.True(await stopping);
        var state = (await engine.Containers.InspectAsync(stubborn.Id, EngineFixture.Timeout())).State;
        Assert.Equal(("exited", 137, false), (state.Status, state.ExitCode, state.Stopping));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task APausedContainerIsKilledAndForceRemoved(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var killed = await CreateAsync(engine, "sleep 60");
        var removed = await CreateAsync(engine, "sleep 60");
        foreach (var id in new[] { killed.Id, removed.Id })
        {
            await engine.Containers.StartAsync(id, EngineFixture.Timeout());
            await engine.Containers.PauseAsync(id, EngineFixture.Timeout());
        }

        await engine.Containers.KillAsync(killed.Id, "KILL", EngineFixture.Timeout());
        Assert.Equal(137, (await engine.Containers.WaitAsync(killed.Id, WaitCondition.NotRunning, EngineFixture.Timeout())).ExitCode);
        await engine.Containers.RemoveAsync(removed.Id, force: true, removeVolumes: false, EngineFixture.Timeout());
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.InspectAsync(removed.Id, EngineFixture.Timeout()));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task KillRestartPauseUnpauseRenameRemove(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var created = await CreateAsync(engine, "while true; do sleep 0.1; done", name: "first");
        var containers = engine.Containers;
        await Assert.ThrowsAsync<ConflictException>(() => containers.KillAsync(created.Id, null, EngineFixture.Timeout()));
        await containers.StartAsync(created.Id, EngineFixture.Timeout());
        var firstPid = (await containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Pid;
        Assert.True(firstPid > 0);
        Assert.False(await containers.StartAsync(created.Id, EngineFixture.Timeout()));

        await containers.PauseAsync("first", EngineFixture.Timeout());
        var paused = (await containers.InspectAsync(created.Id, EngineFixture.Timeout())).State;
        Assert.Equal(("paused", true, true), (paused.Status, paused.Paused, paused.Running));
        await Assert.ThrowsAsync<ConflictException>(() => containers.PauseAsync("first", EngineFixture.Timeout()));
        await containers.UnpauseAsync("first", EngineFixture.Timeout());
        Assert.Equal("running", (await containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Status);

        await containers.RestartAsync("first", timeoutSeconds: 1, signal: null, EngineFixture.Timeout());
        var restarted = (await containers.InspectAsync(created.Id, EngineFixture.Timeout())).State;
        Assert.Equal("running", restarted.Status);
        Assert.NotEqual(firstPid, restarted.Pid);
        Assert.False(File.Exists($"/proc/{firstPid}/stat"));

        await containers.RenameAsync("first", "second", EngineFixture.Timeout());
        await Assert.ThrowsAsync<NotFoundException>(() => containers.InspectAsync("first", EngineFixture.Timeout()));
        Assert.Equal("/second", (await containers.InspectAsync("second", EngineFixture.Timeout())).Name);

        await containers.KillAsync("second", "KILL", EngineFixture.Timeout());
        var killed = (await containers.InspectAsync(created.Id, EngineFixture.Timeout())).State;
        Assert.Equal(("exited", 137), (killed.Status, killed.ExitCode));

        await containers.StartAsync("second", EngineFixture.Timeout());
        var removed = await containers.BeginWaitAsync("second", WaitCondition.Removed, EngineFixture.Timeout());
        await Assert.ThrowsAsync<ConflictException>(() => containers.RemoveAsync("second", force: false, removeVolumes: false, EngineFixture.Timeout()));
        await containers.RemoveAsync("second", force: true, removeVolumes: false, EngineFixture.Timeout());
        await removed.Result.WaitAsync(EngineFixture.Timeout());

        await Assert.ThrowsAsync<NotFoundException>(() => containers.InspectAsync(created.Id, EngineFixture.Timeout()));
        Assert.False(Directory.Exists(containers.Paths.Directory(created.Id)));
        Assert.False(Directory.Exists(containers.Paths.ShimStateDirectory(created.Id)));
        Assert.Empty(engine.MountsBelowDataRoot());
        var actions = await engine.ActionsAsync(created.Id);
        Assert.Equal(["create", "start", "pause", "unpause", "kill", "kill", "die", "stop", "start", "restart", "rename", "kill", "die", "start", "kill", "die", "destroy"], actions);
    }

    [Fact]
    public async Task ListFiltersByStatusNameLabelIdAndAncestor()
    {
        await using var engine = await EngineFixture.StartAsync();
        var running = await CreateAsync(engine, "sleep 1000", name: "web-1", config: new ContainerConfig { Labels = new Dictionary<string, string> { ["tier"] = "front" } });
        var created = await CreateAsync(engine, "true", name: "db-1");
        await engine.Containers.StartAsync(running.Id, EngineFixture.Timeout());

        async Task<IReadOnlyList<string>> Ids(bool all, params (string Key, string Value)[] filters) =>
            (await engine.Containers.ListAsync(new ContainerListOptions
            {
                All = all,
                Filters = filters.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(f => f.Value).ToList()),
            }, EngineFixture.Timeout())).Select(c => c.Id).ToList();

        Assert.Equal([running.Id], await Ids(false));
        Assert.Equal(2, (await Ids(true)).Count);
        Assert.Equal([created.Id], await Ids(true, ("status", "created")));
        Assert.Equal([running.Id], await Ids(true, ("name", "web")));
        Assert.Equal([running.Id], await Ids(true, ("label", "tier=front")));
        Assert.Equal([created.Id], await Ids(true, ("id", created.Id[..10])));
        Assert.Equal(2, (await Ids(true, ("ancestor", "busybox"))).Count);
        Assert.Empty(await Ids(true, ("ancestor", "alpine")));
        var summary = (await engine.Containers.ListAsync(new ContainerListOptions(), EngineFixture.Timeout())).Single();
        Assert.Equal(["/web-1"], summary.Names);
        Assert.StartsWith("Up ", summary.Status);
        Assert.Equal("sh -c 'sleep 1000'", summary.Command);
    }

    internal static char ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '\0';
        }
    }
}
