using WebEngine.Oci;
using WebEngine.Runtime.Cgroups;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests.Cgroups;

/// <summary>
/// The v1 manager on this machine's real /sys/fs/cgroup, below a unique test path, with a real
/// process moved in. Dispose kills the process and removes every directory, even after a failure.
/// </summary>
public sealed class CgroupV1Tests : IDisposable
{
    private readonly string _parent = "/webengine-test-" + Guid.NewGuid().ToString("N")[..12];
    private readonly CgroupLayout _layout;
    private readonly ICgroupManager _manager;
    private readonly List<TestProcess> _processes = [];
    private readonly List<Action> _cleanup = [];

    public CgroupV1Tests()
    {
        Prerequisites.RequireRoot();
        _layout = CgroupLayout.Detect();
        if (_layout.Version == CgroupVersion.V2)
            throw new PrerequisiteMissingException("these tests need cgroup v1 hierarchies (boot with systemd.unified_cgroup_hierarchy=0); the v2 manager is tested against a fake cgroupfs");
        _manager = CgroupManager.Create(_parent + "/ctr", "ctr");
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        foreach (var action in _cleanup)
            action();
        try
        {
            _manager.Remove();
        }
        finally
        {
            // Whatever Remove could not take (it failed, or the test broke off early).
            foreach (var mount in _layout.V1.Values.Append(_layout.Unified).OfType<CgroupMount>().Distinct())
            {
                foreach (var directory in (string[])[mount.MountPoint + _parent + "/ctr", mount.MountPoint + _parent])
                {
                    if (Directory.Exists(directory))
                        Directory.Delete(directory);
                }
            }
        }
    }

    private TestProcess StartInCgroup(string script)
    {
        var process = new TestProcess(script);
        _processes.Add(process);
        _manager.AddProcess(process.Pid);
        process.Go();
        return process;
    }

    private string Read(string controller, string file) => File.ReadAllText(Path.Combine(_manager.Directories[controller], file)).Trim();

    [Fact]
    public void Create_copies_cpuset_from_the_parent_and_AddProcess_joins_every_hierarchy()
    {
        _manager.Create();
        var process = StartInCgroup("echo ready; exec sleep 1000");
        Assert.Equal("ready", process.ReadLine());

        var root = File.ReadAllText(Path.Combine(_layout.V1["cpuset"].MountPoint, "cpuset.cpus")).Trim();
        Assert.Equal(root, File.ReadAllText(Path.Combine(_layout.V1["cpuset"].MountPoint + _parent, "cpuset.cpus")).Trim());
        Assert.Equal(root, Read("cpuset", "cpuset.cpus"));
        Assert.NotEqual("", Read("cpuset", "cpuset.mems"));
        var membership = File.ReadAllText($"/proc/{process.Pid}/cgroup");
        foreach (var controller in (string[])["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"])
            Assert.Contains($":{controller}:{_parent}/ctr\n", membership);
        if (_layout.Unified is not null)
            Assert.Contains($"0::{_parent}/ctr\n", membership);
    }

