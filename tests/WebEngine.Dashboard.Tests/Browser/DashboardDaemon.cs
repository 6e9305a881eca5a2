using System.Net;
using WebEngine.TestSupport;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>
/// The real daemon for a browser test class (a <see cref="DaemonProcess"/> with busybox loaded before it starts), with
/// a free loopback HTTP port and a known admin password; every container, shim, mount and file removed on dispose.
/// </summary>
public sealed class DashboardDaemon : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-for-tests";

    private readonly DaemonProcess _daemon;

    private DashboardDaemon(DaemonProcess daemon, int httpPort)
    {
        _daemon = daemon;
        HttpPort = httpPort;
    }

    public int HttpPort { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");
    public string Socket => _daemon.Socket;
    public string Log => _daemon.Log;

    /// <summary>Starts the daemon of this build's output, or <paramref name="daemon"/> (the path of a webengine.dll).</summary>
    public static async Task<DashboardDaemon> StartAsync(string? daemon = null)
    {
        Prerequisites.RequireRoot();
        var port = LoopbackPort.Free();
        var process = await DaemonProcess.StartWithBusyboxAsync(daemon,
            [$"--WebEngine:HttpUrls:0=http://127.0.0.1:{port}", $"--WebEngine:InitialAdminPassword={AdminPassword}"]);
        var started = new DashboardDaemon(process, port);
        try
        {
            await started.WaitUntilServingAsync();
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>The unix socket answers first; the browser needs the sign-in page on the HTTP listener.</summary>
    private async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "signin"));
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the daemon did not serve {BaseAddress}signin within 90 s:\n{Log}");
    }

    /// <summary>Runs the real docker CLI against this daemon's unix socket (where every request is trusted as admin).</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> DockerAsync(params string[] args) => _daemon.DockerAsync(args);

    /// <summary>Runs docker and asserts that it succeeded; returns its trimmed stdout.</summary>
    public async Task<string> DockerOkAsync(params string[] args)
    {
        var (code, stdout, stderr) = await DockerAsync(args);
        Assert.True(code == 0, $"docker {string.Join(' ', args)} exited {code}: {stderr}\n{stdout}");
        return stdout.Trim();
    }

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();
}
