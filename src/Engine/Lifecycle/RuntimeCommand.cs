using System.Diagnostics;

namespace WebEngine.Engine.Lifecycle;

/// <summary>The few runtime commands the engine runs itself, where no shim is left to run them.</summary>
internal static class RuntimeCommand
{
    /// <summary>runtime --root ROOT delete --force ID; a container the runtime does not know is not an error.</summary>
    public static async Task DeleteAsync(string runtime, string root, string id, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(root, id)))
            return;
        var (exitCode, error) = await RunAsync(runtime, ["--root", root, "delete", "--force", id], cancellationToken);
        if (exitCode != 0 && Directory.Exists(Path.Combine(root, id)))
            throw new IOException($"{runtime} --root {root} delete --force {id} failed (exit {exitCode}): {error.Trim()}");
    }

    private static async Task<(int ExitCode, string Error)> RunAsync(string runtime, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(runtime) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo) ?? throw new IOException($"start {runtime}: no process");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await output;
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, error);
    }
}
