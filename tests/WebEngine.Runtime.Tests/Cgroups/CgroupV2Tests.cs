using WebEngine.Oci;
using WebEngine.Runtime.Cgroups;

namespace WebEngine.Runtime.Tests.Cgroups;

/// <summary>The cgroup2 manager against <see cref="FakeCgroup2"/>: which file gets which value.</summary>
public sealed class CgroupV2Tests : IDisposable
{
    private const string Cgroup = "/webengine-test/c1";
    private readonly FakeCgroup2 _fs = new();
    private readonly ICgroupManager _manager;

    public CgroupV2Tests()
    {
        _manager = CgroupManager.Create(Cgroup, "c1", CgroupLayout.ForUnified(_fs.MountPoint), "0::/\n");
    }

    public void Dispose() => _fs.Dispose();

    private void CreatePopulated(string controllers = FakeCgroup2.Controllers)
    {
        _manager.Create();
        _fs.Populate(Cgroup, controllers);
    }

    [Fact]
    public void Create_makes_each_level_and_delegates_the_roots_controllers()
    {
        _manager.Create();

        Assert.True(Directory.Exists(_fs.PathOf(Cgroup)));
        Assert.Equal(CgroupVersion.V2, _manager.Version);
        Assert.Equal(_fs.PathOf(Cgroup).TrimEnd('/'), _manager.Directories[""]);
        Assert.Equal("+cpuset +cpu +io +memory +hugetlb +pids +rdma", _fs.Read("", "cgroup.subtree_control"));
    }

