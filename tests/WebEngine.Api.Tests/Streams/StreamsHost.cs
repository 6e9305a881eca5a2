using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using WebEngine.Engine;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Lifecycle;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Streams;

/// <summary>
/// The daemon's own host (Program, Kestrel on a temporary unix socket) in the test process, so a test can make
/// containers through the engine and drive them over raw HTTP. Its own data root, state root and cgroup parent;
/// dispose removes every container, shim, mount, cgroup and file.
/// </summary>
public sealed class StreamsHost : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("we-streams");
    /// <summary>Short: a terminal's console socket lives at &lt;state&gt;/shims/&lt;64-hex id&gt;/init-console.sock, and unix socket paths end at 107 bytes.</summary>
    private readonly string _stateRoot = $"/tmp/w{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    private readonly string _cgroupParent = $"/webengine-test-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    private readonly TestNetworking _networking = TestNetworking.Create();
    private readonly WebApplicationFactory<Program> _factory;

    private StreamsHost()
    {
        Prerequisites.RequireRoot();
        var runc = Prerequisites.RequireProgram("runc", "runc");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("WebEngine:DataRoot", _dir.Combine("data"));
            host.UseSetting("WebEngine:StateRoot", _stateRoot);
            host.UseSetting("WebEngine:UnixSocket", Socket);
            host.UseSetting("WebEngine:HttpUrls:0", "");
            host.UseSetting("WebEngine:CgroupParent", _cgroupParent);
            host.UseSetting("WebEngine:ShimBinary", RepoPaths.ShimBinary);
            host.UseSetting("WebEngine:Runtimes:runc", runc);
            host.UseSetting("WebEngine:Runtimes:webengine-runtime", RepoPaths.RuntimeBinary);
            foreach (var (key, value) in _networking.Settings())
                host.UseSetting(key, value);
        });
        _factory.UseKestrel();
    }

    public string Socket => _dir.Combine("api.sock");

    public ContainerService Containers => _factory.Services.GetRequiredService<ContainerService>();

    public static async Task<StreamsHost> StartAsync()
    {
        var host = new StreamsHost();
        try
        {
            host._factory.StartServer();
            await host._factory.Services.GetRequiredService<ImageArchiveLoader>()
                .LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>A busybox container running `sh -c script`.</summary>
    public async Task<string> CreateAsync(string script, ContainerConfig? config = null) =>
        (await Containers.CreateAsync(new ContainerCreateRequest(
            (config ?? new ContainerConfig()) with { Image = "busybox", Cmd = ["sh", "-c", script] }, new HostConfig()), Timeout())).Id;

    public async Task<string> RunAsync(string script, ContainerConfig? config = null)
    {
        var id = await CreateAsync(script, config);
        await Containers.StartAsync(id, Timeout());
        return id;
    }

    public RawDockerConnection Connect() => RawDockerConnection.Open(Socket);

    public static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public async ValueTask DisposeAsync()
    {
        string shims = Path.Combine(_stateRoot, "shims"), runtimeState = Path.Combine(_stateRoot, "runtime");
        try
        {
            var containers = Containers;
            foreach (var container in await containers.ListAsync(new ContainerListOptions { All = true }, CancellationToken.None))
            {
                try
                {
                    await containers.RemoveAsync(container.Id, force: true, removeVolumes: true, Timeout());
                }
                catch (Exception e) when (e is EngineException or IOException or OperationCanceledException)
                {
                    // The sweep below still runs.
                }
            }
        }
        finally
        {
            await _factory.DisposeAsync();
            EngineLeftovers.Clean(shims, [("webengine-runtime", RepoPaths.RuntimeBinary), ("runc", "/usr/sbin/runc")], runtimeState, _cgroupParent);
            _networking.Clean();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _dir.Dispose();
            if (Directory.Exists(_stateRoot))
                Directory.Delete(_stateRoot, recursive: true);
        }
    }
}
