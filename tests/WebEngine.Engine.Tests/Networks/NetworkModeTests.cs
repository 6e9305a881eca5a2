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
