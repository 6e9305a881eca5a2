using WebEngine.Oci;

namespace WebEngine.Runtime.Tests;

/// <summary>create, start, state, kill, delete and run, against the OCI lifecycle.</summary>
public sealed class LifecycleTests : ContainerTestBase
{
    [Fact]
    public void Create_waits_for_start_then_state_follows_each_transition()
    {
        Command("sleep", "1000");
        var pidFile = Path.Combine(Cli.Root, "pid");
        Cli.Ok("create", "--bundle", Bundle.Path, "--pid-file", pidFile, Id);

        var created = State();
        Assert.Equal(ContainerStatus.Created, created.Status);
        Assert.Equal(Bundle.Path, created.Bundle);
        Assert.Equal(int.Parse(File.ReadAllText(pidFile)), created.Pid);
        // The user's program must not run before start: the init is still the runtime's binary.
        Assert.Equal(Path.GetFullPath(Cli.Binary), ReadExe(created.Pid));

        Cli.Ok("start", Id);
        Assert.Equal(ContainerStatus.Running, State().Status);
        // start returns once the init has been released (as runc's, once the exec fifo is read); its execve follows.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!ReadExe(created.Pid).EndsWith("busybox", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            Thread.Sleep(5);
        Assert.EndsWith("busybox", ReadExe(created.Pid));

        Cli.Ok("kill", Id, "KILL");
        WaitForStatus(ContainerStatus.Stopped);
        Assert.Equal(0, State().Pid);

        Cli.Ok("delete", Id);
        var gone = Cli.Run("state", Id);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("does not exist", gone.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Kill_accepts_names_with_and_without_SIG_and_numbers()
    {
        StartTrappingTerm();
        var bad = Cli.Run("kill", Id, "NOPE");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("unknown signal", bad.Stderr);
        Cli.Ok("kill", Id, "SIGTERM");
        WaitForStatus(ContainerStatus.Stopped);
    }

    [Fact]
    public void Kill_defaults_to_SIGTERM()
    {
        StartTrappingTerm();
        Cli.Ok("kill", Id);
        WaitForStatus(ContainerStatus.Stopped);
    }

    /// <summary>
    /// Starts a shell that exits on SIGTERM and waits until its trap is set. As PID 1 of its namespace the process gets
    /// only the signals it handles, so a SIGTERM sent before the shell has run `trap` (start returns once the process
    /// is started, not once it has parsed its script) would be ignored and the container would never stop.
    /// </summary>
    private void StartTrappingTerm()
    {
        Spec.Root!.Readonly = false;
        Command("sh", "-c", "trap 'exit 143' TERM; touch /trap-set; sleep 1000 & wait");
        Create();
        Cli.Ok("start", Id);
        var marker = Path.Combine(Bundle.RootfsPath, "trap-set");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(marker))
        {
            Assert.True(DateTime.UtcNow < deadline, "the container's shell never set its trap");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void Run_exits_with_the_container_status()
    {
        Assert.Equal(0, RunContainer("true").ExitCode);
        Cli.AssertNothingLeft(Id, Bundle.Path);
        Assert.Equal(42, RunContainer("sh", "-c", "exit 42").ExitCode);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Run_of_a_missing_program_exits_127_with_the_reason()
    {
        var result = RunContainer("/no/such/program");
        Assert.Equal(127, result.ExitCode);
        Assert.Contains("/no/such/program", result.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Run_detached_leaves_the_container_running()
    {
        Command("sleep", "1000");
        Cli.Ok("run", "-d", "--bundle", Bundle.Path, Id);
        Assert.Equal(ContainerStatus.Running, State().Status);
        Cli.Ok("delete", "--force", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Delete_of_a_created_container_removes_its_init()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("delete", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Stopped_is_told_from_running_after_the_process_exits_on_its_own()
    {
        Command("true");
        Create();
        Cli.Ok("start", Id);
        WaitForStatus(ContainerStatus.Stopped);
        Cli.Ok("delete", Id);
    }

    [Fact]
    public void Preserve_fds_passes_extra_descriptors_and_no_others()
    {
        var input = Path.Combine(Cli.Root, "input.txt");
        File.WriteAllText(input, "through fd 3\n");
        Command("sh", "-c", "cat <&3; ls /proc/self/fd | wc -l");
        var result = Cli.RunWithRedirections($"3<{input}", "run", "--preserve-fds", "1", "--bundle", Bundle.Path, Id);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Trim().Split('\n');
        Assert.Equal("through fd 3", lines[0]);
        // 0, 1, 2, 3, and the fd ls opens for /proc/self/fd: nothing of the runtime leaks in.
        Assert.Equal("5", lines[1].Trim());
    }

    [Fact]
    public void No_pivot_runs_the_container_with_chroot()
    {
        Command("sh", "-c", "ls /bin/busybox && echo $$");
        var result = Cli.Run("run", "--no-pivot", "--bundle", Bundle.Path, Id);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/bin/busybox\n1", result.Stdout.Trim());
    }

    [Fact]
    public void Foreground_run_forwards_signals_to_the_container()
    {
        Command("sh", "-c", "trap 'exit 9' USR1; sleep 1000 & wait");
        Bundle.WriteSpec();
        var startInfo = new System.Diagnostics.ProcessStartInfo(Cli.Binary) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "--root", Cli.Root, "run", "--bundle", Bundle.Path, Id })
            startInfo.ArgumentList.Add(arg);
        startInfo.Environment["WEBENGINE_TEST_TAG"] = Cli.Tag;
        using var run = System.Diagnostics.Process.Start(startInfo)!;
        WaitForStatus(ContainerStatus.Running);
        Assert.Equal(0, kill(run.Id, 10));
        Assert.True(run.WaitForExit(30_000), "run did not exit after the container got SIGUSR1");
        Assert.Equal(9, run.ExitCode);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int signal);

    private static string ReadExe(int pid) => new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "";
}
