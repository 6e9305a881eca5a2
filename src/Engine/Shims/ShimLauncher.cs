using System.Diagnostics;
using System.Text.Json;
using WebEngine.ShimProtocol;

namespace WebEngine.Engine.Shims;

/// <summary>
/// Starts a detached webengine-shim for a container and connects to it. The shim runs <c>runtime create</c>
/// before it reports ready; whether that worked is in the client's state (a failed create is a stopped container
/// with the runtime's error and Docker's exit code for it).
/// </summary>
public sealed class ShimLauncher(string shimBinary)
{
    public async Task<ShimClient> LaunchAsync(ShimLaunchRequest request, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(shimBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments(request))
            startInfo.ArgumentList.Add(argument);
        using var launcher = Process.Start(startInfo) ?? throw new ShimLaunchException($"start {shimBinary}: no process");
        launcher.StandardInput.Close();
        var output = launcher.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = launcher.StandardError.ReadToEndAsync(cancellationToken);
        await launcher.WaitForExitAsync(cancellationToken);
        if (launcher.ExitCode != 0)
            throw new ShimLaunchException($"{shimBinary} create {request.ContainerId} failed (exit {launcher.ExitCode}): {(await error).Trim()}");
        await output;
        var client = new ShimClient(request.SocketPath);
        await client.GetStateAsync(cancellationToken: cancellationToken);
        return client;
    }

    /// <summary>
    /// The exit record a shim left in its state directory, for a container whose shim is gone (the daemon was down
    /// when the container exited and the shim was then stopped); null if the container never exited under a shim.
    /// </summary>
    public static ExitRecord? ReadExitRecord(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, ExitRecord.FileName);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ShimJsonContext.Default.ExitRecord);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Arguments(ShimLaunchRequest request)
    {
        string[] arguments =
        [
            "create", "--id", request.ContainerId, "--bundle", request.BundlePath, "--socket", request.SocketPath,
            "--state-dir", request.StateDirectory, "--runtime", request.RuntimePath,
            "--log-max-size", request.LogMaxSize.ToString(), "--log-max-files", request.LogMaxFiles.ToString(),
        ];
        return arguments.Concat(request.LogPath is null ? [] : ["--log-path", request.LogPath])
            .Concat(request.RuntimeRoot is null ? [] : ["--runtime-root", request.RuntimeRoot])
            .Concat(request.OpenStdin ? ["--stdin"] : []);
    }
}
