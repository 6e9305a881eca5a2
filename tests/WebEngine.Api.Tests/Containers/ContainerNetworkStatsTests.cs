using System.Net.Sockets;
using System.Text.Json;

namespace WebEngine.Api.Tests.Containers;

/// <summary>docker stats' network columns: the traffic of the container's own interfaces, none on --network host.</summary>
public sealed class ContainerNetworkStatsTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task Stats_count_the_traffic_of_the_containers_interface()
    {
        var name = BusyboxDaemonFixture.NewName("netstats");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        var address = await fixture.DockerOkAsync("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name);
        await SendTrafficAsync(address);

        using var response = await fixture.Http.GetAsync($"containers/{name}/stats?stream=0&one-shot=1");
        using var sample = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var networks = sample.RootElement.GetProperty("networks");
        Assert.Equal(["eth0"], networks.EnumerateObject().Select(n => n.Name));
        var eth0 = networks.GetProperty("eth0");
        Assert.True(eth0.GetProperty("rx_bytes").GetInt64() > 0, eth0.ToString());
        Assert.True(eth0.GetProperty("rx_packets").GetInt64() > 0, eth0.ToString());
        Assert.True(eth0.GetProperty("tx_bytes").GetInt64() > 0, eth0.ToString());

        var netIo = await fixture.DockerOkAsync("stats", "--no-stream", "--format", "{{.NetIO}}", name);
        Assert.Matches(@"^[0-9.]+[kMG]?B / [0-9.]+[kMG]?B$", netIo);
        Assert.NotEqual("0B / 0B", netIo);
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task A_container_on_the_host_network_has_no_networks_in_its_stats()
    {
        var name = BusyboxDaemonFixture.NewName("hoststats");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "--network", "host", "busybox", "sleep", "300");
        using var response = await fixture.Http.GetAsync($"containers/{name}/stats?stream=0&one-shot=1");
        using var sample = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(sample.RootElement.TryGetProperty("networks", out _), sample.RootElement.ToString());
        Assert.True(sample.RootElement.GetProperty("memory_stats").GetProperty("usage").GetInt64() > 0);
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    /// <summary>A TCP connection to a closed port: the SYN reaches the container, its reset comes back.</summary>
    private static async Task SendTrafficAsync(string address)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<SocketException>(async () => await client.ConnectAsync(address, 9, timeout.Token));
    }
}
