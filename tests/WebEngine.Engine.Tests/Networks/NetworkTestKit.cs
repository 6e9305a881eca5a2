using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Tests.Lifecycle;

namespace WebEngine.Engine.Tests.Networks;

/// <summary>What the network tests share: containers that serve or fetch, exec with output, the host's view of the kernel.</summary>
internal static class NetworkTestKit
{
    /// <summary>busybox httpd in the foreground serving "hello from NAME" on port 80.</summary>
    public static string HttpdScript(string name) => $"mkdir -p /www && echo hello from {name} > /www/index.html && exec httpd -f -p 80 -h /www";

    public static async Task<string> RunServerAsync(EngineFixture engine, string name, HostConfig? host = null,
        IReadOnlyDictionary<string, EndpointConfig>? networks = null, ContainerConfig? config = null)
    {
        var created = await engine.Containers.CreateAsync(new ContainerCreateRequest(
            (config ?? new ContainerConfig()) with { Image = "busybox", Cmd = ["sh", "-c", HttpdScript(name)] }, host ?? new HostConfig(), name)
        {
            Networks = networks ?? new Dictionary<string, EndpointConfig>(),
        }, EngineFixture.Timeout());
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        return created.Id;
    }

    public static async Task<string> RunSleeperAsync(EngineFixture engine, string name, HostConfig? host = null,
        IReadOnlyDictionary<string, EndpointConfig>? networks = null)
    {
        var created = await engine.Containers.CreateAsync(new ContainerCreateRequest(
            new ContainerConfig { Image = "busybox", Cmd = ["sleep", "1000"] }, host ?? new HostConfig(), name)
        {
            Networks = networks ?? new Dictionary<string, EndpointConfig>(),
        }, EngineFixture.Timeout());
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        return created.Id;
    }

    public static async Task<(int ExitCode, string Output)> ExecAsync(EngineFixture engine, string container, string script)
    {
        var execId = await engine.Containers.ExecCreateAsync(container, new ExecConfig
        {
            Cmd = ["sh", "-c", script], AttachStdout = true, AttachStderr = true,
        }, EngineFixture.Timeout());
        await using var stream = await engine.Containers.ExecStartAsync(execId, detach: false, EngineFixture.Timeout());
        var output = new StringBuilder();
        while (await stream!.ReadAsync(EngineFixture.Timeout()) is { } chunk)
            output.Append(Encoding.UTF8.GetString(chunk.Data));
        var details = await engine.Containers.ExecInspectAsync(execId, EngineFixture.Timeout());
        return (details.ExitCode ?? -1, output.ToString());
    }

    /// <summary>
    /// Fetches http://host[:port]/ from inside a container and returns the body. busybox nc, because Debian's static
    /// busybox wget crashes (SIGSEGV) in its resolver.
    /// </summary>
    public static async Task<(int ExitCode, string Body)> FetchFromAsync(EngineFixture engine, string container, string url)
    {
        var authority = new Uri(url).Authority.Split(':');
        var port = authority.Length > 1 ? authority[1] : "80";
        var (exitCode, output) = await ExecAsync(engine, container, $"printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 {authority[0]} {port} 2>&1");
        var body = output.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var at and >= 0 ? output[(at + 4)..] : output;
        return (exitCode, body);
    }

    /// <summary>Fetches a URL from the host.</summary>
    public static async Task<string> FetchFromHostAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(url);
    }

    /// <summary>Whether anything answers on the host's address and port within a second.</summary>
    public static async Task<bool> AnswersAsync(string address, int port)
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

    /// <summary>The host's own IPv4 addresses other than loopback and the engines' bridges (e.g. eth0's).</summary>
    public static IReadOnlyList<string> HostAddresses() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback && !i.Name.StartsWith("w", StringComparison.Ordinal))
        .SelectMany(i => i.GetIPProperties().UnicastAddresses)
        .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
        .Select(a => a.Address.ToString()).ToList();

    /// <summary>A /24 (or one address of it) inside the test engine's own pool, so that no other test meets it.</summary>
    public static string InPool(EngineFixture engine, int block, int? host = null)
    {
        var octets = engine.Networking.AddressPool.Split('/')[0].Split('.');
        return host is { } h ? $"{octets[0]}.{octets[1]}.{block}.{h}" : $"{octets[0]}.{octets[1]}.{block}.0/24";
    }

    public static int HostPort(ContainerDetails details, string port) =>
        int.Parse(details.NetworkSettings.Ports[port]![0].HostPort, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What of this engine exists in the kernel: its devices, its namespaces and its firewall table.</summary>
    public static string KernelSnapshot(EngineFixture engine)
    {
        var prefix = engine.Networking.DevicePrefix;
        var devices = string.Join(",", engine.Networking.Devices().Order(StringComparer.Ordinal));
        var namespaces = Directory.Exists("/run/netns")
            ? string.Join(",", Directory.EnumerateFiles("/run/netns", prefix + "-*").Select(Path.GetFileName).Order(StringComparer.Ordinal))
            : "";
        return $"devices: {devices}\nnamespaces: {namespaces}\nfirewall:\n{Run("nft", "list", "table", "ip", engine.Networking.FirewallTable)}";
    }

    public static string Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
