using WebEngine.Engine.Containers;
using WebEngine.Oci;

namespace WebEngine.Engine.Tests.Bundles;

// The namespaces, /dev/shm and inherited mounts the bundle gets for Docker's PID, IPC, UTS and cgroup namespace modes and VolumesFrom.
public sealed partial class BundleBuilderTests
{
    private static LinuxNamespace? Namespace(RuntimeSpec spec, string type) => spec.Linux!.Namespaces!.SingleOrDefault(n => n.Type == type);

    [Fact]
    public async Task Pid_host_leaves_out_the_pid_namespace()
    {
        var spec = await SpecAsync(new HostConfig { PidMode = "host" });

        Assert.Null(Namespace(spec, "pid"));
        Assert.NotNull(Namespace(spec, "ipc"));
    }

    [Fact]
    public async Task Pid_container_joins_the_other_containers_namespace_by_path()
    {
        var spec = await SpecAsync(new HostConfig { PidMode = "container:" + new string('a', 64) }, adjust: r => r with { PidNamespacePath = "/proc/4242/ns/pid" });

        Assert.Equal("/proc/4242/ns/pid", Namespace(spec, "pid")!.Path);
    }

    /// <summary>At create the other container may not run yet: the bundle keeps a pid namespace entry that each start fills in.</summary>
    [Fact]
    public async Task Pid_container_that_is_not_running_yet_leaves_the_path_for_the_start()
    {
        var spec = await SpecAsync(new HostConfig { PidMode = "container:" + new string('a', 64) });
        var pid = Namespace(spec, "pid");
        Assert.NotNull(pid);
        Assert.Null(pid.Path);
    }

    [Fact]
    public async Task Ipc_host_leaves_out_the_ipc_namespace_and_binds_the_hosts_shm()
    {
        var spec = await SpecAsync(new HostConfig { IpcMode = "host" }, adjust: r => r with { ShmSource = "/dev/shm" });

        Assert.Null(Namespace(spec, "ipc"));
        var shm = MountAt(spec, "/dev/shm");
        Assert.Equal(("bind", "/dev/shm"), (shm.Type, shm.Source));
        Assert.Equal(["rbind", "rprivate"], shm.Options);
    }

    [Fact]
    public async Task Ipc_none_has_a_private_namespace_and_no_shm()
    {
        var spec = await SpecAsync(new HostConfig { IpcMode = "none" });

        Assert.NotNull(Namespace(spec, "ipc"));
        Assert.Null(Namespace(spec, "ipc")!.Path);
        Assert.DoesNotContain(spec.Mounts!, m => m.Destination == "/dev/shm");
    }

    [Fact]
    public async Task Ipc_shareable_binds_its_host_side_shm()
    {
        var shm = _fixture.Combine("containers", _id, "shm");

        var spec = await SpecAsync(new HostConfig { IpcMode = "shareable" }, adjust: r => r with { ShmSource = shm });

        Assert.Null(Namespace(spec, "ipc")!.Path);
        Assert.Equal(("bind", shm), (MountAt(spec, "/dev/shm").Type, MountAt(spec, "/dev/shm").Source));
    }

    [Fact]
    public async Task Ipc_container_joins_the_namespace_and_the_shm_of_the_other()
    {
        var spec = await SpecAsync(new HostConfig { IpcMode = "container:" + new string('b', 64) },
            adjust: r => r with { IpcNamespacePath = "/proc/99/ns/ipc", ShmSource = "/data/containers/b/shm" });

        Assert.Equal("/proc/99/ns/ipc", Namespace(spec, "ipc")!.Path);
        Assert.Equal("/data/containers/b/shm", MountAt(spec, "/dev/shm").Source);
    }

    [Fact]
    public async Task Private_ipc_keeps_its_own_shm_tmpfs()
    {
        var spec = await SpecAsync(new HostConfig { IpcMode = "private" });

        Assert.Equal("tmpfs", MountAt(spec, "/dev/shm").Type);
    }

    [Fact]
    public async Task Uts_host_leaves_out_the_uts_namespace_and_sets_no_hostname()
    {
        var spec = await SpecAsync(new HostConfig { UtsMode = "host" });

        Assert.Null(Namespace(spec, "uts"));
        Assert.Null(spec.Hostname);
        Assert.Equal(Environment.MachineName + "\n", await File.ReadAllTextAsync(_fixture.Combine("containers", _id, "hostname")));
    }

    [Theory]
    [InlineData("private", "host", true)]
    [InlineData("host", "private", false)]
    [InlineData("", "private", true)]
    [InlineData("", "host", false)]
    public async Task The_containers_cgroupns_mode_wins_over_the_daemons_default(string mode, string daemonDefault, bool privateNamespace)
    {
        _fixture.Options = _fixture.Options with { DefaultCgroupnsMode = daemonDefault };

        var spec = await SpecAsync(new HostConfig { CgroupnsMode = mode });

        Assert.Equal(privateNamespace, Namespace(spec, "cgroup") is not null);
    }

    [Fact]
    public async Task Inherited_mounts_come_at_their_destinations_and_own_mounts_win()
    {
        var theirs = _fixture.Combine("theirs");
        var mine = _fixture.Combine("mine");
        Directory.CreateDirectory(theirs);
        Directory.CreateDirectory(mine);
        var host = new HostConfig { Binds = [$"{mine}:/shared"] };

        var spec = await SpecAsync(host, adjust: r => r with
        {
            InheritedMounts =
            [
                new ContainerMount { Type = MountType.Bind, Source = theirs, Target = "/data", ReadOnly = true },
                new ContainerMount { Type = MountType.Bind, Source = theirs, Target = "/shared" },
            ],
        });

        Assert.Equal(theirs, MountAt(spec, "/data").Source);
        Assert.Contains("ro", MountAt(spec, "/data").Options!);
        Assert.Equal(mine, MountAt(spec, "/shared").Source);
    }
}
