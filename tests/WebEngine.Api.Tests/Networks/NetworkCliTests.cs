using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using WebEngine.Api.Tests.Containers;

using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Networks;

/// <summary>The real docker CLI against the real daemon: network create/ls/inspect/connect/disconnect/rm, run -p, a daemon restart.</summary>
public sealed class NetworkCliTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    private const string Httpd = "mkdir -p /www && echo hello from $(hostname) > /www/index.html && exec httpd -f -p 80 -h /www";

    [Fact]
    public async Task NetworksPublishedPortsAndNamesThroughTheCliSurviveADaemonRestart()
    {
        var daemon = fixture.Daemon;
        var before = KernelSnapshot(daemon);
        var network = BusyboxDaemonFixture.NewName("net");
        var web = BusyboxDaemonFixture.NewName("web");
        var subnet = SubnetInPool(daemon, 77);

        var networkId = await fixture.DockerOkAsync("network", "create", "--subnet", subnet, "--label", "suite=networks", network);
        Assert.Matches("^[0-9a-f]{64}$", networkId);
        var listed = await fixture.DockerOkAsync("network", "ls", "--format", "{{.Name}} {{.Driver}}");
        foreach (var expected in new[] { "bridge bridge", "host host", "none null", $"{network} bridge" })
            Assert.Contains(expected, listed.Split('\n'));
        var inspected = JsonDocument.Parse(await fixture.DockerOkAsync("network", "inspect", network)).RootElement[0];
        Assert.Equal(subnet, inspected.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Subnet").GetString());
        Assert.Equal("networks", inspected.GetProperty("Labels").GetProperty("suite").GetString());
        var (duplicate, _, duplicateError) = await daemon.DockerAsync("network", "create", network);
        Assert.NotEqual(0, duplicate);
        Assert.Contains("already exists", duplicateError);

        await fixture.DockerOkAsync("run", "-d", "--name", web, "--hostname", "web", "--network", network, "--network-alias", "www",
            "-p", "127.0.0.1::80", "-p", "80", "busybox", "sh", "-c", Httpd);
        var loopbackPort = Port(await fixture.DockerOkAsync("port", web, "80/tcp"), "127.0.0.1");
        var anyPort = Port(await fixture.DockerOkAsync("port", web, "80/tcp"), "0.0.0.0");
        await EventuallyAnswersAsync("127.0.0.1", loopbackPort);
        Assert.Equal("hello from web\n", await FetchAsync($"http://127.0.0.1:{loopbackPort}/"));
        Assert.Equal("hello from web\n", await FetchAsync($"http://127.0.0.1:{anyPort}/"));
        var address = await fixture.DockerOkAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}", web);
        Assert.StartsWith(subnet[..subnet.LastIndexOf('.')], address);
        Assert.Contains($"127.0.0.1:{loopbackPort}->80/tcp", await fixture.DockerOkAsync("ps", "--filter", $"name={web}", "--format", "{{.Ports}}"));
        Assert.Equal(web, await fixture.DockerOkAsync("ps", "--filter", $"network={network}", "--format", "{{.Names}}"));

        // By name and alias from another container on the network; not from one on the default bridge until it is connected.
        Assert.Contains("hello from web", await RunAndLogAsync("--network", network, "busybox", "sh", "-c", Fetch("www")));
        var client = BusyboxDaemonFixture.NewName("client");
        await fixture.DockerOkAsync("run", "-d", "--name", client, "busybox", "sleep", "300");
        Assert.DoesNotContain("hello", await ExecFetchAsync(client, web));
        await fixture.DockerOkAsync("network", "connect", "--alias", "late", network, client);
        Assert.Contains("hello from web", await ExecFetchAsync(client, web));
        Assert.Contains(network, await fixture.DockerOkAsync("inspect", "--format", "{{json .NetworkSettings.Networks}}", client));
        await fixture.DockerOkAsync("network", "disconnect", network, client);
        Assert.DoesNotContain("hello", await ExecFetchAsync(client, web));

        await daemon.RestartAsync(async () =>
            Assert.Equal("hello from web\n", await FetchAsync($"http://127.0.0.1:{loopbackPort}/")));
        Assert.Equal("hello from web\n", await FetchAsync($"http://127.0.0.1:{loopbackPort}/"));
        Assert.Equal(loopbackPort, Port(await fixture.DockerOkAsync("port", web, "80/tcp"), "127.0.0.1"));
        Assert.Contains(network, await fixture.DockerOkAsync("network", "ls", "--format", "{{.Name}}"));

        var (inUse, _, inUseError) = await daemon.DockerAsync("network", "rm", network);
        Assert.NotEqual(0, inUse);
        Assert.Contains("active endpoints", inUseError);
        await fixture.DockerOkAsync("rm", "-f", web, client);
        Assert.False(await AnswersAsync("127.0.0.1", loopbackPort));
        Assert.Equal(network, await fixture.DockerOkAsync("network", "rm", network));
        Assert.Equal(before, KernelSnapshot(daemon));
    }

    [Fact]
    public async Task BadNetworkRequestsGetDockerErrors()
    {
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("networks/nosuchnet"), 404, "network nosuchnet not found");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("networks/create", "{\"Name\":\"bad\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.0.0.1/33\"}]}}"), 400, "invalid subnet");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("networks/create", "{\"Name\":"), 400, "invalid JSON");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("networks/create", "{\"Name\":\"o\",\"Driver\":\"overlay\"}"), 404, "plugin \"overlay\" not found");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("networks/create", "{\"Name\":\"bridge\"}"), 409, "already exists");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.DeleteAsync("networks/bridge"), 409, "pre-defined network");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("networks/bridge/connect", "{\"Container\":\"nobody\"}"), 404, "No such container");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("containers/create",
            "{\"Image\":\"busybox\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"99999\"}]}}}"), 400, "invalid hostPort");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("containers/create",
            "{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"nosuchnet\"}}"), 404, "network nosuchnet not found");
        Assert.DoesNotContain("bad", await fixture.DockerOkAsync("network", "ls", "--format", "{{.Name}}"));
    }

    /// <summary>
    /// --mac-address (which the CLI sends in the main network's EndpointsConfig) and the container-wide Config.MacAddress
    /// of older clients: the interface has that address, inspect shows it before the start too, and bad ones are refused.
    /// </summary>
    [Fact]
    public async Task AFixedMacAddressIsTheInterfacesOnTheDefaultAndAUserNetwork()
    {
        var network = BusyboxDaemonFixture.NewName("macnet");
        await fixture.DockerOkAsync("network", "create", network);
        try
        {
            Assert.Equal("02:42:0a:00:00:99", await fixture.DockerOkAsync("run", "--rm", "--mac-address", "02:42:0A:00:00:99", "busybox", "cat", "/sys/class/net/eth0/address"));
            Assert.Equal("0a:1b:2c:3d:4e:5f", await fixture.DockerOkAsync("run", "--rm", "--network", network, "--mac-address", "0a-1b-2c-3d-4e-5f", "busybox", "cat", "/sys/class/net/eth0/address"));
            var created = BusyboxDaemonFixture.NewName("mac");
            await fixture.DockerOkAsync("create", "--name", created, "--network", network, "--mac-address", "0a:1b:2c:3d:4e:60", "busybox", "true");
            Assert.Equal("0a:1b:2c:3d:4e:60", await fixture.DockerOkAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{network}\").MacAddress}}}}", created));
            await fixture.DockerOkAsync("rm", created);

            // An API 1.43 client's container-wide MacAddress goes to the main network's endpoint.
            var legacy = await fixture.PostJsonAsync("/v1.43/containers/create", "{\"Image\":\"busybox\",\"Cmd\":[\"true\"],\"MacAddress\":\"0a:1b:2c:3d:4e:61\"}");
            var id = JsonDocument.Parse(await legacy.Content.ReadAsStringAsync()).RootElement.GetProperty("Id").GetString()!;
            Assert.Equal("0a:1b:2c:3d:4e:61", await fixture.DockerOkAsync("inspect", "--format", "{{.NetworkSettings.Networks.bridge.MacAddress}}", id));
            await fixture.DockerOkAsync("rm", id);

            var count = await fixture.ContainerCountAsync();
            var (code, _, error) = await fixture.Daemon.DockerAsync("create", "--mac-address", "01:00:5e:00:00:01", "busybox");
            Assert.NotEqual(0, code);
            Assert.Contains("multicast", error);
            await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("containers/create",
                "{\"Image\":\"busybox\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"MacAddress\":\"02:42:zz:00:00:01\"}}}}"), 400, "invalid MAC address 02:42:zz:00:00:01");
            await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("containers/create",
                "{\"Image\":\"busybox\",\"MacAddress\":\"0a:1b:2c:3d:4e:62\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"MacAddress\":\"0a:1b:2c:3d:4e:63\"}}}}"), 400, "must match the endpoint-specific MAC address");
            await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("containers/create",
                "{\"Image\":\"busybox\",\"MacAddress\":\"0a:1b:2c:3d:4e:62\",\"HostConfig\":{\"NetworkMode\":\"none\"}}"), 400, "conflicting options: mac-address");
            Assert.Equal(count, await fixture.ContainerCountAsync());
        }
        finally
        {
            await fixture.Daemon.DockerAsync("network", "rm", network);
        }
    }

    private static string Fetch(string host) => $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} 80";

    private async Task<string> ExecFetchAsync(string container, string host)
    {
        var (_, stdout, stderr) = await fixture.Daemon.DockerAsync("exec", container, "sh", "-c", Fetch(host) + " 2>&1");
        return stdout + stderr;
    }

    /// <summary>docker run -d, wait for its exit, and its log (the run's attach is not needed).</summary>
    private async Task<string> RunAndLogAsync(params string[] arguments)
    {
        var id = await fixture.DockerOkAsync(["run", "-d", .. arguments]);
        await fixture.DockerOkAsync("wait", id);
        var log = await fixture.DockerOkAsync("logs", id);
        await fixture.DockerOkAsync("rm", id);
        return log;
    }

    private static int Port(string dockerPort, string hostIp) =>
        int.Parse(dockerPort.Split('\n').Single(l => l.StartsWith(hostIp + ":", StringComparison.Ordinal))[(hostIp.Length + 1)..]);

    private static string SubnetInPool(DaemonProcess daemon, int block)
    {
        var octets = daemon.Networking.AddressPool.Split('/')[0].Split('.');
        return $"{octets[0]}.{octets[1]}.{block}.0/24";
    }

    private static async Task<string> FetchAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(url);
    }

    private static async Task EventuallyAnswersAsync(string address, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await AnswersAsync(address, port))
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"nothing answers on {address}:{port}");
            await Task.Delay(100);
        }
    }

    private static async Task<bool> AnswersAsync(string address, int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(address, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The daemon's devices, network namespaces and firewall table.</summary>
    private static string KernelSnapshot(DaemonProcess daemon)
    {
        var prefix = daemon.Networking.DevicePrefix;
        var namespaces = Directory.Exists("/run/netns")
            ? string.Join(",", Directory.EnumerateFiles("/run/netns", prefix + "-*").Select(Path.GetFileName).Order(StringComparer.Ordinal))
            : "";
        using var nft = Process.Start(new ProcessStartInfo("nft", ["list", "table", "ip", daemon.Networking.FirewallTable]) { RedirectStandardOutput = true })!;
        var table = nft.StandardOutput.ReadToEnd();
        nft.WaitForExit();
        return $"devices: {string.Join(",", daemon.Networking.Devices().Order(StringComparer.Ordinal))}\nnamespaces: {namespaces}\nfirewall:\n{table}";
    }
}
