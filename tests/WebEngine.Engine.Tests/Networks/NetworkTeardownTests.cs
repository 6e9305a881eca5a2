using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Tests.Lifecycle;
using static WebEngine.Engine.Tests.Networks.NetworkTestKit;

namespace WebEngine.Engine.Tests.Networks;

/// <summary>Everything a container or a network made in the kernel goes with it; published ports outlive an engine restart.</summary>
public sealed class NetworkTeardownTests
{
    private static HostConfig Published(string network = "") => new()
    {
        NetworkMode = network,
        PortBindings = new Dictionary<string, IReadOnlyList<PortBinding>> { ["80/tcp"] = [new PortBinding()], ["53/udp"] = [new PortBinding()] },
    };

    [Fact]
    public async Task TeardownLeavesNoTraceInLinksNamespacesOrRules()
    {
        await using var engine = await EngineFixture.StartAsync();
        var before = KernelSnapshot(engine);
        Assert.Contains(engine.Networking.DevicePrefix + "0", before);

        await engine.Containers.Networks.CreateAsync(new NetworkCreateRequest { Name = "app" }, EngineFixture.Timeout());
        await engine.Containers.Networks.CreateAsync(new NetworkCreateRequest { Name = "sealed", Internal = true }, EngineFixture.Timeout());
        var web = await RunServerAsync(engine, "web", Published("app"));
        var worker = await RunSleeperAsync(engine, "worker", Published(), new Dictionary<string, EndpointConfig> { ["sealed"] = new() });
        var isolated = await RunSleeperAsync(engine, "isolated", new HostConfig { NetworkMode = "none" });
        await engine.Containers.ConnectNetworkAsync("app", worker, new EndpointConfig(), EngineFixture.Timeout());
        var during = KernelSnapshot(engine);
        Assert.Contains("dnat to", during);
        Assert.Contains(web, during);
        Assert.Contains(isolated, during);

        // Stopping takes down the running parts; removing the containers and networks takes down the rest.
        await engine.Containers.StopAsync(web, 1, null, EngineFixture.Timeout());
        Assert.DoesNotContain(web, KernelSnapshot(engine));
        foreach (var id in new[] { web, worker, isolated })
            await engine.Containers.RemoveAsync(id, force: true, removeVolumes: true, EngineFixture.Timeout());
        await engine.Containers.Networks.RemoveAsync("app", EngineFixture.Timeout());
        await engine.Containers.Networks.RemoveAsync("sealed", EngineFixture.Timeout());

        Assert.Equal(before, KernelSnapshot(engine));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task PublishedPortsKeepWorkingAcrossAnEngineRestart(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var web = await RunServerAsync(engine, "web", Published());
        var ending = await RunSleeperAsync(engine, "ending", Published());
        var port = HostPort(await engine.Containers.InspectAsync(web, EngineFixture.Timeout()), "80/tcp");
        var endingPid = (await engine.Containers.InspectAsync(ending, EngineFixture.Timeout())).State.Pid;
        await EngineFixture.EventuallyAsync(() => AnswersAsync("127.0.0.1", port), "httpd listens");

        await engine.RestartEngineAsync(async () =>
        {
            // No engine runs: the kernel still forwards the published port.
            Assert.Equal("hello from web\n", await FetchFromHostAsync($"http://127.0.0.1:{port}/"));
            System.Diagnostics.Process.GetProcessById(endingPid).Kill();
            await EngineFixture.EventuallyAsync(() => Task.FromResult(ContainerLifecycleTests.ProcessState(endingPid) is '\0' or 'Z'), "the process is gone");
            await Task.Delay(500);
        });

        Assert.Equal("hello from web\n", await FetchFromHostAsync($"http://127.0.0.1:{port}/"));
        var details = await engine.Containers.InspectAsync(web, EngineFixture.Timeout());
        Assert.Equal(port, HostPort(details, "80/tcp"));
        // The container that ended while no engine ran lost its namespace, address and ports.
        var snapshot = KernelSnapshot(engine);
        Assert.DoesNotContain(ending, snapshot);
        Assert.Single(snapshot.Split('\n'), l => l.Contains("tcp dport") && l.Contains("dnat to"));
        Assert.Empty((await engine.Containers.InspectAsync(ending, EngineFixture.Timeout())).NetworkSettings.Ports);

        // The restarted engine still owns the rules: a stop takes them down.
        await engine.Containers.StopAsync(web, 1, null, EngineFixture.Timeout());
        Assert.False(await AnswersAsync("127.0.0.1", port));
    }
}
