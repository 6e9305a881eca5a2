using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Tests.Lifecycle;
using static WebEngine.Engine.Tests.Networks.NetworkTestKit;

namespace WebEngine.Engine.Tests.Networks;

/// <summary>The network modes none, host and container:&lt;id&gt;.</summary>
public sealed class NetworkModeTests
{
    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task NoneHasOnlyLoopbackAndContainerModeSharesTheNamespace(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var isolated = await RunSleeperAsync(engine, "isolated", new HostConfig { NetworkMode = "none" });
        var (_, devices) = await ExecAsync(engine, isolated, "ls /sys/class/net");
        Assert.Equal(["lo"], devices.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var (_, loopback) = await ExecAsync(engine, isolated, "cat /sys/class/net/lo/operstate");
        Assert.DoesNotContain("down", loopback);
        Assert.Equal(NetworkService.NoneNetwork, Assert.Single((await engine.Containers.InspectAsync(isolated, EngineFixture.Timeout())).NetworkSettings.Networks).Key);

        var web = await RunServerAsync(engine, "web");
        var sidecar = await RunSleeperAsync(engine, "sidecar", new HostConfig { NetworkMode = "container:web" });
        Assert.Equal((0, "hello from web\n"), await FetchFromAsync(engine, sidecar, "http://127.0.0.1/"));
        var webPid = (await engine.Containers.InspectAsync(web, EngineFixture.Timeout())).State.Pid;
        var sidecarDetails = await engine.Containers.InspectAsync(sidecar, EngineFixture.Timeout());
        Assert.Equal($"container:{web}", sidecarDetails.HostConfig.NetworkMode);
        Assert.Equal(new FileInfo($"/proc/{webPid}/ns/net").LinkTarget, new FileInfo($"/proc/{sidecarDetails.State.Pid}/ns/net").LinkTarget);

        // Joining a container that does not run is refused at start.
        await engine.Containers.StopAsync(sidecar, 1, null, EngineFixture.Timeout());
        await engine.Containers.StopAsync(web, 1, null, EngineFixture.Timeout());
        await Assert.ThrowsAsync<ConflictException>(() => engine.Containers.StartAsync(sidecar, EngineFixture.Timeout()));
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.CreateAsync(new ContainerCreateRequest(
            new ContainerConfig { Image = "busybox" }, new HostConfig { NetworkMode = "container:nobody" }), EngineFixture.Timeout()));
    }

    /// <summary>
    /// dockerd connects a container to every network in its settings at start (none and host too, with an endpoint
    /// that has no address) and logs "disconnect" for each when the container stops.
    /// </summary>
    [Fact]
    public async Task NoneAndHostContainersConnectAtStartAndDisconnectAtStop()
    {
        await using var engine = await EngineFixture.StartAsync();
        var isolated = await RunSleeperAsync(engine, "isolated", new HostConfig { NetworkMode = "none" });
        var onHost = await RunSleeperAsync(engine, "onhost", new HostConfig { NetworkMode = "host" });
        var settings = (await engine.Containers.InspectAsync(isolated, EngineFixture.Timeout())).NetworkSettings;
        Assert.NotEqual("", Assert.Single(settings.Networks).Value.EndpointID);
        Assert.Equal("", settings.Networks[NetworkService.NoneNetwork].IPAddress);
        Assert.Empty(settings.Ports);
        var none = await engine.Containers.Networks.InspectAsync(NetworkService.NoneNetwork, EngineFixture.Timeout());
        Assert.Equal("", Assert.Contains(isolated, none.Containers).IPv4Address);

        await engine.Containers.StopAsync(isolated, 1, null, EngineFixture.Timeout());
        await engine.Containers.StopAsync(onHost, 1, null, EngineFixture.Timeout());
        Assert.Equal("", (await engine.Containers.InspectAsync(isolated, EngineFixture.Timeout())).NetworkSettings.Networks[NetworkService.NoneNetwork].EndpointID);
        await engine.Containers.RemoveAsync(isolated, force: false, removeVolumes: false, EngineFixture.Timeout());
        await engine.Containers.RemoveAsync(onHost, force: false, removeVolumes: false, EngineFixture.Timeout());

        var events = await engine.Events.ListAsync(new Events.EventFilter(new Dictionary<string, IReadOnlyList<string>> { ["type"] = ["network"] }),
            null, null, EngineFixture.Timeout());
        foreach (var (id, network) in new[] { (isolated, NetworkService.NoneNetwork), (onHost, NetworkService.HostNetwork) })
        {
            var actions = events.Where(e => e.Actor.Attributes.GetValueOrDefault("container") == id).ToList();
            Assert.Equal(["connect", "disconnect"], actions.Select(e => e.Action));
            Assert.All(actions, e => Assert.Equal(network, e.Actor.Attributes["name"]));
        }
    }

    [Fact]
    public async Task HostNetworkSeesTheHostsDevices()
    {
        await using var engine = await EngineFixture.StartAsync();
        var onHost = await RunSleeperAsync(engine, "onhost", new HostConfig { NetworkMode = "host" });
        var (_, devices) = await ExecAsync(engine, onHost, "ls /sys/class/net");
        Assert.Contains(engine.Networking.DevicePrefix + "0", devices);
        var details = await engine.Containers.InspectAsync(onHost, EngineFixture.Timeout());
        Assert.Equal("", details.NetworkSettings.SandboxKey);
        Assert.Equal(NetworkService.HostNetwork, Assert.Single(details.NetworkSettings.Networks).Key);
    }
}
