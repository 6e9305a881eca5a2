using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Tests.Lifecycle;
using static WebEngine.Engine.Tests.Networks.NetworkTestKit;

namespace WebEngine.Engine.Tests.Networks;

/// <summary>User-defined networks: containers on one reach each other by name and alias; containers on two different ones cannot.</summary>
public sealed class NameResolutionTests
{
    [Fact]
    public async Task ContainersOnAUserNetworkReachEachOtherByNameAndAliasButNotAcrossNetworks()
    {
        await using var engine = await EngineFixture.StartAsync();
        var networks = engine.Containers.Networks;
        await networks.CreateAsync(new NetworkCreateRequest { Name = "front" }, EngineFixture.Timeout());
        await networks.CreateAsync(new NetworkCreateRequest { Name = "back", IpamConfig = [new NetworkIpamConfig { Subnet = InPool(engine, 200), Gateway = InPool(engine, 200, 254) }] },
            EngineFixture.Timeout());
        var web = await RunServerAsync(engine, "web", new HostConfig { NetworkMode = "front" },
            new Dictionary<string, EndpointConfig> { ["front"] = new() { Aliases = ["www"] } });
        var client = await RunSleeperAsync(engine, "client", new HostConfig { NetworkMode = "front" });
        var other = await RunSleeperAsync(engine, "other", new HostConfig { NetworkMode = "back" },
            new Dictionary<string, EndpointConfig> { ["back"] = new() { IPv4Address = InPool(engine, 200, 9) } });

        Assert.Equal((0, "hello from web\n"), await FetchFromAsync(engine, client, "http://web/"));
        Assert.Equal((0, "hello from web\n"), await FetchFromAsync(engine, client, "http://www/"));
        var webAddress = (await engine.Containers.InspectAsync(web, EngineFixture.Timeout())).NetworkSettings.Networks["front"].IPAddress;
        var otherDetails = await engine.Containers.InspectAsync(other, EngineFixture.Timeout());
        Assert.Equal(InPool(engine, 200, 9), otherDetails.NetworkSettings.Networks["back"].IPAddress);
        Assert.Equal(InPool(engine, 200, 254), otherDetails.NetworkSettings.Networks["back"].Gateway);

        // Another network: the name is unknown there, and the address is not routed to it.
        var (byName, _) = await FetchFromAsync(engine, other, "http://web/");
        Assert.NotEqual(0, byName);
        var (byAddress, output) = await FetchFromAsync(engine, other, $"http://{webAddress}/");
        Assert.True(byAddress != 0, $"a container on another network fetched {output}");

        // connect: the container gets an interface on the network at once, and the name resolves; disconnect undoes both.
        await engine.Containers.ConnectNetworkAsync("front", other, new EndpointConfig { Aliases = ["late"] }, EngineFixture.Timeout());
        Assert.Equal((0, "hello from web\n"), await FetchFromAsync(engine, other, "http://web/"));
        var (interfaces, _) = await ExecAsync(engine, other, "test -e /sys/class/net/eth1");
        Assert.Equal(0, interfaces);
        Assert.Contains("late", await File.ReadAllTextAsync(Path.Combine(engine.Options.ContainersDirectory, web, "hosts")));
        var (lookup, _) = await ExecAsync(engine, web, "ping -c 1 -W 2 late");
        Assert.Equal(0, lookup);
        var inspected = await networks.InspectAsync("front", EngineFixture.Timeout());
        Assert.Equal(3, inspected.Containers.Count);

        await engine.Containers.DisconnectNetworkAsync("front", "other", EngineFixture.Timeout());
        Assert.DoesNotContain("late", await File.ReadAllTextAsync(Path.Combine(engine.Options.ContainersDirectory, web, "hosts")));
        var (afterDisconnect, _) = await FetchFromAsync(engine, other, "http://web/");
        Assert.NotEqual(0, afterDisconnect);
        Assert.Equal(["back"], (await engine.Containers.InspectAsync(other, EngineFixture.Timeout())).NetworkSettings.Networks.Keys);

        // A network with containers on it stays; without them it goes.
        await Assert.ThrowsAsync<ConflictException>(() => networks.RemoveAsync("front", EngineFixture.Timeout()));
        await Assert.ThrowsAsync<ConflictException>(() => networks.RemoveAsync(NetworkService.DefaultNetwork, EngineFixture.Timeout()));
        await engine.Containers.RemoveAsync(other, force: true, removeVolumes: false, EngineFixture.Timeout());
        await networks.RemoveAsync("back", EngineFixture.Timeout());
        await Assert.ThrowsAsync<NotFoundException>(() => networks.InspectAsync("back", EngineFixture.Timeout()));
    }

    [Fact]
    public async Task NetworkRequestsAreChecked()
    {
        await using var engine = await EngineFixture.StartAsync();
        var networks = engine.Containers.Networks;
        await networks.CreateAsync(new NetworkCreateRequest { Name = "taken", IpamConfig = [new NetworkIpamConfig { Subnet = InPool(engine, 201) }] }, EngineFixture.Timeout());
        await Assert.ThrowsAsync<ConflictException>(() => networks.CreateAsync(new NetworkCreateRequest { Name = "taken" }, EngineFixture.Timeout()));
        await Assert.ThrowsAsync<ConflictException>(() => networks.CreateAsync(
            new NetworkCreateRequest { Name = "overlap", IpamConfig = [new NetworkIpamConfig { Subnet = engine.Networking.AddressPool }] }, EngineFixture.Timeout()));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => networks.CreateAsync(
            new NetworkCreateRequest { Name = "bad", IpamConfig = [new NetworkIpamConfig { Subnet = InPool(engine, 202, 1) + "/24" }] }, EngineFixture.Timeout()));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => networks.CreateAsync(new NetworkCreateRequest { Name = "bad name!" }, EngineFixture.Timeout()));
        await Assert.ThrowsAsync<NotFoundException>(() => networks.CreateAsync(new NetworkCreateRequest { Name = "o", Driver = "overlay" }, EngineFixture.Timeout()));
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.CreateAsync(new ContainerCreateRequest(
            new ContainerConfig { Image = "busybox" }, new HostConfig { NetworkMode = "nowhere" }), EngineFixture.Timeout()));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => engine.Containers.CreateAsync(new ContainerCreateRequest(
            new ContainerConfig { Image = "busybox" }, new HostConfig())
        {
            Networks = new Dictionary<string, EndpointConfig> { ["bridge"] = new() { Aliases = ["nope"] } },
        }, EngineFixture.Timeout()));
        Assert.Empty(await engine.Containers.ListAsync(new ContainerListOptions { All = true }, EngineFixture.Timeout()));

        var names = (await networks.ListAsync(null, EngineFixture.Timeout())).Select(n => n.Name).Order().ToList();
        Assert.Equal(["bridge", "host", "none", "taken"], names);
        Assert.Equal(["taken"], (await networks.ListAsync(new Dictionary<string, IReadOnlyList<string>> { ["type"] = ["custom"] }, EngineFixture.Timeout())).Select(n => n.Name));
        Assert.Equal(["taken"], await networks.PruneAsync(null, EngineFixture.Timeout()));
    }
}
