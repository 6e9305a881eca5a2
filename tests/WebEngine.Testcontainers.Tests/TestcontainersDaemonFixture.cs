using System.Text.Json;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Images;
using WebEngine.TestSupport;

namespace WebEngine.Testcontainers.Tests;

/// <summary>
/// One daemon with busybox:latest loaded, for one test class, and Testcontainers' builders pointed at its unix socket.
/// Ryuk (the resource reaper) is off: its image cannot be pulled here, so every test disposes what it builds.
/// </summary>
public sealed class TestcontainersDaemonFixture : IAsyncLifetime
{
    public const string Image = "busybox:latest";

    private DaemonProcess? _daemon;

    public DaemonProcess Daemon => _daemon ?? throw new InvalidOperationException("the daemon has not started");

    /// <summary>The Docker API on the daemon's socket, for checks that go past Testcontainers.</summary>
    public HttpClient Http { get; private set; } = null!;

    private Uri Endpoint => new($"unix://{Daemon.Socket}");

    public async Task InitializeAsync()
    {
        TestcontainersSettings.ResourceReaperEnabled = false;
        _daemon = await DaemonProcess.StartWithBusyboxAsync();
        Http = UnixSocketHttp.DockerClient(_daemon.Socket);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_daemon is not null)
            await _daemon.DisposeAsync();
    }

    /// <summary>A busybox container on this daemon, found in its image store (never pulled), named for one test.</summary>
    public ContainerBuilder Container(string namePrefix) =>
        new ContainerBuilder(Image).WithDockerEndpoint(Endpoint).WithImagePullPolicy(PullPolicy.Missing).WithName(NewName(namePrefix));

    public NetworkBuilder Network() => new NetworkBuilder().WithDockerEndpoint(Endpoint);

    public VolumeBuilder Volume() => new VolumeBuilder().WithDockerEndpoint(Endpoint);

    /// <summary>A unique name for one test's resource, so that tests never collide.</summary>
    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts that the daemon holds no container, no volume and no network but its predefined ones.</summary>
    public async Task AssertNothingLeftAsync()
    {
        var containers = await GetJsonAsync("containers/json?all=1");
        Assert.True(containers.GetArrayLength() == 0, $"containers left: {containers}");
        var volumes = (await GetJsonAsync("volumes")).GetProperty("Volumes");
        Assert.True(volumes.ValueKind == JsonValueKind.Null || volumes.GetArrayLength() == 0, $"volumes left: {volumes}");
        var networks = (await GetJsonAsync("networks")).EnumerateArray().Select(n => n.GetProperty("Name").GetString()).Order();
        Assert.Equal(["bridge", "host", "none"], networks);
    }
}
