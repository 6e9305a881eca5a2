using WebEngine.Runtime.Cgroups;

namespace WebEngine.Runtime.Tests.Cgroups;

/// <summary>Layout detection from mountinfo texts, and where a cgroupsPath lands in each hierarchy.</summary>
public sealed class CgroupLayoutTests
{
    /// <summary>This machine: v1 controllers (cpu and cpuacct apart) plus an empty cgroup2 mount.</summary>
    internal const string HybridMountinfo = """
        22 1 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    /// <summary>A classic v1 host (Debian 10, CentOS 7): cpu,cpuacct and net_cls,net_prio co-mounted.</summary>
    private const string V1Mountinfo = """
        25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
        30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
        31 25 0:28 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,net_cls,net_prio
        32 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
        33 25 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids
        """;

    private const string V2Mountinfo = """
        24 18 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        25 18 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:10 - proc proc rw
        """;

    [Fact]
    public void Hybrid_host_uses_v1_controllers_and_keeps_the_cgroup2_mount_aside()
    {
        var layout = CgroupLayout.Parse(HybridMountinfo);

        Assert.Equal(CgroupVersion.Hybrid, layout.Version);
        Assert.Equal("/sys/fs/cgroup/cpu", layout.V1["cpu"].MountPoint);
        Assert.Equal("/sys/fs/cgroup/cpuacct", layout.V1["cpuacct"].MountPoint);
        Assert.NotSame(layout.V1["cpu"], layout.V1["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/systemd", layout.V1["name=systemd"].MountPoint);
        Assert.Equal("/sys/fs/cgroup/unified", layout.Unified!.MountPoint);
        Assert.False(layout.V1.ContainsKey("net_cls"));
        Assert.Equal(9, layout.V1.Count);
    }

    [Fact]
    public void The_mount_table_kept_in_a_containers_state_gives_the_same_layout()
    {
        var layout = CgroupLayout.Parse(HybridMountinfo);

        // Only the cgroup mounts are kept: sysfs and the tmpfs holding the hierarchies are not.
        Assert.Equal(10, layout.MountTable.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("tmpfs", layout.MountTable);
        var again = CgroupLayout.Parse(layout.MountTable);
        Assert.Equal(layout.Version, again.Version);
        Assert.Equal(layout.V1.Keys.Order(), again.V1.Keys.Order());
        Assert.All(layout.V1, pair => Assert.Equal(Describe(pair.Value), Describe(again.V1[pair.Key])));
        Assert.Equal(Describe(layout.Unified!), Describe(again.Unified!));
        Assert.Equal(layout.MountTable, again.MountTable);
    }

    private static string Describe(CgroupMount mount) => $"{mount.MountPoint} {mount.Root} {string.Join(',', mount.Controllers)}";

    [Fact]
    public void V1_host_shares_one_mount_between_co_mounted_controllers()
    {
        var layout = CgroupLayout.Parse(V1Mountinfo);

        Assert.Equal(CgroupVersion.V1, layout.Version);
        Assert.Null(layout.Unified);
        Assert.Same(layout.V1["cpu"], layout.V1["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/net_cls,net_prio", layout.V1["net_prio"].MountPoint);
        Assert.Equal(["cpu", "cpuacct"], layout.V1["cpu"].Controllers);
    }

    [Fact]
    public void V2_host_has_only_the_unified_hierarchy()
    {
        var layout = CgroupLayout.Parse(V2Mountinfo);

        Assert.Equal(CgroupVersion.V2, layout.Version);
        Assert.Empty(layout.V1);
        Assert.Equal("/sys/fs/cgroup", layout.Unified!.MountPoint);
    }

    [Fact]
    public void Only_a_named_v1_hierarchy_next_to_cgroup2_is_v2()
    {
        var layout = CgroupLayout.Parse(V2Mountinfo + "\n27 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n");

        Assert.Equal(CgroupVersion.V2, layout.Version);
    }

    [Fact]
    public void No_cgroup_mount_is_an_error()
    {
        var error = Assert.Throws<CgroupException>(() => CgroupLayout.Parse("25 18 0:23 / /proc rw - proc proc rw\n"));
        Assert.Contains("no cgroup filesystem", error.Message);
    }

    [Fact]
    public void Escaped_mount_points_and_container_roots_are_decoded()
    {
        var layout = CgroupLayout.Parse("40 30 0:37 /docker/abc /sys/fs/cgroup\\040x rw - cgroup2 cgroup2 rw\n");

        Assert.Equal("/sys/fs/cgroup x", layout.Unified!.MountPoint);
        Assert.Equal("/docker/abc", layout.Unified.Root);
    }

    [Fact]
    public void Default_path_is_below_webengine_in_every_hierarchy()
    {
        var manager = CgroupManager.Create(null, "c1", CgroupLayout.Parse(HybridMountinfo), "0::/\n4:memory:/\n");

        Assert.Equal("/webengine/c1", manager.Path);
        Assert.Equal(CgroupVersion.Hybrid, manager.Version);
        Assert.Equal("/sys/fs/cgroup/memory/webengine/c1", manager.Directories["memory"]);
        Assert.Equal("/sys/fs/cgroup/cpuacct/webengine/c1", manager.Directories["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/systemd/webengine/c1", manager.Directories["name=systemd"]);
        Assert.Equal("/sys/fs/cgroup/unified/webengine/c1", manager.Directories[""]);
    }

    [Fact]
    public void Relative_path_is_below_the_callers_cgroup_of_each_hierarchy()
    {
        var manager = CgroupManager.Create("ctr/x", "c1", CgroupLayout.Parse(HybridMountinfo),
            """
            9:name=systemd:/user.slice
            8:pids:/
            7:blkio:/
            6:freezer:/
            5:devices:/
            4:memory:/process_api/42
            3:cpuset:/
            2:cpuacct:/
            1:cpu:/
            0::/user.slice
            """);

        Assert.Equal("/sys/fs/cgroup/memory/process_api/42/ctr/x", manager.Directories["memory"]);
        Assert.Equal("/sys/fs/cgroup/cpu/ctr/x", manager.Directories["cpu"]);
        Assert.Equal("/sys/fs/cgroup/systemd/user.slice/ctr/x", manager.Directories["name=systemd"]);
    }

    [Fact]
    public void Relative_path_inside_a_cgroup_namespace_strips_the_mount_root()
    {
        var layout = CgroupLayout.Parse("40 30 0:37 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");

        var manager = CgroupManager.Create("inner", "c1", layout, "0::/docker/abc/sub\n");

        Assert.Equal("/sys/fs/cgroup/sub/inner", manager.Directories[""]);
    }

    [Theory]
    [InlineData("system.slice:docker:abc", "systemd cgroup driver is not supported")]
    [InlineData("/a/../b", "\"..\"")]
    [InlineData("/", "root cgroup")]
    public void Unusable_paths_are_refused_with_a_reason(string path, string reason)
    {
        var error = Assert.Throws<CgroupException>(() => CgroupManager.Create(path, "c1", CgroupLayout.Parse(V2Mountinfo), "0::/\n"));

        Assert.Contains(reason, error.Message);
    }
}
