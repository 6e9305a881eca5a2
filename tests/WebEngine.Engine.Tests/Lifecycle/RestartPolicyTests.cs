using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>Restart policies on real containers, and Docker's back-off arithmetic.</summary>
public sealed class RestartPolicyTests
{
    [Fact]
    public async Task OnFailureRestartsAsOftenAsAllowed()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "echo run; exit 1", host: new HostConfig { RestartPolicy = new RestartPolicy("on-failure", 2) });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());

        await EngineFixture.EventuallyAsync(async () => (await engine.ActionsAsync(created.Id)).Count(a => a == "die") == 3, "the third exit");
        var details = await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout());
        Assert.Equal(("exited", 1, 2), (details.State.Status, details.State.ExitCode, details.RestartCount));
        Assert.Equal(["create", "start", "die", "start", "die", "start", "die"], await engine.ActionsAsync(created.Id));
        Assert.Equal("run\nrun\nrun\n", await engine.LogTextAsync(created.Id));
    }

    [Fact]
    public async Task OnFailureDoesNotRestartASuccess()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "exit 0", host: new HostConfig { RestartPolicy = new RestartPolicy("on-failure") });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await engine.Containers.WaitAsync(created.Id, WaitCondition.NotRunning, EngineFixture.Timeout());
        Assert.Equal(("exited", 0), ((await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Status, (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).RestartCount));
    }

    [Fact]
    public async Task AlwaysRestartsUntilStoppedAndAgainWhenTheEngineStarts()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "sleep 0.2; exit 0", host: new HostConfig { RestartPolicy = new RestartPolicy("always") });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await EngineFixture.EventuallyAsync(async () => (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).RestartCount >= 2, "two restarts");

        await engine.Containers.StopAsync(created.Id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout());
        var stopped = await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout());
        Assert.Equal("exited", stopped.State.Status);
        var dies = (await engine.ActionsAsync(created.Id)).Count(a => a == "die");
        // Once stopped by hand the policy leaves it alone: the next thing that happens to it is the engine restart below.
        await engine.RestartEngineAsync();
        await EngineFixture.EventuallyAsync(async () => (await engine.ActionsAsync(created.Id)).Count(a => a == "start") > stopped.RestartCount + 1,
            "\"always\" starts the container again when the engine starts");
        Assert.True((await engine.ActionsAsync(created.Id)).Count(a => a == "die") >= dies);
    }

    [Fact]
    public async Task UnlessStoppedStaysStoppedWhenTheEngineStarts()
    {
        await using var engine = await EngineFixture.StartAsync();
        var created = await ContainerLifecycleTests.CreateAsync(engine, "while true; do sleep 0.1; done", host: new HostConfig { RestartPolicy = new RestartPolicy("unless-stopped") });
        var running = await ContainerLifecycleTests.CreateAsync(engine, "while true; do sleep 0.1; done", host: new HostConfig { RestartPolicy = new RestartPolicy("unless-stopped") });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        await engine.Containers.StartAsync(running.Id, EngineFixture.Timeout());
        await engine.Containers.StopAsync(created.Id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout());

        // The running one is killed while the engine is down: unless-stopped brings it back, the stopped one stays.
        var pid = (await engine.Containers.InspectAsync(running.Id, EngineFixture.Timeout())).State.Pid;
        await engine.RestartEngineAsync(async () =>
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
            await EngineFixture.EventuallyAsync(() => Task.FromResult(ContainerLifecycleTests.ProcessState(pid) is '\0' or 'Z'), "the killed process is gone");
        });
        await EngineFixture.EventuallyAsync(async () => (await engine.Containers.InspectAsync(running.Id, EngineFixture.Timeout())).State.Status == "running"
                                                         && (await engine.Containers.InspectAsync(running.Id, EngineFixture.Timeout())).State.Pid != pid, "the killed container runs again");
        Assert.Equal("exited", (await engine.Containers.InspectAsync(created.Id, EngineFixture.Timeout())).State.Status);
        Assert.Equal(["create", "start", "kill", "kill", "die", "stop"], await engine.ActionsAsync(created.Id));
    }

    [Fact]
    public void BackOffDoublesFromAHundredMillisecondsAndResetsAfterTenSeconds()
    {
        var delay = RestartPolicies.NextDelay(TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(100), delay);
        delay = RestartPolicies.NextDelay(delay, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(200), delay);
        delay = RestartPolicies.NextDelay(delay, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(400), delay);
        Assert.Equal(TimeSpan.FromMilliseconds(100), RestartPolicies.NextDelay(delay, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromMinutes(1), RestartPolicies.NextDelay(TimeSpan.FromSeconds(40), TimeSpan.Zero));
        Assert.False(RestartPolicies.ShouldRestart(new RestartPolicy("always"), 0, manuallyStopped: true, 0));
        Assert.True(RestartPolicies.ShouldRestart(new RestartPolicy("on-failure", 2), 1, false, 1));
        Assert.False(RestartPolicies.ShouldRestart(new RestartPolicy("on-failure", 2), 1, false, 2));
        Assert.True(RestartPolicies.ShouldRestartOnEngineStart(new RestartPolicy("always"), 0, manuallyStopped: true, 0));
        Assert.False(RestartPolicies.ShouldRestartOnEngineStart(new RestartPolicy("unless-stopped"), 0, manuallyStopped: true, 0));
    }
}
