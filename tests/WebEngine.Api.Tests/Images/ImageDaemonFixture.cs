using System.Formats.Tar;
using System.Net.Sockets;
using System.Text.Json;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Images;

/// <summary>
/// One daemon for a test class, busybox loaded into it with `docker load` (the output kept for the load test), an
/// HTTP client on its unix socket, and a scratch directory for archives; all removed on dispose.
/// </summary>
public sealed class ImageDaemonFixture : IAsyncLifetime
{
    private readonly TempDirectory _scratch = new("webengine-images-test");
    private DaemonProcess? _daemon;

    public DaemonProcess Daemon => _daemon ?? throw new InvalidOperationException("the daemon has not started");
    public HttpClient Http { get; private set; } = null!;
    public string LoadOutput { get; private set; } = "";
    public string Scratch => _scratch.Path;

    public async Task InitializeAsync()
    {
        _daemon = await DaemonProcess.StartAsync();
        Http = UnixSocketHttp.DockerClient(_daemon.Socket);
        LoadOutput = await DockerOkAsync("load", "-i", RepoPaths.SharedImage("busybox-oci.tar"));
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_daemon is not null)
            await _daemon.DisposeAsync();
        _scratch.Dispose();
    }

    public async Task<string> DockerOkAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Daemon.DockerAsync(args);
        Assert.True(code == 0, $"docker {string.Join(' ', args)} exited {code}: {stderr}\n{stdout}");
        return stdout.Trim();
    }

    /// <summary>Runs docker expecting it to fail; returns stderr.</summary>
    public async Task<string> DockerFailsAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Daemon.DockerAsync(args);
        Assert.True(code != 0, $"docker {string.Join(' ', args)} succeeded but should not have: {stdout}");
        return stderr;
    }

    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>A root file system tar with one file, /hello holding <paramref name="content"/>, for docker import.</summary>
    public string RootfsTar(string content)
    {
        var path = Path.Combine(Scratch, Guid.NewGuid().ToString("N") + ".tar");
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "hello") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) });
        return path;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a Docker error answer: the status, `Content-Type: application/json` exactly, and a message containing <paramref name="text"/>.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, int status, string text)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        using var document = JsonDocument.Parse(body);
        Assert.Contains(text, document.RootElement.GetProperty("message").GetString() ?? "");
    }
}
