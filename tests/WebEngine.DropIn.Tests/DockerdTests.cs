using System.Diagnostics;
using WebEngine.TestSupport;

namespace WebEngine.DropIn.Tests;

/// <summary>Debian's dockerd runs busybox with webengine-runtime registered by `--add-runtime`.</summary>
public sealed class DockerdTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("webengine-dockerd");
    private Process? _dockerd;
    private string Socket => _dir.Combine("docker.sock");

    public static TheoryData<string> Runtimes => ["webengine-runtime", "runc"];

    public async Task InitializeAsync()
    {
        Prerequisites.RequireRoot();
        var dockerd = Prerequisites.RequireProgram("dockerd", "docker.io");
        Prerequisites.RequireFile("/usr/local/bin/docker", "the docker CLI at /usr/local/bin/docker");
        var psi = new ProcessStartInfo(dockerd) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--host", $"unix://{Socket}", "--data-root", _dir.Combine("root"), "--exec-root", _dir.Combine("exec"),
            "--pidfile", _dir.Combine("dockerd.pid"), "--bridge=none", "--iptables=false", "--ip6tables=false",
            "--ip-masq=false", "--storage-driver=overlay2", "--cgroup-parent", CgroupParent,
            "--add-runtime", $"webengine={RepoPaths.RuntimeBinary}",
            "--add-runtime", $"debianrunc={Prerequisites.RequireProgram("runc", "runc")}",
        })
        {
            psi.ArgumentList.Add(arg);
        }
        _dockerd = Process.Start(psi)!;
        _dockerd.OutputDataReceived += (_, _) => { };
        _dockerd.ErrorDataReceived += (_, _) => { };
        _dockerd.BeginOutputReadLine();
        _dockerd.BeginErrorReadLine();
        for (var i = 0; i < 300; i++)
        {
            if (File.Exists(Socket) && (await Docker(["version"])).ExitCode == 0)
                break;
            await Task.Delay(100);
        }
        var load = await Docker(["load", "-i", RepoPaths.SharedImage("busybox-docker.tar")]);
        Assert.True(load.ExitCode == 0, load.Stderr);
    }

    private string CgroupParent => "/" + Path.GetFileName(_dir.Path);

    public async Task DisposeAsync()
    {
        if (_dockerd is { HasExited: false })
        {
            _dockerd.Kill();
            await _dockerd.WaitForExitAsync();
        }
        _dockerd?.Dispose();
        // dockerd started its own containerd and shims below exec-root; stop whatever is left.
        await HostCommand.RunAsync("pkill", ["-9", "-f", _dir.Path], TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        HostCommand.RemoveCgroup(CgroupParent);
        _dir.Dispose();
    }

    [Theory]
    [MemberData(nameof(Runtimes))]
    public async Task DockerRunWithAddedRuntime(string runtime)
    {
        var name = runtime == "runc" ? "debianrunc" : "webengine";
        var result = await Docker(["run", "--rm", "--runtime", name, "--network", "none", "busybox", "sh", "-c", "echo hello; cat /proc/1/cmdline; exit 7"]);
        Assert.Equal(7, result.ExitCode);
        Assert.StartsWith("hello\nsh", result.Stdout);
    }

    [Theory]
    [MemberData(nameof(Runtimes))]
    public async Task DockerRunDetachedExecStop(string runtime)
    {
        var name = runtime == "runc" ? "debianrunc" : "webengine";
        var run = await Docker(["run", "-d", "--name", "sleeper", "--runtime", name, "--network", "none", "busybox", "sleep", "300"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var exec = await Docker(["exec", "sleeper", "sh", "-c", "echo in-exec; exit 5"]);
        Assert.Equal(5, exec.ExitCode);
        Assert.Equal("in-exec\n", exec.Stdout);
        var stop = await Docker(["stop", "-t", "1", "sleeper"]);
        Assert.True(stop.ExitCode == 0, stop.Stderr);
        var inspect = await Docker(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "sleeper"]);
        Assert.Equal("exited 137\n", inspect.Stdout);
        var rm = await Docker(["rm", "sleeper"]);
        Assert.True(rm.ExitCode == 0, rm.Stderr);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Docker(string[] args) =>
        HostCommand.RunAsync("/usr/local/bin/docker", ["-H", $"unix://{Socket}", .. args], TimeSpan.FromSeconds(120));
}