    /// <summary>The whole disk (major, minor) that holds <paramref name="path"/>: throttle rules take disks, not partitions.</summary>
    private static (long Major, long Minor) DiskOf(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%Hd:%Ld", path])
            { RedirectStandardOutput = true })!;
        var device = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        var sys = $"/sys/dev/block/{device}";
        if (File.Exists(Path.Combine(sys, "partition")))
            device = File.ReadAllText(Path.Combine(sys, "..", "dev")).Trim();
        var parts = device.Split(':');
        return (long.Parse(parts[0]), long.Parse(parts[1]));
    }

    /// <summary>CFQ's blkio.weight is gone from current kernels and BFQ's exists only where a disk uses BFQ.</summary>
    private bool HasBlockIoWeight => File.Exists(Path.Combine(_layout.V1["blkio"].MountPoint, "blkio.weight"))
        || File.Exists(Path.Combine(_layout.V1["blkio"].MountPoint, "blkio.bfq.weight"));

    [Fact]
    public void A_block_io_weight_where_no_scheduler_offers_one_is_an_error_naming_the_file()
    {
        _manager.Create();
        if (HasBlockIoWeight)
        {
            _manager.Apply(new LinuxResources { BlockIo = new LinuxBlockIo { Weight = 300 } });
            Assert.Contains("300", File.Exists(Path.Combine(_manager.Directories["blkio"], "blkio.weight"))
                ? Read("blkio", "blkio.weight") : Read("blkio", "blkio.bfq.weight"));
            return;
        }
        var error = Assert.Throws<CgroupException>(() => _manager.Apply(new LinuxResources { BlockIo = new LinuxBlockIo { Weight = 300 } }));
        Assert.Contains("blkio.bfq.weight", error.Message);
        Assert.Contains("errno 2", error.Message);
    }

    [Fact]
    public void Apply_writes_the_limits_the_kernel_then_reports()
    {
        _manager.Create();
        StartInCgroup("exec sleep 1000");
        var (major, minor) = DiskOf("/var/tmp");

        _manager.Apply(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20, Reservation = 32 << 20, Swappiness = 10, DisableOomKiller = true, Kernel = 1 << 30 },
            Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 100000, Burst = 1000, Cpus = "0", Mems = "0" },
            Pids = new LinuxPids { Limit = 10 },
            BlockIo = new LinuxBlockIo
            {
                Weight = HasBlockIoWeight ? 200 : null,
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = major, Minor = minor, Rate = 1 << 20 }],
                ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = major, Minor = minor, Rate = 500 }],
            },
            Devices =
            [
                new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 136, Access = "rw" },
            ],
        });

        Assert.Equal("67108864", Read("memory", "memory.limit_in_bytes"));
        Assert.Equal("134217728", Read("memory", "memory.memsw.limit_in_bytes"));
        Assert.Equal("33554432", Read("memory", "memory.soft_limit_in_bytes"));
        Assert.Equal("10", Read("memory", "memory.swappiness"));
        Assert.Contains("oom_kill_disable 1", Read("memory", "memory.oom_control"));
        Assert.Equal("512", Read("cpu", "cpu.shares"));
        Assert.Equal("50000", Read("cpu", "cpu.cfs_quota_us"));
        Assert.Equal("100000", Read("cpu", "cpu.cfs_period_us"));
        Assert.Equal("1000", Read("cpu", "cpu.cfs_burst_us"));
        Assert.Equal("0", Read("cpuset", "cpuset.cpus"));
        Assert.Equal("10", Read("pids", "pids.max"));
        if (HasBlockIoWeight)
            Assert.Contains("200", File.Exists(Path.Combine(_manager.Directories["blkio"], "blkio.weight"))
                ? Read("blkio", "blkio.weight") : Read("blkio", "blkio.bfq.weight"));
        Assert.Equal($"{major}:{minor} 1048576", Read("blkio", "blkio.throttle.read_bps_device"));
        Assert.Equal($"{major}:{minor} 500", Read("blkio", "blkio.throttle.write_iops_device"));
        Assert.Equal("c 1:3 rwm\nc 136:* rw", Read("devices", "devices.list"));

        // Shrinking below the current memsw limit needs the other write order.
        _manager.Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 16 << 20, Swap = 32 << 20 } });
        Assert.Equal("16777216", Read("memory", "memory.limit_in_bytes"));
        Assert.Equal("33554432", Read("memory", "memory.memsw.limit_in_bytes"));
    }

    [Fact]
    public void Device_rules_are_enforced_on_the_processes()
    {
        _manager.Create();
        _manager.Apply(new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
            ],
        });

        var process = StartInCgroup("head -c 1 /dev/zero >/dev/null 2>&1 && echo zero-ok || echo zero-denied; echo x > /dev/null && echo null-ok");

        Assert.Equal("zero-denied", process.ReadLine());
        Assert.Equal("null-ok", process.ReadLine());
    }

    [Fact]
    public void A_value_the_kernel_refuses_is_an_error_naming_file_value_and_errno()
    {
        _manager.Create();

        var error = Assert.Throws<CgroupException>(() => _manager.Apply(new LinuxResources { Cpu = new LinuxCpu { Cpus = "7" } }));

        Assert.Contains(Path.Combine(_manager.Directories["cpuset"], "cpuset.cpus"), error.Message);
        Assert.Contains("\"7\"", error.Message);
        Assert.Equal(34, error.Errno); // ERANGE: this machine has fewer CPUs
        Assert.Contains("errno 34", error.Message);
    }

    [Fact]
    public void Freeze_stops_the_processes_until_thaw()
    {
        _manager.Create();
        var process = StartInCgroup("echo ready; exec sleep 1000");
        Assert.Equal("ready", process.ReadLine());

        _manager.Freeze();

        Assert.True(_manager.IsFrozen());
        Assert.Equal("FROZEN", Read("freezer", "freezer.state"));
        Assert.Equal('D', process.State()); // the v1 freezer parks tasks in uninterruptible sleep

        _manager.Thaw();

        Assert.False(_manager.IsFrozen());
        Assert.Equal("THAWED", Read("freezer", "freezer.state"));
        Assert.NotEqual('D', process.State());
    }

    [Fact]
    public void Pids_and_stats_describe_the_processes_inside()
    {
        _manager.Create();
        // Without BFQ only the throttle layer counts block I/O, and only on a disk where some cgroup has had a throttle
        // rule (this 6.18 kernel sets it up on first use): a rule too generous to slow anything makes the count certain.
        var (major, minor) = DiskOf("/var/tmp");
        var unlimited = new LinuxThrottleDevice { Major = major, Minor = minor, Rate = 1UL << 40 };
        _manager.Apply(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 256 << 20 }, Pids = new LinuxPids { Limit = 20 },
            BlockIo = new LinuxBlockIo { ThrottleReadBpsDevice = [unlimited], ThrottleWriteBpsDevice = [unlimited] },
        });
        // Some work after joining, so the cgroup is charged CPU time, memory and (direct, so that
        // the page cache cannot absorb it) block I/O of 1 MiB each way.
        // /var/tmp rather than /tmp: O_DIRECT needs a disk-backed filesystem, and /tmp may be tmpfs.
        var file = $"/var/tmp/webengine-cgroup-io-{Guid.NewGuid():N}";
        _cleanup.Add(() => File.Delete(file));
        var process = StartInCgroup(
            "s=; i=0; while [ $i -lt 3000 ]; do s=\"$s..........\"; i=$((i+1)); done; "
            + $"dd if=/dev/zero of={file} bs=64k count=16 oflag=direct 2>/dev/null && dd if={file} of=/dev/null bs=64k iflag=direct 2>/dev/null; "
            + "sleep 1000 & echo done; wait");
        Assert.Equal("done", process.ReadLine());

        var pids = _manager.GetPids();
        var stats = _manager.GetStats();

        Assert.Contains(process.Pid, pids);
        Assert.Equal(2, pids.Count); // the shell and its sleep
        Assert.Equal(2UL, stats.PidsCurrent);
        Assert.Equal(20UL, stats.PidsLimit);
        Assert.Equal(256UL << 20, stats.MemoryLimitBytes);
        Assert.True(stats.MemoryUsageBytes > 0);
        Assert.True(stats.MemoryMaxUsageBytes >= stats.MemoryUsageBytes);
        Assert.True(stats.CpuUsageNanos > 0);
        Assert.True(stats.CpuUserNanos + stats.CpuSystemNanos > 0);
        Assert.True(stats.BlockWriteBytes >= 1 << 20, $"{stats.BlockWriteBytes} bytes written");
        Assert.True(stats.BlockReadBytes >= 1 << 20, $"{stats.BlockReadBytes} bytes read");
    }

    [Fact]
    public void Remove_leaves_no_directory_behind_and_can_run_twice()
    {
        _manager.Create();
        var process = StartInCgroup("echo ready; exec sleep 1000");
        Assert.Equal("ready", process.ReadLine());
        Directory.CreateDirectory(Path.Combine(_manager.Directories["memory"], "nested"));
        process.Kill();

        _manager.Remove();
        _manager.Remove();

        foreach (var mount in _layout.V1.Values.Append(_layout.Unified).OfType<CgroupMount>().Distinct())
            Assert.False(Directory.Exists(mount.MountPoint + _parent), $"{mount.MountPoint}{_parent} is still there");
    }

    [Fact]
    public void A_shared_parent_is_removed_only_when_no_cgroup_is_below_it()
    {
        // Another container's cgroup below the parent: it stays; once that is gone, the parent goes.
        var pids = _layout.V1.TryGetValue("pids", out var mount) ? mount.MountPoint : throw new PrerequisiteMissingException("no v1 pids hierarchy");
        var parent = pids + _parent + "-shared";
        var other = parent + "/other";
        Directory.CreateDirectory(other);
        _cleanup.Add(() =>
        {
            foreach (var directory in (string[])[other, parent])
                if (Directory.Exists(directory))
                    Directory.Delete(directory);
        });
        Assert.False(CgroupDirectory.TryRemoveEmpty(parent));
        Assert.True(Directory.Exists(other));
        Directory.Delete(other);
        Assert.True(CgroupDirectory.TryRemoveEmpty(parent));
        Assert.False(Directory.Exists(parent));
        Assert.True(CgroupDirectory.TryRemoveEmpty(parent));
    }
}
