using System.Diagnostics;

namespace WebEngine.Engine.Networks.Kernel;

/// <summary>A kernel network change that failed: what was attempted and what the tool said.</summary>
public sealed class NetworkKernelException(string message) : IOException(message);

/// <summary>Runs iproute2's `ip` and nftables' `nft` (Debian's packages), reading a script from stdin when given one.</summary>
internal static class NetworkCommand
{
    public const string Ip = "/usr/sbin/ip";
    public const string Nft = "/usr/sbin/nft";

    /// <summary>Runs the tool; a non-zero exit throws with the command line and its error output.</summary>
    public static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? input = null)
    {
        var (exitCode, output, error) = await TryRunAsync(program, arguments, input);
        if (exitCode != 0)
        {
            var script = input is null ? "" : $" (script:\n{input})";
            throw new NetworkKernelException($"{Path.GetFileName(program)} {string.Join(' ', arguments)}: exit {exitCode}: {error.Trim()}{script}");
        }
        return output;
    }

    /// <summary>
    /// Runs the tool to its end whatever happens to the caller: a tool killed halfway would leave the kernel half
    /// changed, so these calls take no cancellation token.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> TryRunAsync(string program, IReadOnlyList<string> arguments, string? input = null)
    {
        if (!File.Exists(program))
            throw new NetworkKernelException($"{program} is missing: install Debian's {(program == Nft ? "nftables" : "iproute2")} package");
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = input is not null, UseShellExecute = false,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo) ?? throw new NetworkKernelException($"start {program}: no process");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
