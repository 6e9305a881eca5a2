using WebEngine.Oci;

namespace WebEngine.Runtime.Tests;

/// <summary>The lifecycle parts that go through the container's cgroup: pause/resume, resources, removal, seccomp.</summary>
public sealed class CgroupLifecycleTests : ContainerTestBase
{
    [Fact]
    public void Pause_freezes_and_resume_thaws()
    {
        Command("sleep", "1000");
        Create();
        var refused = Cli.Run("pause", Id);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"cannot pause container {Id}: it is created", refused.Stderr);
        Cli.Ok("start", Id);
        Cli.Ok("pause", Id);
        Assert.Equal(ContainerStatus.Paused, State().Status);
        var freezer = $"/sys/fs/cgroup/freezer{Spec.Linux!.CgroupsPath}/freezer.state";
        if (File.Exists(freezer))
            Assert.Equal("FROZEN", File.ReadAllText(freezer).Trim());
        Cli.Ok("resume", Id);
        Assert.Equal(ContainerStatus.Running, State().Status);
        var again = Cli.Run("resume", Id);
        Assert.Contains($"cannot resume container {Id}: it is running", again.Stderr);
    }

    [Fact]
    public void Delete_of_a_paused_container_with_force_removes_it()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
        Cli.Ok("pause", Id);
        Cli.Ok("delete", "--force", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Resources_are_applied_to_the_container_cgroup_which_delete_removes()
    {
        Spec.Linux!.CgroupsPath = "/webengine-test-resources-" + Id;
        Spec.Linux.Resources = new LinuxResources { Pids = new LinuxPids { Limit = 42 } };
        Command("sleep", "1000");
        Create();
        var cgroup = PidsCgroupDirectory();
        Assert.Equal("42", File.ReadAllText(Path.Combine(cgroup, "pids.max")).Trim());
        Assert.Contains(State().Pid.ToString(), File.ReadAllText(Path.Combine(cgroup, "cgroup.procs")));
        Cli.Ok("delete", Id);
        Assert.False(Directory.Exists(cgroup), $"{cgroup} is left after delete");
    }

    [Fact]
    public void Seccomp_is_installed_before_the_program_runs()
    {
        Spec.Linux!.Seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Architectures = ["SCMP_ARCH_X86_64"],
            Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 }],
        };
        Spec.Root!.Readonly = false;
        var output = Sh("mkdir /tmp/blocked 2>&1 || echo refused");
        Assert.Contains("Operation not permitted", output);
        Assert.Contains("refused", output);
    }

    private string PidsCgroupDirectory()
    {
        var v1 = "/sys/fs/cgroup/pids" + Spec.Linux!.CgroupsPath;
        return Directory.Exists(v1) ? v1 : "/sys/fs/cgroup" + Spec.Linux.CgroupsPath;
    }
}
