using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Auth;

/// <summary>The test classes that share one <see cref="HttpListenerFixture"/> (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class HttpListenerCollection : ICollectionFixture<HttpListenerFixture>
{
    public const string Name = "daemon with an HTTP listener";
}

/// <summary>
/// One daemon with busybox and an HTTP listener on a free loopback port, shared by the test classes of
/// <see cref="HttpListenerCollection"/>, with a user and an API
/// token for each role (made through the unix socket, which needs no sign-in).
/// </summary>
public sealed class HttpListenerFixture : IAsyncLifetime
{
    public const string AdminPassword = "initial-admin-pw";

    private DaemonProcess? _daemon;

    public DaemonProcess Daemon => _daemon ?? throw new InvalidOperationException("the daemon has not started");
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client on the unix socket: trusted, no credentials.</summary>
    public HttpClient Unix { get; private set; } = null!;

    public string ViewerToken { get; private set; } = "";
    public string OperatorToken { get; private set; } = "";
    public string AdminToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _daemon = await DaemonProcess.StartWithBusyboxAsync($"--WebEngine:HttpUrls:0=http://127.0.0.1:{port}",
            $"--WebEngine:InitialAdminPassword={AdminPassword}");
        Unix = UnixSocketHttp.DockerClient(_daemon.Socket);
        ViewerToken = await CreateUserWithTokenAsync("vera", "viewer");
        OperatorToken = await CreateUserWithTokenAsync("otto", "operator");
        AdminToken = await CreateTokenAsync("admin", "tests");
    }

    public async Task DisposeAsync()
    {
        Unix?.Dispose();
        if (_daemon is not null)
            await _daemon.DisposeAsync();
    }

    /// <summary>A client on the HTTP listener; with a token, it sends it as a bearer token.</summary>
    public HttpClient Http(string? token = null, HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(120),
        };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Creates a user (as root on the unix socket) and an API token for them; returns the token's secret.</summary>
    public async Task<string> CreateUserWithTokenAsync(string name, string role, string password = "a-good-password")
    {
        var created = await Unix.PostAsJsonAsync("webengine/users", new { Name = name, Password = password, Role = role });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return await CreateTokenAsync(name, "tests");
    }

    public async Task<string> CreateTokenAsync(string user, string name)
    {
        var response = await Unix.PostAsJsonAsync("webengine/tokens", new { Name = name, User = user });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("Token").GetString()!;
    }

    /// <summary>Runs docker on the unix socket and asserts that it succeeded; returns its trimmed stdout.</summary>
    public async Task<string> DockerOkAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Daemon.DockerAsync(args);
        Assert.True(code == 0, $"docker {string.Join(' ', args)} exited {code}: {stderr}\n{stdout}");
        return stdout.Trim();
    }

    /// <summary>
    /// Runs the real docker CLI against the HTTP listener (DOCKER_HOST=tcp://...), with the token in its config's
    /// HttpHeaders (the CLI's way to send extra headers), or without credentials when <paramref name="token"/> is null.
    /// </summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> DockerOverHttpAsync(string? token, params string[] args)
    {
        Prerequisites.RequireFile("/usr/local/bin/docker", "the docker CLI at /usr/local/bin/docker");
        using var config = new TempDirectory("docker-config");
        var headers = token is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        await File.WriteAllTextAsync(config.Combine("config.json"), JsonSerializer.Serialize(new { HttpHeaders = headers }));
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/local/bin/docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOCKER_HOST"] = $"tcp://{BaseAddress.Authority}";
        psi.Environment["DOCKER_CONFIG"] = config.Path;
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Asserts a Docker error answer: the status, `Content-Type: application/json` exactly, and a message containing <paramref name="text"/>.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string text)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        using var document = JsonDocument.Parse(body);
        Assert.Contains(text, document.RootElement.GetProperty("message").GetString() ?? "");
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
