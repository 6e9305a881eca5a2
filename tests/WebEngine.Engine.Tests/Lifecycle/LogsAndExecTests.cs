using System.Text;
using WebEngine.Engine.Events;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Logs;
using WebEngine.Engine.Shims;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>Logs with tail/since/follow, exec with its exit code and output, and events streamed to a subscriber in order.</summary>
public sealed class LogsAndExecTests
{
    [Fact]
    public async Task LogsHonourTailSinceAndFollow()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "for i in 1 2 3 4 5; do echo line$i; done; read x");
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await EngineFixture.EventuallyAsync(async () => (await engine.LogTextAsync(created.Id)).Contains("line5"), "five lines are logged");

        Assert.Equal("line4\nline5\n", await engine.LogTextAsync(created.Id, new LogReadOptions { Tail = 2 }));
        var all = await engine.LogsAsync(created.Id);
        Assert.Equal(5, all.Count);
        var since = await engine.LogsAsync(created.Id, new LogReadOptions { Since = all[2].Time });
        Assert.Equal(all.Where(e => e.Time >= all[2].Time).Select(e => e.Text), since.Select(e => e.Text));
        Assert.Equal(["line3\n", "line4\n", "line5\n"], since.Select(e => e.Text).TakeLast(3));
        Assert.Empty(await engine.LogsAsync(created.Id, new LogReadOptions { Until = all[0].Time }));
        Assert.Empty(await engine.LogsAsync(created.Id, new LogReadOptions { Stdout = false }));

        // A follower sees the history, then the end when the container stops.
        var follow = engine.LogTextAsync(created.Id, new LogReadOptions { Follow = true });
        await engine.Containers.StopAsync(created.Id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout());
        Assert.Equal("line1\nline2\nline3\nline4\nline5\n", await follow.WaitAsync(EngineFixture.Timeout()));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => engine.Containers.LogsAsync(created.Id, new LogReadOptions { Stdout = false, Stderr = false }, EngineFixture.Timeout()));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task ExecReportsItsOutputAndExitCode(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 1000", config: new Containers.ContainerConfig { Env = ["FROM_CONTAINER=1"] });
        await Assert.ThrowsAsync<ConflictException>(() => engine.Containers.ExecCreateAsync(created.Id, new ExecConfig { Cmd = ["true"] }, EngineFixture.Timeout()));
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());

        var execId = await engine.Containers.ExecCreateAsync(created.Id, new ExecConfig
        {
            Cmd = ["sh", "-c", "echo $FROM_CONTAINER $FROM_EXEC $(pwd); exit 7"], Env = ["FROM_EXEC=2"], WorkingDir = "/tmp",
            AttachStdout = true, AttachStderr = true,
        }, EngineFixture.Timeout());
        await using var stream = await engine.Containers.ExecStartAsync(execId, detach: false, EngineFixture.Timeout());
        Assert.NotNull(stream);
        var output = new StringBuilder();
        while (await stream.ReadAsync(EngineFixture.Timeout()) is { } chunk)
            output.Append(Encoding.UTF8.GetString(chunk.Data));

        Assert.Equal("1 2 /tmp\n", output.ToString());
        var details = await engine.Containers.ExecInspectAsync(execId, EngineFixture.Timeout());
        Assert.Equal((7, false), (details.ExitCode, details.Running));
        await Assert.ThrowsAsync<ConflictException>(() => engine.Containers.ExecStartAsync(execId, detach: false, EngineFixture.Timeout()));

        var detached = await engine.Containers.ExecCreateAsync(created.Id, new ExecConfig { Cmd = ["sh", "-c", "exit 4"] }, EngineFixture.Timeout());
        Assert.Null(await engine.Containers.ExecStartAsync(detached, detach: true, EngineFixture.Timeout()));
        await EngineFixture.EventuallyAsync(async () => (await engine.Containers.ExecInspectAsync(detached, EngineFixture.Timeout())).ExitCode == 4, "the detached exec exits 4");
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.ExecInspectAsync("nope", EngineFixture.Timeout()));
    }

    [Fact]
    public async Task AttachBeforeStartSeesTheFirstOutput()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "echo first; exit 2");
        var attach = await engine.Containers.AttachAsync(created.Id, new ShimAttachOptions(), EngineFixture.Timeout());
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await using var stream = await attach.WaitAsync(EngineFixture.Timeout());
        var output = new StringBuilder();
        while (await stream.ReadAsync(EngineFixture.Timeout()) is { } chunk)
            output.Append(Encoding.UTF8.GetString(chunk.Data));
        Assert.Equal("first\n", output.ToString());
        Assert.Equal(2, stream.ExitStatus?.ExitCode);
    }

    [Fact]
    public async Task EventsAreStreamedInOrderWithFilters()
    {
        await using var engine = await EngineFixture.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var filter = new EventFilter(new Dictionary<string, IReadOnlyList<string>> { ["type"] = ["container"], ["event"] = ["create", "start", "die", "destroy"] });
        var received = new List<EngineEvent>();
        var subscription = Task.Run(async () =>
        {
            await foreach (var e in engine.Events.SubscribeAsync(filter, null, null, stop.Token))
            {
                received.Add(e);
                if (e.Action == "destroy")
                    return;
            }
        });
        await Task.Delay(200);
        var created = await ContainerLifecycleTests.CreateAsync(engine, "exit 5", name: "evented",
            config: new Containers.ContainerConfig { Labels = new Dictionary<string, string> { ["app"] = "x" } });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await engine.Containers.WaitAsync(created.Id, WaitCondition.NotRunning, EngineFixture.Timeout());
        await engine.Containers.RemoveAsync(created.Id, force: false, removeVolumes: false, EngineFixture.Timeout());
        await subscription.WaitAsync(EngineFixture.Timeout());

        Assert.Equal(["create", "start", "die", "destroy"], received.Select(e => e.Action).ToList());
        Assert.All(received, e => Assert.Equal(("container", created.Id, "evented", "busybox", "x", "local"),
            (e.Type, e.Actor.Id, e.Actor.Attributes["name"], e.Actor.Attributes["image"], e.Actor.Attributes["app"], e.Scope)));
        Assert.Equal("5", received[2].Actor.Attributes["exitCode"]);
        Assert.True(received.Zip(received.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence && p.First.TimeNano <= p.Second.TimeNano));

        // The stored history replays the same events for a subscriber that asks since a time.
        var replay = await engine.Events.ListAsync(new EventFilter(new Dictionary<string, IReadOnlyList<string>> { ["label"] = ["app=x"] }), 0, null, EngineFixture.Timeout());
        Assert.Equal(["create", "start", "die", "destroy"], replay.Select(e => e.Action).ToList());
        await stop.CancelAsync();
    }
}
