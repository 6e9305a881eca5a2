using System.Diagnostics;
using WebEngine.Engine.Logs;
using WebEngine.Engine.Shims;
using RuntimeSpec = WebEngine.Oci.RuntimeSpec;
using WebEngine.ShimProtocol;
using WebEngine.TestSupport;

namespace WebEngine.Shim.Tests;

/// <summary>
/// One container under a real shim and a real runtime, in its own temp directory (bundle, state, log, runtime
/// root, socket). Dispose removes everything: the container (runtime delete --force), the shim process, the files.
/// </summary>
public sealed class ShimHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("webengine-shim");
    private int? _shimPid;

    private ShimHarness(string runtime, BusyboxBundle bundle, string containerId)
    {
        Prerequisites.RequireRoot();
        RuntimePath = RuntimeUnderTest.PathOf(runtime);
        ShimBinary = RepoPaths.ShimBinary;
        Bundle = bundle;
        ContainerId = containerId;
        Directory.CreateDirectory(StateDirectory);
    }

    public string RuntimePath { get; }
    public string ShimBinary { get; }
    public BusyboxBundle Bundle { get; }
    public string ContainerId { get; }
    public string SocketPath => _directory.Combine("shim.sock");
    public string StateDirectory => _directory.Combine("state");
    public string RuntimeRoot => _directory.Combine("runtime");
    public string LogPath => _directory.Combine($"{ContainerId}-json.log");
    public ShimClient? Client { get; private set; }

    /// <summary>The shim's pid (from the launcher's output via hello).</summary>
    public int ShimPid => _shimPid ?? throw new InvalidOperationException("the shim was not launched");

    /// <summary>A busybox bundle running <paramref name="args"/>; <paramref name="configure"/> may change the spec first.</summary>
    public static ShimHarness Create(string runtime, string[] args, Action<RuntimeSpec>? configure = null)
    {
        var bundle = new BusyboxBundle(args);
        var containerId = $"shimtest-{Guid.NewGuid():N}"[..21];
        // A top-level cgroup of its own, which delete removes whole: without one each runtime picks its default
        // parent (ours /webengine, runc the root), and a parent stays behind.
        bundle.Spec.Linux!.CgroupsPath = "/" + containerId;
        configure?.Invoke(bundle.Spec);
        bundle.WriteSpec();
        return new ShimHarness(runtime, bundle, containerId);
    }

    /// <param name="keepLog">false launches the shim without a log (the "none" logging driver).</param>
    public async Task<ShimClient> LaunchAsync(bool openStdin = false, long logMaxSize = 10 * 1024 * 1024, int logMaxFiles = 3, bool keepLog = true)
    {
        Client = await new ShimLauncher(ShimBinary).LaunchAsync(new ShimLaunchRequest
        {
            ContainerId = ContainerId, BundlePath = Bundle.Path, SocketPath = SocketPath, StateDirectory = StateDirectory,
            LogPath = keepLog ? LogPath : null, RuntimePath = RuntimePath, RuntimeRoot = RuntimeRoot, OpenStdin = openStdin,
            LogMaxSize = logMaxSize, LogMaxFiles = logMaxFiles,
        });
        _shimPid = Client.ShimPid;
        return Client;
    }

    /// <summary>A second, independent client, as a restarted daemon would make.</summary>
    public ShimClient NewClient() => new(SocketPath);

    public async Task<List<LogEntry>> ReadLogAsync(LogReadOptions? options = null)
    {
        var entries = new List<LogEntry>();
        await foreach (var entry in JsonFileLogReader.ReadAsync(LogPath, options ?? new LogReadOptions()))
            entries.Add(entry);
        return entries;
    }

    public static string Text(IEnumerable<LogEntry> entries, LogStream stream) =>
        string.Concat(entries.Where(e => e.Stream == stream).Select(e => e.Text));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Client is not null)
            {
                await Client.DisposeAsync();
                await using var client = new ShimClient(SocketPath, TimeSpan.FromMilliseconds(200));
                try
                {
                    await client.DeleteAsync(force: true);
                    await client.ShutdownAsync();
                }
                catch (Exception e) when (e is Engine.EngineException)
                {
                    // The shim is already gone or broken: the fallbacks below clean up after it.
                }
            }
        }
        finally
        {
            if (_shimPid is { } pid && IsAlive(pid))
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                }
            }
            RunRuntime("delete", "--force", ContainerId);
            if (Bundle.Spec.Linux?.CgroupsPath is { Length: > 0 } cgroup)
                EngineLeftovers.RemoveCgroupParent(cgroup);
            Bundle.Dispose();
            _directory.Dispose();
        }
    }

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && ProcessState(pid) != 'Z';

    /// <summary>The state letter in /proc/PID/stat (R, S, Z...), or '\0' if the process is gone.</summary>
    public static char ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '\0';
        }
    }

    /// <summary>(pid, state) of every process whose parent is <paramref name="parent"/>.</summary>
    public static List<(int Pid, char State)> ChildrenOf(int parent)
    {
        var children = new List<(int, char)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1]) == parent)
                    children.Add((pid, fields[0][0]));
            }
            catch (IOException)
            {
            }
        }
        return children;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after a generous time.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }

    public static async Task<ProcessStatus> WaitWithTimeoutAsync(ShimClient client, string? execId = null, int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        return await client.WaitAsync(execId, timeout.Token);
    }

    /// <summary>Runs the runtime under test with this container's --root; returns its stdout.</summary>
    public string RunRuntime(params string[] args)
    {
        var startInfo = new ProcessStartInfo(RuntimePath) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--root", RuntimeRoot }.Concat(args))
            startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
