using WebEngine.Oci;

namespace WebEngine.Runtime.Tests;

/// <summary>User namespaces: created by the C stage before .NET starts, mapped by `create`, joined by `exec`.</summary>
public sealed class UserNamespaceTests : ContainerTestBase
{
    public UserNamespaceTests()
    {
        Spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        Spec.Linux.UidMappings = [new IdMapping { ContainerId = 0, HostId = 200000, Size = 65536 }];
        Spec.Linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = 200000, Size = 65536 }];
    }

    [Fact]
    public void The_container_runs_as_mapped_root_in_its_own_user_namespace()
    {
        var output = Sh("cat /proc/self/uid_map /proc/self/gid_map; id -u; echo $$; hostname");
        var lines = output.Trim().Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        Assert.Equal("0 200000 65536", lines[0]);
        Assert.Equal("0 200000 65536", lines[1]);
        Assert.Equal("0", lines[2]);
        Assert.Equal("1", lines[3]);
        Assert.Equal(Spec.Hostname, lines[4]);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Its_processes_are_unprivileged_on_the_host_and_exec_joins_the_namespace()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
        var pid = State().Pid;
        Assert.Contains("Uid:\t200000", File.ReadAllText($"/proc/{pid}/status"));
        var exec = Cli.Ok("exec", Id, "sh", "-c", "id -u; cat /proc/self/uid_map");
        Assert.StartsWith("0\n", exec.Stdout);
        Assert.Contains("200000", exec.Stdout);
        Cli.Ok("delete", "--force", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void The_init_forked_inside_the_user_namespace_is_in_the_container_cgroup()
    {
        // The C stage that creates the namespace starts in the cgroup; the init it forks inherits it.
        Spec.Linux!.CgroupsPath = "/webengine-test-userns-placement-" + Id;
        Command("sleep", "1000");
        Create();
        var lines = File.ReadAllText($"/proc/{State().Pid}/cgroup").Trim().Split('\n');
        Assert.NotEmpty(lines);
        foreach (var line in lines)
            Assert.EndsWith(":" + Spec.Linux.CgroupsPath, line);
        Cli.Ok("delete", "--force", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Without_a_cgroup_namespace_the_cgroup_mount_binds_the_containers_own_cgroup()
    {
        // The kernel refuses to mount cgroupfs in a user namespace without a cgroup namespace of its own (EPERM):
        // each hierarchy is the container's own cgroup directory, bind-mounted, read-only as the mount asks.
        Spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        Spec.Linux.Resources = new LinuxResources { Pids = new LinuxPids { Limit = 42 } };
        var dir = Directory.Exists("/sys/fs/cgroup/pids") ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup";
        var output = Sh($"cat {dir}/pids.max; grep -c . {dir}/cgroup.procs; grep -x 1 {dir}/cgroup.procs; mkdir {dir}/sub 2>&1 || true; grep ' /sys/fs/cgroup' /proc/self/mounts | grep -vc ' ro,'; true");
        var lines = output.Trim().Split('\n');
        Assert.Equal("42", lines[0]);
        Assert.Equal("2", lines[1]);
        Assert.Equal("1", lines[2]);
        Assert.Contains("Read-only file system", lines[3]);
        Assert.Equal("0", lines[4]);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Missing_mappings_are_rejected()
    {
        Spec.Linux!.UidMappings = null;
        Bundle.WriteSpec();
        var result = Cli.Run("create", "--bundle", Bundle.Path, Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("uidMappings and linux.gidMappings are required", result.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }
}
