using System.Diagnostics;
using Process = System.Diagnostics.Process;
using WebEngine.Oci;

namespace WebEngine.Runtime.Hooks;

/// <summary>Runs OCI hooks: the container's state JSON on stdin, only the hook's own env, killed at its timeout.</summary>
public static class HookRunner
{
    /// <summary>Runs <paramref name="hooks"/> in order; the first that fails or times out throws.</summary>
    public static void Run(IEnumerable<Hook>? hooks, string phase, string stateJson)
    {
        foreach (var hook in hooks ?? [])
            RunOne(hook, phase, stateJson);
    }

    /// <summary>Runs every hook even when one fails (poststart, poststop), and returns the failures' messages.</summary>
    public static List<string> RunAll(IEnumerable<Hook>? hooks, string phase, string stateJson)
    {
        var failures = new List<string>();
        foreach (var hook in hooks ?? [])
        {
            try
            {
                RunOne(hook, phase, stateJson);
            }
            catch (RuntimeException e)
            {
                failures.Add(e.Message);
            }
        }
        return failures;
    }

    private static void RunOne(Hook hook, string phase, string stateJson)
    {
        // .NET passes the program path as argv[0]; a hook with its own args[0] goes through the
        // trampoline (where the runtime binary is reachable; inside the container it is not, and
        // there args[0] is replaced by the path).
        var trampoline = HookTrampoline.For(hook);
        var startInfo = new ProcessStartInfo(trampoline ?? hook.Path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (trampoline != null)
        {
            startInfo.ArgumentList.Add(hook.Path);
            startInfo.ArgumentList.Add(hook.Args![0]);
        }
        foreach (var arg in (hook.Args ?? []).Skip(1))
            startInfo.ArgumentList.Add(arg);
        startInfo.Environment.Clear();
        foreach (var entry in hook.Env ?? [])
        {
            var eq = entry.IndexOf('=');
            if (eq > 0)
                startInfo.Environment[entry[..eq]] = entry[(eq + 1)..];
        }
        if (trampoline != null)
            startInfo.Environment[HookTrampoline.EnvironmentVariable] = "1";

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new HookFailedException($"{phase} hook {hook.Path}: {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                process.StandardInput.Write(stateJson);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // A hook that exits without reading its stdin is not a failure.
            }
            var timeout = hook.Timeout is > 0 ? TimeSpan.FromSeconds(hook.Timeout.Value) : Timeout.InfiniteTimeSpan;
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new HookFailedException($"{phase} hook {hook.Path}: timed out after {hook.Timeout} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                var output = (stderr.Result + stdout.Result).Trim();
                throw new HookFailedException(
                    $"{phase} hook {hook.Path} exited with status {process.ExitCode}{(output.Length > 0 ? ": " + output : "")}");
            }
        }
    }
}

/// <summary>A hook failed, exited non-zero or timed out.</summary>
public sealed class HookFailedException(string message) : RuntimeException(message);
