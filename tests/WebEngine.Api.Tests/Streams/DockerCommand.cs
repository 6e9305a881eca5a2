using System.Diagnostics;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Streams;

/// <summary>The real docker CLI against a daemon, with stdin piped in, or run inside a pseudo-terminal (`script`).</summary>
public static class DockerCommand
{
    private const string Docker = "/usr/local/bin/docker";

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(DaemonProcess daemon, string? stdin, params string[] args) =>
        RunAsync(daemon, stdin, keepStdinOpen: false, args);

    /// <summary>With <paramref name="keepStdinOpen"/>, docker's stdin stays open (after <paramref name="stdin"/>) until it exits.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(DaemonProcess daemon, string? stdin, bool keepStdinOpen, params string[] args)
    {
        Prerequisites.RequireFile(Docker, "the docker CLI at /usr/local/bin/docker");
        var psi = new ProcessStartInfo(Docker);
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        return StartAsync(daemon, psi, stdin, keepStdinOpen);
    }

    /// <summary>
    /// Runs `docker args` with a terminal as its stdin and stdout (util-linux `script` makes the pty), typing
    /// <paramref name="typed"/> into it; stdout is what the terminal showed.
    /// </summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunInTerminalAsync(DaemonProcess daemon, string typed, params string[] args)
    {
        var script = Prerequisites.RequireProgram("script", "util-linux's script (Debian package bsdutils)");
        var psi = new ProcessStartInfo(script);
        Prerequisites.RequireFile(Docker, "the docker CLI at /usr/local/bin/docker");
        var command = Docker + " " + string.Join(' ', args.Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        // -e: script exits with docker's code; -f: flush at once; the typescript goes nowhere.
        foreach (var arg in new[] { "-qefc", command, "/dev/null" })
            psi.ArgumentList.Add(arg);
        return StartAsync(daemon, psi, typed, keepStdinOpen: true);
    }

    private static async Task<(int, string, string)> StartAsync(DaemonProcess daemon, ProcessStartInfo psi, string? stdin, bool keepStdinOpen = false)
    {
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.Environment["DOCKER_HOST"] = $"unix://{daemon.Socket}";
        psi.Environment["DOCKER_CONFIG"] = Path.Combine(daemon.DataRoot, "..", "docker-config-streams");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                await process.StandardInput.FlushAsync();
            }
            if (!keepStdinOpen)
                process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish in 90 s: {await stdout}{await stderr}");
        }
        finally
        {
            if (keepStdinOpen && !process.HasExited)
                process.StandardInput.Close();
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
