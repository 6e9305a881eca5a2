using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using WebEngine.Data;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;

namespace WebEngine.TestSupport;

/// <summary>
/// The real daemon (`webengine.dll`, this build's output or a published one) started from "/" on a temporary data root,
/// state root, cgroup parent, networking names and unix socket; every container, shim, mount and file removed on
/// dispose. The Api and the dashboard tests both start their daemons through it.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    /// <summary>
    /// Apart and short (/tmp/w + 8 hex): the shim's &lt;state&gt;/shims/&lt;64-hex id&gt;/init-console.sock must fit the 107 bytes
    /// of a unix socket path. It holds sockets and runtime state, never mounts.
    /// </summary>
    private readonly string _stateRoot = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"w{Guid.NewGuid():N}"[..9])).FullName;
    private readonly ProcessStartInfo _startInfo;
    private Process _process;
    private readonly StringBuilder _log = new();

    private DaemonProcess(string? daemonDll, IEnumerable<string> extraArgs, TempDirectory? directory = null)
    {
        _dir = directory ?? new TempDirectory("webengine-daemon");
        // Started from "/": a daemon must find its own files wherever it is started from.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        psi.ArgumentList.Add(daemonDll ?? Path.Combine(AppContext.BaseDirectory, "webengine.dll"));
        // Tests kill daemons; a killed .NET process leaves its diagnostics socket and pipes in /tmp behind.
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        psi.ArgumentList.Add($"--WebEngine:DataRoot={DataRoot}");
        psi.ArgumentList.Add($"--WebEngine:UnixSocket={Socket}");
        psi.ArgumentList.Add($"--WebEngine:StateRoot={StateRoot}");
        psi.ArgumentList.Add($"--WebEngine:CgroupParent={CgroupParent}");
        psi.ArgumentList.Add($"--WebEngine:ShimBinary={RepoPaths.ShimBinary}");
        psi.ArgumentList.Add($"--WebEngine:Runtimes:webengine-runtime={RepoPaths.RuntimeBinary}");
        psi.ArgumentList.Add($"--WebEngine:Runtimes:runc={Prerequisites.RequireProgram("runc", "runc")}");
        // Its own bridge names, nftables table and pool: never the production defaults (we0, table webengine).
        foreach (var arg in Networking.DaemonArguments())
            psi.ArgumentList.Add(arg);
        if (!extraArgs.Any(a => a.StartsWith("--WebEngine:HttpUrls", StringComparison.Ordinal)))
            psi.ArgumentList.Add("--WebEngine:HttpUrls:0=");
        foreach (var arg in extraArgs)
            psi.ArgumentList.Add(arg);
        _startInfo = psi;
        _process = Launch(psi);
    }

    private Process Launch(ProcessStartInfo startInfo)
    {
        var process = Process.Start(startInfo)!;
        process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Kills the daemon alone, as a crash would (its detached shims and their containers keep running), runs
    /// <paramref name="whileDown"/>, then starts it again on the same roots and waits until it listens.
    /// </summary>
    public async Task RestartAsync(Func<Task>? whileDown = null)
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            if (whileDown is not null)
                await whileDown();
        }
        finally
        {
            _process = Launch(_startInfo);
            await WaitUntilListeningAsync();
        }
    }

    public string DataRoot => _dir.Combine("data");
    /// <summary>Shim sockets live here: short, for the 108-byte limit of unix socket paths.</summary>
    public string StateRoot => _stateRoot;
    public string CgroupParent { get; } = $"/webengine-test-{Guid.NewGuid():N}"[..28];
    public string Socket => _dir.Combine("webengine.sock");

    /// <summary>The docker CLI's configuration directory (DOCKER_CONFIG) of <see cref="DockerAsync"/>: its config.json holds the CLI's logins.</summary>
    public string DockerConfigDirectory => _dir.Combine("docker-config");

    /// <summary>This daemon's own device prefix, firewall table and address pool.</summary>
    public TestNetworking Networking { get; } = TestNetworking.Create();
    public string Log { get { lock (_log) return _log.ToString(); } }
    /// <summary>The daemon's process (a new one after <see cref="RestartAsync"/>).</summary>
    public int ProcessId => _process.Id;

    private const int StartTimeoutSeconds = 180;

    public static Task<DaemonProcess> StartAsync(params string[] extraArgs) => StartAsync(new DaemonProcess(null, extraArgs));

    /// <summary>Starts the daemon with busybox:latest already in its image store (loaded through the engine before the daemon starts).</summary>
    public static Task<DaemonProcess> StartWithBusyboxAsync(params string[] extraArgs) => StartWithBusyboxAsync(null, extraArgs);

    /// <summary>
    /// As <see cref="StartWithBusyboxAsync(string[])"/>, with the daemon <paramref name="daemonDll"/> (a webengine.dll,
    /// e.g. the published one); null for this build's output.
    /// </summary>
    public static async Task<DaemonProcess> StartWithBusyboxAsync(string? daemonDll, IEnumerable<string> extraArgs)
    {
        var directory = new TempDirectory("webengine-daemon");
        try
        {
            var images = new ImageService(new ImageStoreOptions { DataRoot = directory.Combine("data") },
                WebEngineDatabase.Open(Path.Combine(directory.Combine("data"), "webengine.db")));
            await new ImageArchiveLoader(images).LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        catch
        {
            directory.Dispose();
            throw;
        }
        return await StartAsync(new DaemonProcess(daemonDll, extraArgs, directory));
    }

    private static async Task<DaemonProcess> StartAsync(DaemonProcess daemon)
    {
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
        // Generous: on a loaded 2-core machine a cold daemon start (JIT, migrations, reconcile) has taken over a minute.
        var deadline = DateTime.UtcNow.AddSeconds(StartTimeoutSeconds);
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
        throw new TimeoutException($"the daemon did not listen on {Socket} within {StartTimeoutSeconds} s:\n{Log}");
    }

    /// <summary>Runs the real docker CLI against this daemon.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> DockerAsync(params string[] args) => DockerWithStdinAsync(null, args);

    /// <summary>Runs the real docker CLI with <paramref name="stdin"/> as its standard input (then closed), e.g. login --password-stdin.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> DockerWithStdinAsync(string? stdin, params string[] args)
    {
        Prerequisites.RequireFile("/usr/local/bin/docker", "the docker CLI at /usr/local/bin/docker");
        var psi = new ProcessStartInfo("/usr/local/bin/docker") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        psi.Environment["DOCKER_HOST"] = $"unix://{Socket}";
        psi.Environment["DOCKER_CONFIG"] = DockerConfigDirectory;
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Removes every container through the daemon (as `docker rm -f` does), then stops the daemon and sweeps up what is left.</summary>
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
            Directory.Delete(_stateRoot, recursive: true);
        }
    }
}
