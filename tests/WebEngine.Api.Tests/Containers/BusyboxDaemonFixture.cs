using System.Text;
using System.Text.Json;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Containers;

/// <summary>One daemon with busybox loaded, shared by a test class; an HTTP client on its unix socket for the raw requests.</summary>
public sealed class BusyboxDaemonFixture : IAsyncLifetime
{
    private DaemonProcess? _daemon;

    public DaemonProcess Daemon => _daemon ?? throw new InvalidOperationException("the daemon has not started");

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _daemon = await DaemonProcess.StartWithBusyboxAsync();
        Http = UnixSocketHttp.DockerClient(_daemon.Socket);
    }

    /// <summary>A handler whose connections go to the daemon's unix socket (for HttpClient, or ClientWebSocket's invoker).</summary>
    public SocketsHttpHandler UnixSocketHandler()
    {
        return UnixSocketHttp.Handler(Daemon.Socket);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_daemon is not null)
            await _daemon.DisposeAsync();
    }

    /// <summary>Runs docker and asserts that it succeeded; returns its trimmed stdout.</summary>
    public async Task<string> DockerOkAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Daemon.DockerAsync(args);
        Assert.True(code == 0, $"docker {string.Join(' ', args)} exited {code}: {stderr}\n{stdout}");
        return stdout.Trim();
    }

    /// <summary>Waits (up to a minute) until the container's log contains <paramref name="expected"/>.</summary>
    public async Task WaitForLogAsync(string container, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var logs = "";
        while (DateTime.UtcNow < deadline)
        {
            logs = await DockerOkAsync("logs", container);
            if (logs.Contains(expected, StringComparison.Ordinal))
                return;
            await Task.Delay(100);
        }
        Assert.Fail($"{container} never printed {expected}; its log: {logs}");
    }

    /// <summary>A unique container name for one test, so that tests in a class never collide.</summary>
    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        await Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Asserts a Docker error answer: the status, `Content-Type: application/json` exactly, and a message containing <paramref name="text"/>.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, int status, string text)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        using var document = JsonDocument.Parse(body);
        var message = document.RootElement.GetProperty("message").GetString() ?? "";
        Assert.Contains(text, message);
    }

    public async Task<JsonElement> InspectAsync(string idOrName)
    {
        var response = await Http.GetAsync($"containers/{idOrName}/json");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<int> ContainerCountAsync()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("containers/json?all=1"));
        return document.RootElement.GetArrayLength();
    }
}
