using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests;

/// <summary>The real daemon (`webengine.dll`) started on a temporary data root and unix socket; stopped and removed on dispose.</summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("webengine-daemon");
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private DaemonProcess(IEnumerable<string> extraArgs)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "webengine.dll"));
        psi.ArgumentList.Add($"--WebEngine:DataRoot={DataRoot}");
        psi.ArgumentList.Add($"--WebEngine:UnixSocket={Socket}");
        if (!extraArgs.Any(a => a.StartsWith("--WebEngine:HttpUrls", StringComparison.Ordinal)))
            psi.ArgumentList.Add("--WebEngine:HttpUrls:0=");
        foreach (var arg in extraArgs)
            psi.ArgumentList.Add(arg);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string DataRoot => _dir.Combine("data");
    public string Socket => _dir.Combine("webengine.sock");
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<DaemonProcess> StartAsync(params string[] extraArgs)
    {
        var daemon = new DaemonProcess(extraArgs);
        try
        {
            await daemon.WaitUntilListeningAsync();
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the daemon exited with {_process.ExitCode}:\n{Log}");
            if (File.Exists(Socket))
            {
                try
                {
                    using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(Socket));
                    return;
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the daemon did not listen on {Socket} within 60 s:\n{Log}");
    }

    /// <summary>Runs the real docker CLI against this daemon.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> DockerAsync(params string[] args)
    {
        Prerequisites.RequireFile("/usr/local/bin/docker", "the docker CLI at /usr/local/bin/docker");
        var psi = new ProcessStartInfo("/usr/local/bin/docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOCKER_HOST"] = $"unix://{Socket}";
        psi.Environment["DOCKER_CONFIG"] = _dir.Combine("docker-config");
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _dir.Dispose();
    }
}
