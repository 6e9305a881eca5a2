using System.Diagnostics;
using System.Net;
using System.Text;
using WebEngine.Data;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.TestSupport;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>
/// The real daemon for a browser test class: busybox loaded before it starts, its own data root, state root, cgroup
/// parent, unix socket and a free loopback HTTP port; every container, shim, mount and file removed on dispose.
/// </summary>
public sealed class DashboardDaemon : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-for-tests";

    private readonly TempDirectory _dir;
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private DashboardDaemon(TempDirectory dir, string daemon)
    {
        _dir = dir;
        HttpPort = LoopbackPort.Free();
        // Started from "/": a daemon must find its own files wherever it is started from.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        psi.ArgumentList.Add(daemon);
        // Tests kill daemons; a killed .NET process leaves its diagnostics socket and pipes in /tmp behind.
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var arg in new[]
                 {
                     $"--WebEngine:DataRoot={DataRoot}", $"--WebEngine:UnixSocket={Socket}", $"--WebEngine:StateRoot={StateRoot}",
                     $"--WebEngine:CgroupParent={CgroupParent}", $"--WebEngine:ShimBinary={RepoPaths.ShimBinary}",
                     $"--WebEngine:Runtimes:webengine-runtime={RepoPaths.RuntimeBinary}",
                     $"--WebEngine:Runtimes:runc={Prerequisites.RequireProgram("runc", "runc")}",
                     $"--WebEngine:HttpUrls:0=http://127.0.0.1:{HttpPort}", $"--WebEngine:InitialAdminPassword={AdminPassword}",
                 })
        {
            psi.ArgumentList.Add(arg);
        }
        // Its own bridge names, nftables table and pool: never the production defaults (we0, table webengine).
        foreach (var arg in Networking.DaemonArguments())
            psi.ArgumentList.Add(arg);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int HttpPort { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");
    public string DataRoot => _dir.Combine("data");
    public string StateRoot => _dir.Combine("run");
    public TestNetworking Networking { get; } = TestNetworking.Create();
    public string CgroupParent { get; } = $"/webengine-test-{Guid.NewGuid():N}"[..28];
    public string Socket => _dir.Combine("webengine.sock");
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts the daemon of this build's output, or <paramref name="daemon"/> (the path of a webengine.dll).</summary>
    public static async Task<DashboardDaemon> StartAsync(string? daemon = null)
    {
        Prerequisites.RequireRoot();
        var dir = new TempDirectory("wd");
        DashboardDaemon? started = null;
        try
        {
            var data = dir.Combine("data");
            var images = new ImageService(new ImageStoreOptions { DataRoot = data }, WebEngineDatabase.Open(Path.Combine(data, "webengine.db")));
            await new ImageArchiveLoader(images).LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            started = new DashboardDaemon(dir, daemon ?? Path.Combine(AppContext.BaseDirectory, "webengine.dll"));
            await started.WaitUntilListeningAsync();
            return started;
        }
        catch
        {
            if (started is not null)
                await started.DisposeAsync();
            else
                dir.Dispose();
            throw;
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the daemon exited with {_process.ExitCode}:\n{Log}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "signin"));
                if (response.StatusCode == HttpStatusCode.OK && File.Exists(Socket))
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

    /// <summary>Runs docker and asserts that it succeeded; returns its trimmed stdout.</summary>
    public async Task<string> DockerOkAsync(params string[] args)
    {
        var (code, stdout, stderr) = await DockerAsync(args);
        Assert.True(code == 0, $"docker {string.Join(' ', args)} exited {code}: {stderr}\n{stdout}");
        return stdout.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited && File.Exists("/usr/local/bin/docker"))
            {
                var (code, ids, _) = await DockerAsync("ps", "-aq");
                if (code == 0 && ids.Split('\n', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } all)
                    await DockerAsync(["rm", "-f", "-v", .. all]);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
            // The sweep below still runs.
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
            EngineLeftovers.Clean(Path.Combine(StateRoot, "shims"),
                [("webengine-runtime", RepoPaths.RuntimeBinary), ("runc", "/usr/sbin/runc")], Path.Combine(StateRoot, "runtime"), CgroupParent);
            Networking.Clean();
            _dir.Dispose();
        }
    }
}
