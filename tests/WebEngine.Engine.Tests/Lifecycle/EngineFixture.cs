using System.Security.Cryptography;
using WebEngine.Data;
using WebEngine.Engine.Events;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Logs;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Volumes;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>
/// One test's engine: its own data root, state root (short, for the shim sockets), cgroup parent and SQLite database,
/// busybox loaded, the real shim and a real runtime. <see cref="RestartEngineAsync"/> drops the engine as a dying daemon
/// would and starts a new one on the same roots. Dispose removes every container, shim, mount, cgroup and file.
/// </summary>
public sealed class EngineFixture : IAsyncDisposable
{
    public const string Runc = "runc";
    public const string WebEngineRuntime = "webengine-runtime";

    private readonly TempDirectory _root = new("we");

    private EngineFixture(string runtime)
    {
        Prerequisites.RequireRoot();
        Options = new EngineOptions
        {
            DataRoot = _root.Combine("data"),
            StateRoot = _root.Combine("run"),
            ShimBinary = RepoPaths.ShimBinary,
            Runtimes = new Dictionary<string, string>
            {
                [Runc] = Prerequisites.RequireProgram("runc", "runc"),
                [WebEngineRuntime] = runtime == WebEngineRuntime ? RepoPaths.RuntimeBinary : "/nonexistent/webengine-runtime",
            },
            DefaultRuntime = runtime,
            CgroupParent = $"/webengine-test-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            DefaultStopTimeoutSeconds = 10,
            Networking = new NetworkingOptions
            {
                DevicePrefix = Networking.DevicePrefix, FirewallTable = Networking.FirewallTable, AddressPool = Networking.AddressPool, DefaultBridgeSubnet = "",
            },
        };
        Database = WebEngineDatabase.Open(Options.DatabasePath);
        Events = new EventLog(Database, Options);
        Images = new ImageService(new ImageStoreOptions { DataRoot = Options.DataRoot }, Database, new ContainerImageUsage(Database));
        Volumes = new VolumeService(Options, Database, Events);
        Containers = NewContainerService();
    }

    public static TheoryData<string> Runtimes => new() { Runc, WebEngineRuntime };

    public EngineOptions Options { get; }

    /// <summary>This engine's own device prefix, firewall table and address pool.</summary>
    public TestNetworking Networking { get; } = TestNetworking.Create();
    public WebEngineDatabase Database { get; }
    public EventLog Events { get; private set; }
    public ImageService Images { get; }
    public VolumeService Volumes { get; private set; }
    public ContainerService Containers { get; private set; }

    public static async Task<EngineFixture> StartAsync(string runtime = Runc)
    {
        var fixture = new EngineFixture(runtime);
        try
        {
            await new ImageArchiveLoader(fixture.Images).LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None);
            await fixture.Containers.ReconcileAsync(CancellationToken.None);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }

    /// <summary>Lets go of the engine as a daemon that dies would (containers and shims keep running), then starts a new one and reconciles.</summary>
    public async Task RestartEngineAsync(Func<Task>? whileDown = null)
    {
        await Containers.DisposeAsync();
        try
        {
            if (whileDown is not null)
                await whileDown();
        }
        finally
        {
            // Even when the test failed while the engine was down, cleanup needs a live engine.
            Events = new EventLog(Database, Options);
            Volumes = new VolumeService(Options, Database, Events);
            Containers = NewContainerService();
            await Containers.ReconcileAsync(CancellationToken.None);
        }
    }

    public async Task<List<LogEntry>> LogsAsync(string id, LogReadOptions? options = null)
    {
        var entries = new List<LogEntry>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await foreach (var entry in await Containers.LogsAsync(id, options ?? new LogReadOptions(), timeout.Token))
            entries.Add(entry);
        return entries;
    }

    public async Task<string> LogTextAsync(string id, LogReadOptions? options = null) =>
        string.Concat((await LogsAsync(id, options)).Select(e => e.Text));

    /// <summary>Container events of one container, oldest first.</summary>
    public async Task<List<string>> ActionsAsync(string id) =>
        (await Events.ListAsync(new EventFilter(new Dictionary<string, IReadOnlyList<string>> { ["container"] = [id] }), null, null, CancellationToken.None))
        .Select(e => e.Action).ToList();

    /// <summary>Mount points below the data root (overlay rootfs and the like).</summary>
    public IReadOnlyList<string> MountsBelowDataRoot() =>
        File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(Options.DataRoot + "/", StringComparison.Ordinal)).ToList();

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }

    public static CancellationToken Timeout(int seconds = 120) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var container in await Containers.ListAsync(new ContainerListOptions { All = true }, CancellationToken.None))
            {
                try
                {
                    await Containers.RemoveAsync(container.Id, force: true, removeVolumes: true, Timeout(60));
                }
                catch (Exception e) when (e is EngineException or IOException or OperationCanceledException)
                {
                    // Cleanup goes on below with the blunt tools.
                }
            }
            await Containers.DisposeAsync();
        }
        finally
        {
            EngineLeftovers.Clean(Options.ShimsDirectory, Options.Runtimes.Select(r => (r.Key, r.Value)), Options.RuntimeStateDirectory, Options.CgroupParent);
            Networking.Clean();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _root.Dispose();
        }
    }

    private ContainerService NewContainerService() => new(Options, Database, Images, Volumes, Events);
}
