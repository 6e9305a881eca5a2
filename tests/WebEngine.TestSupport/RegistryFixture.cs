using System.Diagnostics;
using System.Net;

namespace WebEngine.TestSupport;

/// <summary>
/// A private Docker registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1 and a free port, with its
/// own storage in a temp directory; optionally behind htpasswd basic auth. Dispose stops it and removes its files.
/// </summary>
public sealed class RegistryFixture : IDisposable
{
    private const string RegistryBinary = "/usr/bin/docker-registry";
    private readonly TempDirectory _directory = new("webengine-registry");
    private Process? _process;

    public RegistryFixture(string? username = null, string? password = null)
    {
        Prerequisites.RequireFile(RegistryBinary, "Debian's docker registry: `apt-get install docker-registry`");
        Username = username;
        Password = password;
        Port = LoopbackPort.Free();
        var auth = "";
        if (username is not null)
        {
            var htpasswd = Prerequisites.RequireProgram("htpasswd", "apache2-utils");
            Run(htpasswd, "-B", "-b", "-c", Path.Combine(_directory.Path, "htpasswd"), username, password ?? "");
            auth = $"auth:\n  htpasswd:\n    realm: webengine-test\n    path: {Path.Combine(_directory.Path, "htpasswd")}\n";
        }
        File.WriteAllText(ConfigPath, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {StoragePath}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
            {auth}
            """);
        Start();
    }

    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";
    public string? Username { get; }
    public string? Password { get; }
    public string StoragePath => Path.Combine(_directory.Path, "storage");
    private string ConfigPath => Path.Combine(_directory.Path, "config.yml");

    /// <summary>Where the registry keeps a blob's bytes (for tests that corrupt it).</summary>
    public string BlobDataPath(string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(StoragePath, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    public void Start()
    {
        if (_process is { HasExited: false })
            return;
        var psi = new ProcessStartInfo(RegistryBinary) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(ConfigPath);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilServing();
    }

    public void Stop()
    {
        if (_process is null)
            return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        _process = null;
    }

    /// <summary>Copies an image into the registry with skopeo (e.g. `oci-archive:/path.tar:busybox:latest`).</summary>
    public void CopyIn(string source, string repositoryAndTag, bool all = false)
    {
        var skopeo = Prerequisites.RequireProgram("skopeo", "skopeo");
        var args = new List<string> { "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false" };
        if (all)
            args.Add("--all");
        if (Username is not null)
            args.Add($"--dest-creds={Username}:{Password}");
        args.Add(source);
        args.Add($"docker://{Host}/{repositoryAndTag}");
        Run(skopeo, [.. args]);
    }

    private void WaitUntilServing()
    {
        // Generous: on a loaded machine the registry can take many seconds to listen, and a connect can outlast the
        // client's timeout (TaskCanceledException) as well as be refused.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode} at start (config {ConfigPath})");
            try
            {
                var status = client.GetAsync($"http://{Host}/v2/").GetAwaiter().GetResult().StatusCode;
                if (status is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"docker-registry did not answer on {Host} within 90 s");
    }

    private static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
    }

    public void Dispose()
    {
        Stop();
        _directory.Dispose();
    }
}
