using System.Diagnostics;

namespace WebEngine.DropIn.Tests;

/// <summary>Runs a host program to completion and captures its output.</summary>
internal static class HostCommand
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish in {timeout}: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Removes a cgroup directory (and its children) from every v1 hierarchy and the v2 mount.</summary>
    public static void RemoveCgroup(string relativePath)
    {
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            var dir = Path.Combine(hierarchy, relativePath.TrimStart('/'));
            if (Directory.Exists(dir))
                RemoveCgroupTree(dir);
        }
    }

    private static void RemoveCgroupTree(string dir)
    {
        foreach (var child in Directory.GetDirectories(dir))
            RemoveCgroupTree(child);
        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
            // cgroupfs refuses rmdir while a process is still inside; the test reports leaks separately.
        }
    }
}
