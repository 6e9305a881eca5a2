using WebEngine.Oci;

namespace WebEngine.Runtime.Tests;

/// <summary>exec into a running container: namespaces joined, exit status, env, cwd, user, detach.</summary>
public sealed class ExecTests : ContainerTestBase
{
    public ExecTests()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
    }

    [Fact]
    public void Exec_joins_the_pid_and_mount_namespaces()
    {
        var result = Cli.Ok("exec", Id, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; ls /bin/busybox");
        Assert.Contains("sleep 1000", result.Stdout);
        Assert.Contains("/bin/busybox", result.Stdout);
    }

    [Fact]
    public void Exec_exits_with_the_process_status()
    {
        Assert.Equal(3, Cli.Run("exec", Id, "sh", "-c", "exit 3").ExitCode);
        var missing = Cli.Run("exec", Id, "no-such-program");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("no-such-program", missing.Stderr);
    }

    [Fact]
    public void Exec_applies_env_cwd_and_user()
    {
        var result = Cli.Ok("exec", "--env", "EXTRA=yes", "--cwd", "/etc", "--user", "1000:1001", Id, "sh", "-c", "echo $EXTRA; pwd; id -u; id -g");
        Assert.Equal("yes\n/etc\n1000\n1001", result.Stdout.Trim());
    }

    [Fact]
    public void Exec_with_a_process_file()
    {
        var process = new Process { Args = ["sh", "-c", "echo from-file; exit 5"], Cwd = "/", Env = ["PATH=/bin"] };
        var path = Path.Combine(Cli.Root, "process.json");
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(process, OciJsonContext.Default.Process));
        var result = Cli.Run("exec", "--process", path, Id);
        Assert.Equal(5, result.ExitCode);
        Assert.Contains("from-file", result.Stdout);
    }

    [Fact]
    public void Exec_detached_writes_the_pid_file()
    {
        var pidFile = Path.Combine(Cli.Root, "exec.pid");
        Cli.Ok("exec", "-d", "--pid-file", pidFile, Id, "sleep", "500");
        var pid = int.Parse(File.ReadAllText(pidFile));
        // A detached process execs only once `exec -d` has exited (so the runtime never reaps it).
        var cmdline = "";
        for (var i = 0; i < 100 && !cmdline.Contains("sleep"); i++, Thread.Sleep(20))
            cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
        Assert.Contains("sleep", cmdline);
        var ps = Cli.Ok("ps", "--format", "json", Id);
        Assert.Contains(pid.ToString(), ps.Stdout);
    }

    [Fact]
    public void Ps_lists_the_container_processes_and_kill_all_signals_them()
    {
        Cli.Ok("exec", "-d", Id, "sleep", "600");
        var pids = System.Text.Json.JsonSerializer.Deserialize<List<int>>(Cli.Ok("ps", "--format", "json", Id).Stdout)!;
        Assert.True(pids.Count >= 2, $"ps found {pids.Count} processes");
        var table = Cli.Ok("ps", Id).Stdout;
        Assert.Contains("PID", table);
        Assert.Contains("sleep 600", table);
        Cli.Ok("kill", "--all", Id, "KILL");
        WaitForStatus(ContainerStatus.Stopped);
        foreach (var pid in pids)
            Assert.False(File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "), $"pid {pid} survived kill --all");
    }
}
