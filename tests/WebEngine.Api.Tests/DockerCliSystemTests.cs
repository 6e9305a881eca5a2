using WebEngine.TestSupport;

namespace WebEngine.Api.Tests;

/// <summary>The real docker CLI against the real daemon: negotiation and the system commands.</summary>
public sealed class DockerCliSystemTests
{
    [Fact]
    public async Task DockerVersionShowsTheServerAtApi150()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var (exitCode, stdout, stderr) = await daemon.DockerAsync("version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}} {{.Client.APIVersion}}");
        Assert.True(exitCode == 0, stderr);
        Assert.Equal("1.50 1.24 linux 1.50\n", stdout);
    }

    [Fact]
    public async Task TheConfiguredHttpListenerAnswersOnLoopback()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var daemon = await DaemonProcess.StartAsync($"--WebEngine:HttpUrls:0=http://127.0.0.1:{port}");
        using var http = new HttpClient();
        Assert.Equal("OK", await http.GetStringAsync($"http://127.0.0.1:{port}/_ping"));
    }

    [Fact]
    public async Task UnknownRouteIsAJsonErrorTheCliPrints()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var (exitCode, _, stderr) = await daemon.DockerAsync("plugin", "inspect", "nosuchplugin");
        Assert.Equal(1, exitCode);
        Assert.Contains("page not found", stderr);
        Assert.DoesNotContain("{\"message\"", stderr);
    }
}
