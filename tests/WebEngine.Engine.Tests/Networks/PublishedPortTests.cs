using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Tests.Lifecycle;
using static WebEngine.Engine.Tests.Networks.NetworkTestKit;

namespace WebEngine.Engine.Tests.Networks;

/// <summary>Published ports of a container on the default bridge: reachable from the host on loopback and its own addresses.</summary>
public sealed class PublishedPortTests
{
    [Theory]
    [MemberData(nameof(EngineFixture.Runtimes), MemberType = typeof(EngineFixture))]
    public async Task HttpdOnAPublishedPortIsFetchedFromTheHost(string runtime)
    {
        await using var engine = await EngineFixture.StartAsync(runtime);
        var id = await RunServerAsync(engine, "web", new HostConfig
        {
            PortBindings = new Dictionary<string, IReadOnlyList<PortBinding>>
            {
                ["80/tcp"] = [new PortBinding()],
                ["81/tcp"] = [new PortBinding { HostIp = "127.0.0.1" }],
            },
        });

        var details = await engine.Containers.InspectAsync(id, EngineFixture.Timeout());
        var port = HostPort(details, "80/tcp");
        var bridge = details.NetworkSettings.Networks[NetworkService.DefaultNetwork];
        Assert.StartsWith(engine.Networking.AddressPool.Split('.')[0] + "." + engine.Networking.AddressPool.Split('.')[1] + ".", bridge.IPAddress);
        Assert.Equal(bridge.IPAddress, details.NetworkSettings.IPAddress);
        Assert.Equal("0.0.0.0", details.NetworkSettings.Ports["80/tcp"]![0].HostIp);
        Assert.Equal("127.0.0.1", details.NetworkSettings.Ports["81/tcp"]![0].HostIp);
        Assert.Equal(engine.Options.Networking.FirewallTable, engine.Networking.FirewallTable);
        Assert.Equal(NetworkService.DefaultNetwork, Assert.Single(details.NetworkSettings.Networks).Key);
        Assert.EndsWith(id, details.NetworkSettings.SandboxKey);

        await EngineFixture.EventuallyAsync(() => AnswersAsync("127.0.0.1", port), "httpd listens");
        Assert.Equal("hello from web\n", await FetchFromHostAsync($"http://127.0.0.1:{port}/"));
        foreach (var address in HostAddresses())
            Assert.Equal("hello from web\n", await FetchFromHostAsync($"http://{address}:{port}/"));
        Assert.Equal("hello from web\n", await FetchFromHostAsync($"http://{bridge.IPAddress}:80/"));
        var summary = Assert.Single(await engine.Containers.ListAsync(new ContainerListOptions(), EngineFixture.Timeout()));
        Assert.Contains(summary.Ports, p => p.PrivatePort == 80 && p.PublicPort == port && p.Type == "tcp");

        await engine.Containers.StopAsync(id, 1, null, EngineFixture.Timeout());
        Assert.False(await AnswersAsync("127.0.0.1", port), "the port still answers after the container stopped");
        Assert.DoesNotContain("dnat to", Run("nft", "list", "table", "ip", engine.Networking.FirewallTable));
        var stopped = await engine.Containers.InspectAsync(id, EngineFixture.Timeout());
        Assert.Empty(stopped.NetworkSettings.Ports);
        Assert.Equal("", stopped.NetworkSettings.Networks[NetworkService.DefaultNetwork].IPAddress);
    }

    [Fact]
    public async Task PublishAllUsesTheExposedPortsAndATakenPortIsAConflict()
    {
        await using var engine = await EngineFixture.StartAsync();
        var id = await RunServerAsync(engine, "all", new HostConfig { PublishAllPorts = true },
            config: new ContainerConfig { ExposedPorts = new HashSet<string> { "80/tcp", "53/udp" } });
        var details = await engine.Containers.InspectAsync(id, EngineFixture.Timeout());
        var port = HostPort(details, "80/tcp");
        Assert.InRange(port, engine.Options.Networking.EphemeralPortFirst, engine.Options.Networking.EphemeralPortLast);
        Assert.NotNull(details.NetworkSettings.Ports["53/udp"]);
        await EngineFixture.EventuallyAsync(() => AnswersAsync("127.0.0.1", port), "httpd listens");
        Assert.Equal("hello from all\n", await FetchFromHostAsync($"http://127.0.0.1:{port}/"));

        // The same host port for a second container: refused at its start, and it leaves nothing behind.
        var clash = await engine.Containers.CreateAsync(new ContainerCreateRequest(
            new ContainerConfig { Image = "busybox", Cmd = ["sleep", "100"] },
            new HostConfig { PortBindings = new Dictionary<string, IReadOnlyList<PortBinding>> { ["80/tcp"] = [new PortBinding { HostPort = $"{port}" }] } }),
            EngineFixture.Timeout());
        var before = KernelSnapshot(engine);
        var error = await Assert.ThrowsAsync<ConflictException>(() => engine.Containers.StartAsync(clash.Id, EngineFixture.Timeout()));
        Assert.Contains("port is already allocated", error.Message);
        Assert.Equal(before, KernelSnapshot(engine));
        Assert.Equal("hello from all\n", await FetchFromHostAsync($"http://127.0.0.1:{port}/"));
    }

    [Fact]
    public async Task BadPortBindingsAreRefusedAtCreate()
    {
        await using var engine = await EngineFixture.StartAsync();
        foreach (var (key, binding, message) in new[]
                 {
                     ("80/icmp", new PortBinding(), "invalid proto"),
                     ("0/tcp", new PortBinding(), "invalid containerPort"),
                     ("80/tcp", new PortBinding { HostPort = "70000" }, "invalid hostPort"),
                     ("80/tcp", new PortBinding { HostIp = "not-an-ip" }, "invalid host IP"),
                 })
        {
            var error = await Assert.ThrowsAsync<InvalidArgumentException>(() => engine.Containers.CreateAsync(new ContainerCreateRequest(
                new ContainerConfig { Image = "busybox" },
                new HostConfig { PortBindings = new Dictionary<string, IReadOnlyList<PortBinding>> { [key] = [binding] } }), EngineFixture.Timeout()));
            Assert.Contains(message, error.Message);
        }
        Assert.Empty(await engine.Containers.ListAsync(new ContainerListOptions { All = true }, EngineFixture.Timeout()));
    }
}
