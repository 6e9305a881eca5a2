using System.Diagnostics;
using WebEngine.TestSupport;

namespace WebEngine.DropIn.Tests;

/// <summary>Debian's containerd runs busybox with webengine-runtime given as `--runc-binary`.</summary>
public sealed class ContainerdTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("webengine-ctrd");
    private readonly string _namespace = $"wetest{Guid.NewGuid():N}"[..14];
    private Process? _containerd;
    private string Socket => _dir.Combine("containerd.sock");

    public static TheoryData<string> Runtimes => ["webengine-runtime", "runc"];

    public async Task InitializeAsync()
    {
        Prerequisites.RequireRoot();
        var containerd = Prerequisites.RequireProgram("containerd", "containerd");
        Prerequisites.RequireProgram("ctr", "containerd");
        File.WriteAllText(_dir.Combine("config.toml"), $"""
            version = 2
            root = "{_dir.Combine("root")}"
            state = "{_dir.Combine("state")}"
            [grpc]
              address = "{Socket}"
            [plugins."io.containerd.grpc.v1.cri"]
              disable = true
            """);
        var psi = new ProcessStartInfo(containerd) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(_dir.Combine("config.toml"));
        _containerd = Process.Start(psi)!;
        _containerd.OutputDataReceived += (_, _) => { };
        _containerd.ErrorDataReceived += (_, _) => { };
        _containerd.BeginOutputReadLine();
        _containerd.BeginErrorReadLine();
        for (var i = 0; i < 100 && !File.Exists(Socket); i++)
            await Task.Delay(100);
        Assert.True(File.Exists(Socket), "containerd did not create its socket in 10 s");
        var import = await Ctr(["images", "import", "--index-name", "docker.io/library/busybox:latest", RepoPaths.SharedImage("busybox-oci.tar")]);
        Assert.True(import.ExitCode == 0, import.Stderr);
    }

    public async Task DisposeAsync()
    {
        if (_containerd is { HasExited: false })
        {
            _containerd.Kill();
            await _containerd.WaitForExitAsync();
        }
        _containerd?.Dispose();
        HostCommand.RemoveCgroup(_namespace);
        _dir.Dispose();
    }

    [Theory]
    [MemberData(nameof(Runtimes))]
    public async Task CtrRunPrintsAndExits(string runtime)
    {
        var result = await Ctr(["run", "--rm", "--runc-binary", RuntimePath(runtime), "docker.io/library/busybox:latest", "echo1", "sh", "-c", "echo hello from busybox; exit 3"]);
        Assert.Contains("hello from busybox", result.Stdout);
        Assert.Equal(3, result.ExitCode);
    }

    [Theory]
    [MemberData(nameof(Runtimes))]
    public async Task CtrRunDetachedThenKill(string runtime)
    {
        var run = await Ctr(["run", "-d", "--runc-binary", RuntimePath(runtime), "docker.io/library/busybox:latest", "sleeper", "sleep", "300"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var tasks = await Ctr(["tasks", "ls"]);
        Assert.Matches(@"sleeper\s+\d+\s+RUNNING", tasks.Stdout);
        var exec = await Ctr(["tasks", "exec", "--exec-id", "e1", "sleeper", "cat", "/proc/1/cmdline"]);
        Assert.True(exec.ExitCode == 0, exec.Stderr);
        Assert.StartsWith("sleep", exec.Stdout);
        var kill = await Ctr(["tasks", "kill", "-s", "SIGKILL", "sleeper"]);
        Assert.True(kill.ExitCode == 0, kill.Stderr);
        for (var i = 0; i < 50; i++)
        {
            tasks = await Ctr(["tasks", "ls"]);
            if (tasks.Stdout.Contains("STOPPED"))
                break;
            await Task.Delay(100);
        }
        Assert.Matches(@"sleeper\s+\d+\s+STOPPED", tasks.Stdout);
        var delete = await Ctr(["tasks", "delete", "sleeper"]);
        Assert.True(delete.ExitCode == 0, delete.Stderr);
        var remove = await Ctr(["containers", "delete", "sleeper"]);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
    }

    private static string RuntimePath(string runtime) =>
        runtime == "runc" ? Prerequisites.RequireProgram("runc", "runc") : RepoPaths.RuntimeBinary;

    private Task<(int ExitCode, string Stdout, string Stderr)> Ctr(string[] args) =>
        HostCommand.RunAsync("ctr", ["-a", Socket, "-n", _namespace, .. args], TimeSpan.FromSeconds(60));
}
