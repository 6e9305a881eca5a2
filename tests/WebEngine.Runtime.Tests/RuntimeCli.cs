using System.Diagnostics;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests;

/// <summary>The result of one runtime invocation.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Runs the published webengine-runtime with its own --root. Every process it starts carries a tag in its
/// environment, so a test can prove that none of its processes outlived it.
/// </summary>
public sealed class RuntimeCli : IDisposable
{
    private readonly TempDirectory _root = new("webengine-rt-root");

    public RuntimeCli()
    {
        Prerequisites.RequireRoot();
        Binary = RepoPaths.RuntimeBinary;
    }

    public string Binary { get; }

    public string Root => _root.Path;

    public string Tag { get; } = "rt" + Guid.NewGuid().ToString("N")[..12];

    public CliResult Run(params string[] args) => RunWithRedirections("", args);

    /// <summary>Runs with extra shell redirections for the runtime, e.g. "3&lt;file" to hand it fd 3.</summary>
    public CliResult RunWithRedirections(string redirections, params string[] args)
    {
        var timeout = TimeSpan.FromSeconds(60);
        // Output goes to files, not pipes: a created or detached container keeps the runtime's stdio open.
        var stdoutPath = Path.Combine(Root, $".out-{Guid.NewGuid():N}");
        var stderrPath = stdoutPath + ".err";
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in new[] { "-c", "exec \"$0\" \"$@\" >\"$OUT\" 2>\"$ERR\" </dev/null " + redirections, Binary, "--root", Root })
            startInfo.ArgumentList.Add(arg);
        foreach (var arg in args)
            startInfo.ArgumentList.Add(arg);
        startInfo.Environment["WEBENGINE_TEST_TAG"] = Tag;
        startInfo.Environment["OUT"] = stdoutPath;
        startInfo.Environment["ERR"] = stderrPath;
        using var process = Process.Start(startInfo)!;
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"webengine-runtime {string.Join(' ', args)} did not finish within {timeout}");
        }
        process.WaitForExit();
        var result = new CliResult(process.ExitCode, File.ReadAllText(stdoutPath), File.ReadAllText(stderrPath));
        File.Delete(stdoutPath);
        File.Delete(stderrPath);
        return result;
    }

    /// <summary>Runs and asserts exit status 0.</summary>
    public CliResult Ok(params string[] args)
    {
        var result = Run(args);
        Assert.True(result.ExitCode == 0, $"webengine-runtime {string.Join(' ', args)} failed: {result}");
        return result;
    }

    /// <summary>The pids of live processes started under this instance (by the tag in their environment).</summary>
    public List<int> TaggedProcesses()
    {
        var found = new List<int>();
        var needle = System.Text.Encoding.ASCII.GetBytes("WEBENGINE_TEST_TAG=" + Tag);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                var environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..][0];
                if (state != 'Z' && environ.AsSpan().IndexOf(needle) >= 0)
                    found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited while being looked at.
            }
        }
        return found;
    }

    /// <summary>Asserts that nothing of container <paramref name="id"/> remains: state, processes, mounts under <paramref name="bundle"/>.</summary>
    public void AssertNothingLeft(string id, string bundle)
    {
        Assert.False(Directory.Exists(Path.Combine(Root, id)), $"state directory of {id} is left");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (TaggedProcesses().Count > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        Assert.Empty(TaggedProcesses());
        var mounts = File.ReadLines("/proc/self/mountinfo").Where(l => l.Contains(bundle, StringComparison.Ordinal)).ToList();
        Assert.Empty(mounts);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            foreach (var dir in Directory.EnumerateDirectories(Root))
                Run("delete", "--force", Path.GetFileName(dir));
        }
        foreach (var pid in TaggedProcesses())
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Already gone.
            }
        }
        _root.Dispose();
    }
}