    [Fact]
    public void Apply_converts_the_v1_shaped_spec_to_cgroup2_files()
    {
        CreatePopulated();

        _manager.Apply(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20, Reservation = 32 << 20, Swap = 96 << 20, Swappiness = 10, Kernel = 1 << 20, DisableOomKiller = true },
            Cpu = new LinuxCpu { Shares = 1024, Quota = 50000, Period = 100000, Burst = 1000, Cpus = "0-1", Mems = "0", Idle = 0 },
            Pids = new LinuxPids { Limit = 10 },
            BlockIo = new LinuxBlockIo
            {
                Weight = 500,
                ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 100 }],
            },
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 4 << 21 }],
            Rdma = new Dictionary<string, LinuxRdma> { ["mlx4_0"] = new LinuxRdma { HcaHandles = 3, HcaObjects = 100 } },
            Unified = new Dictionary<string, string> { ["memory.high"] = "50000000" },
        });

        Assert.Equal("67108864", _fs.Read(Cgroup, "memory.max"));
        Assert.Equal("33554432", _fs.Read(Cgroup, "memory.low"));
        Assert.Equal("33554432", _fs.Read(Cgroup, "memory.swap.max")); // swap alone = memory+swap - memory
        Assert.Equal("39", _fs.Read(Cgroup, "cpu.weight"));            // 1024 shares
        Assert.Equal("50000 100000", _fs.Read(Cgroup, "cpu.max"));
        Assert.Equal("1000", _fs.Read(Cgroup, "cpu.max.burst"));
        Assert.Equal("0", _fs.Read(Cgroup, "cpu.idle"));
        Assert.Equal("0-1", _fs.Read(Cgroup, "cpuset.cpus"));
        Assert.Equal("0", _fs.Read(Cgroup, "cpuset.mems"));
        Assert.Equal("10", _fs.Read(Cgroup, "pids.max"));
        Assert.Equal("default 4950", _fs.Read(Cgroup, "io.weight"));
        Assert.Equal("254:0 wiops=100", _fs.Read(Cgroup, "io.max"));
        Assert.Equal("8388608", _fs.Read(Cgroup, "hugetlb.2MB.max"));
        Assert.Equal("mlx4_0 hca_handle=3 hca_object=100", _fs.Read(Cgroup, "rdma.max"));
        Assert.Equal("50000000", _fs.Read(Cgroup, "memory.high"));
    }

    [Theory]
    [InlineData(-1L, null, "max", "max", "max")]
    [InlineData(100000L, null, "100000", "max", "")]
    [InlineData(null, 20000UL, "max 20000", "max", "")]
    public void Unlimited_values_become_max(long? quota, ulong? period, string cpuMax, string pidsMax, string swapMax)
    {
        CreatePopulated();

        _manager.Apply(new LinuxResources
        {
            Cpu = new LinuxCpu { Quota = quota, Period = period },
            Pids = new LinuxPids { Limit = -1 },
            Memory = quota == -1 ? new LinuxMemory { Limit = -1 } : null,
        });

        Assert.Equal(cpuMax, _fs.Read(Cgroup, "cpu.max"));
        Assert.Equal(pidsMax, _fs.Read(Cgroup, "pids.max"));
        Assert.Equal(swapMax, _fs.Read(Cgroup, "memory.swap.max"));
    }

    [Theory]
    [InlineData(2UL, 1UL)]
    [InlineData(262144UL, 10000UL)]
    [InlineData(512UL, 20UL)]
    public void Cpu_shares_map_to_weights_like_runc(ulong shares, ulong weight)
    {
        CreatePopulated();

        _manager.Apply(new LinuxResources { Cpu = new LinuxCpu { Shares = shares } });

        Assert.Equal(weight.ToString(), _fs.Read(Cgroup, "cpu.weight"));
    }

    [Fact]
    public void Zeros_that_dockerd_sends_for_unset_values_change_nothing()
    {
        CreatePopulated();
        string[] files = ["cpu.weight", "cpu.max", "io.weight", "pids.max", "memory.max"];
        var before = files.ToDictionary(f => f, f => File.Exists(_fs.PathOf(Cgroup, f)) ? _fs.Read(Cgroup, f) : null);

        _manager.Apply(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 0, Swap = 0 },
            Cpu = new LinuxCpu { Shares = 0, Quota = 0, Period = 0, RealtimePeriod = 0, RealtimeRuntime = 0 },
            Pids = new LinuxPids { Limit = 0 },
            BlockIo = new LinuxBlockIo { Weight = 0, LeafWeight = 0 },
        });

        foreach (var file in files)
            Assert.Equal(before[file], File.Exists(_fs.PathOf(Cgroup, file)) ? _fs.Read(Cgroup, file) : null);
    }

    [Fact]
    public void Settings_for_missing_or_v1_only_controllers_are_errors()
    {
        CreatePopulated(controllers: "memory");

        Assert.Contains("pids controller is not available", Assert.Throws<CgroupException>(
            () => _manager.Apply(new LinuxResources { Pids = new LinuxPids { Limit = 5 } })).Message);
        Assert.Contains("realtime", Assert.Throws<CgroupException>(
            () => _manager.Apply(new LinuxResources { Cpu = new LinuxCpu { RealtimeRuntime = 1000 } })).Message);
        Assert.Contains("net_cls", Assert.Throws<CgroupException>(
            () => _manager.Apply(new LinuxResources { Network = new LinuxNetwork { ClassId = 1 } })).Message);
        Assert.Contains("not a cgroup interface file", Assert.Throws<CgroupException>(
            () => _manager.Apply(new LinuxResources { Unified = new Dictionary<string, string> { ["../memory.max"] = "1" } })).Message);
        Assert.Contains("less than memory.limit", Assert.Throws<CgroupException>(
            () => _manager.Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 100, Swap = 50 } })).Message);
    }

    [Fact]
    public void CheckBeforeUpdate_refuses_a_limit_below_the_current_usage()
    {
        CreatePopulated();
        _fs.Write(Cgroup, "memory.current", "5000\n");
        _fs.Write(Cgroup, "memory.max", "max");

        var error = Assert.Throws<CgroupException>(() => _manager.Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 4096, CheckBeforeUpdate = true } }));
        _manager.Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 8192, CheckBeforeUpdate = true } });

        Assert.Contains("below the current usage 5000", error.Message);
        Assert.Equal("8192", _fs.Read(Cgroup, "memory.max"));
    }

    [Fact]
    public void A_write_the_kernel_refuses_names_the_file_the_value_and_the_errno()
    {
        CreatePopulated();
        File.Delete(_fs.PathOf(Cgroup, "memory.high"));

        var error = Assert.Throws<CgroupException>(
            () => _manager.Apply(new LinuxResources { Unified = new Dictionary<string, string> { ["memory.high"] = "12345" } }));

        Assert.Contains(_fs.PathOf(Cgroup, "memory.high"), error.Message);
        Assert.Contains("\"12345\"", error.Message);
        Assert.Equal(2, error.Errno);
        Assert.Contains("errno 2", error.Message);
    }

    [Fact]
    public void Freeze_and_thaw_write_cgroup_freeze_and_wait_for_cgroup_events()
    {
        CreatePopulated();
        _fs.Write(Cgroup, "cgroup.events", "populated 1\nfrozen 1\n");

        _manager.Freeze();

        Assert.Equal("1", _fs.Read(Cgroup, "cgroup.freeze"));
        Assert.True(_manager.IsFrozen());

        _fs.Write(Cgroup, "cgroup.events", "populated 1\nfrozen 0\n");
        _manager.Thaw();

        Assert.Equal("0", _fs.Read(Cgroup, "cgroup.freeze"));
        Assert.False(_manager.IsFrozen());
    }

    [Fact]
    public void Stats_and_pids_come_from_the_cgroup2_files()
    {
        CreatePopulated();
        _fs.Write(Cgroup, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n");
        _fs.Write(Cgroup, "memory.current", "4096000\n");
        _fs.Write(Cgroup, "memory.max", "max\n");
        _fs.Write(Cgroup, "memory.peak", "5000000\n");
        _fs.Write(Cgroup, "memory.stat", "anon 100\nfile 2048\nkernel 7\n");
        _fs.Write(Cgroup, "pids.current", "3\n");
        _fs.Write(Cgroup, "pids.max", "64\n");
        _fs.Write(Cgroup, "io.stat", "254:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n8:0 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n");
        _fs.Write(Cgroup, "cgroup.procs", "10\n11\n");
        Directory.CreateDirectory(_fs.PathOf(Cgroup + "/sub"));
        _fs.Write(Cgroup + "/sub", "cgroup.procs", "12\n");

        var stats = _manager.GetStats();

        Assert.Equal(new CgroupStats(1_500_000, 1_000_000, 500_000, 4_096_000, 0, 5_000_000, 2048, 3, 64, 101, 202), stats);
        Assert.Equal(new[] { 10, 11, 12 }, _manager.GetPids().Order());
    }

    [Fact]
    public void Remove_deletes_the_cgroup_and_the_parents_it_created_and_can_run_twice()
    {
        CreatePopulated();
        Directory.CreateDirectory(_fs.PathOf(Cgroup + "/child"));
        _fs.DeleteFiles("/webengine-test");

        _manager.Remove();
        _manager.Remove();

        Assert.False(Directory.Exists(_fs.PathOf("/webengine-test")));
        Assert.True(Directory.Exists(_fs.MountPoint));
    }

    [Fact]
    public void Remove_keeps_a_parent_that_another_container_still_uses()
    {
        CreatePopulated();
        Directory.CreateDirectory(_fs.PathOf("/webengine-test/other"));
        _fs.DeleteFiles(Cgroup);

        _manager.Remove();

        Assert.False(Directory.Exists(_fs.PathOf(Cgroup)));
        Assert.True(Directory.Exists(_fs.PathOf("/webengine-test/other")));
    }
}
