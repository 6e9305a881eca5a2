using System.Diagnostics;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Bundles;

/// <summary>
/// Runs bundles with a runc-compatible runtime binary, each runner with its own state directory
/// (--root). Debian's runc by default; our own runtime later, through the constructor or
/// WEBENGINE_BUNDLE_TEST_RUNTIME.
/// </summary>
public sealed class OciRuntimeRunner : IDisposable
{
    public const string RuncPath = "/usr/sbin/runc";

    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    private readonly TempDirectory _stateRoot = new("webengine-runtime-root");
    private readonly List<string> _ids = [];

    public OciRuntimeRunner(string? runtimeBinary = null)
    {
        Prerequisites.RequireRoot();
        RuntimeBinary = runtimeBinary ?? Environment.GetEnvironmentVariable("WEBENGINE_BUNDLE_TEST_RUNTIME") ?? RuncPath;
        Prerequisites.RequireFile(RuntimeBinary, RuntimeBinary == RuncPath ? "Debian's runc: `apt-get install runc`" : "the OCI runtime under test");
    }

    public string RuntimeBinary { get; }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>`run --bundle B ID`: creates, starts and waits for the container, then deletes it.</summary>
    public async Task<Result> RunAsync(string bundle, string id)
    {
        _ids.Add(id);
        try
        {
            return await ExecAsync(["--root", _stateRoot.Path, "run", "--bundle", bundle, id]);
        }
        finally
        {
            await ExecAsync(["--root", _stateRoot.Path, "delete", "--force", id]);
        }
    }

    private async Task<Result> ExecAsync(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(RuntimeBinary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{RuntimeBinary} {string.Join(' ', psi.ArgumentList)} did not finish within {Guard}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        foreach (var id in _ids)
        {
            using var process = Process.Start(new ProcessStartInfo(RuntimeBinary, ["--root", _stateRoot.Path, "delete", "--force", id])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            process.WaitForExit();
        }
        _stateRoot.Dispose();
    }
}
