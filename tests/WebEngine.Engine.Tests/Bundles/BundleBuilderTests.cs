using System.Text.Json;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Security;
using WebEngine.Oci;

namespace WebEngine.Engine.Tests.Bundles;

/// <summary>The spec BundleBuilder writes, rule by rule, without running it.</summary>
public sealed partial class BundleBuilderTests : IDisposable
{
    private readonly BundleFixture _fixture = new();
    private readonly string _id = BundleFixture.NewContainerId();

    public void Dispose() => _fixture.Dispose();

    /// <param name="adjust">Sets what the engine adds to the request (namespaces to join, /dev/shm, inherited mounts).</param>
    private async Task<RuntimeSpec> SpecAsync(HostConfig? host = null, ContainerConfig? config = null, Func<BundleRequest, BundleRequest>? adjust = null)
    {
        var request = new BundleRequest(_id, config ?? BundleFixture.Shell("true"), host ?? new HostConfig(), _fixture.RootfsPath);
        var bundle = await _fixture.Builder().BuildAsync(adjust?.Invoke(request) ?? request, CancellationToken.None);
        // What is on disk is what a runtime reads: check that, not the object in memory.
        return JsonSerializer.Deserialize(await File.ReadAllTextAsync(bundle.ConfigPath), OciJsonContext.Default.RuntimeSpec)!;
    }

    private static Mount MountAt(RuntimeSpec spec, string destination) => spec.Mounts!.Single(m => m.Destination == destination);

    [Fact]
    public async Task Defaults_match_docker_run()
    {
        var spec = await SpecAsync();

        Assert.Equal(_id[..12], spec.Hostname);
        Assert.Equal(Path.GetFullPath(_fixture.RootfsPath), spec.Root!.Path);
        Assert.False(spec.Root.Readonly);
        Assert.Equal(["sh", "-c", "true"], spec.Process!.Args);
        Assert.Equal([ContainerDefaults.PathEnv, $"HOSTNAME={_id[..12]}"], spec.Process.Env);
        Assert.Equal("/", spec.Process.Cwd);
        Assert.Equal((0u, 0u), (spec.Process.User.Uid, spec.Process.User.Gid));
        Assert.Equal(CapabilitySet.Default, spec.Process.Capabilities!.Bounding);
        Assert.Equal(CapabilitySet.Default, spec.Process.Capabilities.Effective);
        Assert.Null(spec.Process.Capabilities.Inheritable);
        Assert.False(spec.Process.NoNewPrivileges);
        Assert.Null(spec.Process.ApparmorProfile);
        Assert.Equal(0, spec.Process.OomScoreAdj);
        var destinations = spec.Mounts!.Select(m => m.Destination).ToList();
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm"], destinations.Take(7));
        Assert.Equal(["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"], destinations.Skip(7).Order(StringComparer.Ordinal));
        Assert.Contains("size=67108864", MountAt(spec, "/dev/shm").Options!);
        Assert.Contains("ro", MountAt(spec, "/sys").Options!);
        Assert.Equal(Path.Combine(_fixture.Options.ContainersDirectory, _id, "hosts"), MountAt(spec, "/etc/hosts").Source);
        Assert.Equal(["rbind", "rprivate"], MountAt(spec, "/etc/resolv.conf").Options);
        var linux = spec.Linux!;
        Assert.Equal(["pid", "ipc", "uts", "mount", "network"], linux.Namespaces!.Select(n => n.Type).Where(t => t != "cgroup"));
        Assert.Equal($"{_fixture.CgroupParent}/{_id}", linux.CgroupsPath);
        Assert.Contains("/proc/kcore", linux.MaskedPaths!);
        Assert.Contains("/proc/interrupts", linux.MaskedPaths!);
        Assert.Contains("/sys/firmware", linux.MaskedPaths!);
        Assert.Equal(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], linux.ReadonlyPaths);
        Assert.Equal("SCMP_ACT_ERRNO", linux.Seccomp!.DefaultAction);
        Assert.Empty(linux.Devices!);
        var rules = linux.Resources!.Devices!;
        Assert.Equal((false, null, "rwm"), (rules[0].Allow, rules[0].Type, rules[0].Access));
        Assert.Contains(rules, r => r is { Allow: true, Type: "c", Major: 1, Minor: 3 });
        Assert.Contains(rules, r => r is { Allow: false, Type: "c", Major: 10, Minor: 229 });
        Assert.Null(linux.Resources.Memory);
        Assert.Null(linux.Resources.Cpu);
        Assert.Null(linux.Resources.Pids);
        Assert.Equal("0", linux.Sysctl!["net.ipv4.ip_unprivileged_port_start"]);
    }

    [Fact]
    public async Task The_network_files_are_written_beside_config_json()
    {
        var bundle = await _fixture.BuildAsync(_id, BundleFixture.Shell("true") with { Hostname = "api" }, new HostConfig { Dns = ["192.0.2.1"] });

        Assert.Equal("api\n", await File.ReadAllTextAsync(bundle.HostnamePath));
        Assert.StartsWith("127.0.0.1\tlocalhost\n", await File.ReadAllTextAsync(bundle.HostsPath));
        Assert.Contains("nameserver 192.0.2.1\n", await File.ReadAllTextAsync(bundle.ResolvConfPath));
        Assert.Equal(Path.Combine(_fixture.Options.ContainersDirectory, _id), bundle.Directory);
    }

    [Fact]
    public async Task Tty_adds_TERM_and_a_terminal()
    {
        var spec = await SpecAsync(config: BundleFixture.Shell("true") with { Tty = true, Env = ["HOSTNAME=custom", "PATH"] });

        Assert.True(spec.Process!.Terminal);
        Assert.Equal(["HOSTNAME=custom", "TERM=xterm"], spec.Process.Env);
    }

    [Fact]
    public async Task Resources_map_as_Docker_maps_them()
    {
        var host = new HostConfig
        {
            Memory = 128 << 20, MemoryReservation = 64 << 20, MemorySwappiness = 10, NanoCpus = 1_500_000_000,
            CpuShares = 256, CpusetCpus = "0", CpusetMems = "0", PidsLimit = -5,
        };

        var resources = (await SpecAsync(host)).Linux!.Resources!;

        Assert.Equal(128L << 20, resources.Memory!.Limit);
        Assert.Equal(64L << 20, resources.Memory.Reservation);
        if (_fixture.Options.SwapLimitSupported)
            Assert.Equal(256L << 20, resources.Memory.Swap);
        Assert.Equal(10UL, resources.Memory.Swappiness);
        Assert.Equal((150_000L, 100_000UL), (resources.Cpu!.Quota!.Value, resources.Cpu.Period!.Value));
        Assert.Equal(256UL, resources.Cpu.Shares);
        Assert.Equal(("0", "0"), (resources.Cpu.Cpus, resources.Cpu.Mems));
        Assert.Equal(-1, resources.Pids!.Limit);
    }

    [Fact]
    public async Task Explicit_cpu_quota_and_swap_pass_through()
    {
        var resources = (await SpecAsync(new HostConfig { Memory = 64 << 20, MemorySwap = -1, CpuQuota = 50_000, CpuPeriod = 200_000, PidsLimit = 20 })).Linux!.Resources!;

        Assert.Equal((50_000L, 200_000UL), (resources.Cpu!.Quota!.Value, resources.Cpu.Period!.Value));
        if (_fixture.Options.SwapLimitSupported)
            Assert.Equal(-1, resources.Memory!.Swap);
        Assert.Equal(20, resources.Pids!.Limit);
    }

    [Fact]
    public async Task Readonly_rootfs_makes_sys_and_network_files_read_only_but_not_kernel_filesystems()
    {
        var spec = await SpecAsync(new HostConfig { ReadonlyRootfs = true });

        Assert.True(spec.Root!.Readonly);
        Assert.Contains("ro", MountAt(spec, "/etc/hosts").Options!);
        Assert.Contains("ro", MountAt(spec, "/sys/fs/cgroup").Options!);
        Assert.DoesNotContain("ro", MountAt(spec, "/dev/shm").Options!);
        Assert.DoesNotContain("ro", MountAt(spec, "/proc").Options!);
    }

    [Fact]
    public async Task Privileged_drops_confinement_and_shows_host_devices()
    {
        var spec = await SpecAsync(new HostConfig { Privileged = true });

        Assert.Equal(CapabilitySet.Available, spec.Process!.Capabilities!.Effective);
        Assert.Null(spec.Linux!.Seccomp);
        Assert.Null(spec.Linux.MaskedPaths);
        Assert.Null(spec.Linux.ReadonlyPaths);
        Assert.DoesNotContain("ro", MountAt(spec, "/sys").Options!);
        Assert.DoesNotContain("ro", MountAt(spec, "/sys/fs/cgroup").Options!);
        Assert.Contains(spec.Linux.Devices!, d => d is { Path: "/dev/null", Type: "c", Major: 1, Minor: 3 });
        var rule = Assert.Single(spec.Linux.Resources!.Devices!);
        Assert.True(rule.Allow);
    }

    [Fact]
    public async Task Custom_devices_are_added_with_their_cgroup_permissions()
    {
        var spec = await SpecAsync(new HostConfig { Devices = [new DeviceMapping("/dev/null", "/dev/sink", "rw")] });

        var device = Assert.Single(spec.Linux!.Devices!);
        Assert.Equal(("c", "/dev/sink", 1L, 3L), (device.Type, device.Path, device.Major!.Value, device.Minor!.Value));
        Assert.Contains(spec.Linux.Resources!.Devices!, r => r is { Allow: true, Major: 1, Minor: 3, Access: "rw" });
    }

    [Fact]
    public async Task Host_network_shares_the_netns_keeps_uts_and_takes_the_hosts_name()
    {
        var spec = await SpecAsync(new HostConfig { NetworkMode = "host" });

        Assert.DoesNotContain(spec.Linux!.Namespaces!, n => n.Type == "network");
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "uts");
        Assert.Equal(Environment.MachineName, spec.Hostname);
        Assert.True(spec.Linux.Sysctl is null || !spec.Linux.Sysctl.ContainsKey("net.ipv4.ping_group_range"));
    }

    [Fact]
    public async Task Init_prefixes_the_command_and_mounts_the_binary()
    {
        _fixture.Options = _fixture.Options with { InitBinary = "/usr/bin/tini-static" };

        var spec = await SpecAsync(new HostConfig { Init = true });

        Assert.Equal(["/sbin/docker-init", "--", "sh", "-c", "true"], spec.Process!.Args);
        var init = MountAt(spec, "/sbin/docker-init");
        Assert.Equal(("/usr/bin/tini-static", "bind"), (init.Source, init.Type));
        Assert.Equal(["bind", "ro"], init.Options);
    }

    [Fact]
    public async Task Init_without_an_init_binary_is_an_error()
    {
        _fixture.Options = _fixture.Options with { InitBinary = null };

        await Assert.ThrowsAsync<InvalidArgumentException>(() => SpecAsync(new HostConfig { Init = true }));
    }

    [Fact]
    public async Task User_mounts_replace_defaults_and_are_ordered_parents_first()
    {
        var source = _fixture.Combine("src");
        Directory.CreateDirectory(source);
        var host = new HostConfig
        {
            Binds = [$"{source}:/data/logs:ro", $"{source}:/data"],
            Tmpfs = new Dictionary<string, string> { ["/dev/shm"] = "size=1m" },
            Mounts = [new MountSpec { Type = MountType.Bind, Source = source, Target = "/etc/hosts", BindPropagation = "rslave" }],
        };

        var spec = await SpecAsync(host);

        var destinations = spec.Mounts!.Select(m => m.Destination).ToList();
        Assert.True(destinations.IndexOf("/data") < destinations.IndexOf("/data/logs"));
        Assert.Equal(["rbind", "ro", "rprivate"], MountAt(spec, "/data/logs").Options);
        Assert.Equal(["rbind", "rslave"], MountAt(spec, "/etc/hosts").Options);
        Assert.Equal(source, MountAt(spec, "/etc/hosts").Source);
        Assert.Equal(["noexec", "nosuid", "nodev", "rprivate", "size=1m"], MountAt(spec, "/dev/shm").Options);
    }

    [Fact]
    public async Task Security_options_reach_the_spec()
    {
        var spec = await SpecAsync(new HostConfig
        {
            SecurityOpt = ["no-new-privileges", "seccomp=unconfined", "systempaths=unconfined"],
            OomScoreAdj = 500,
            Ulimits = [new Ulimit("nproc", 100, -1)],
            Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_unprivileged_port_start"] = "1024" },
            Annotations = new Dictionary<string, string> { ["org.example/team"] = "infra" },
        });

        Assert.True(spec.Process!.NoNewPrivileges);
        Assert.Equal(500, spec.Process.OomScoreAdj);
        var rlimit = Assert.Single(spec.Process.Rlimits!);
        Assert.Equal(("RLIMIT_NPROC", 100UL, ulong.MaxValue), (rlimit.Type, rlimit.Soft, rlimit.Hard));
        Assert.Null(spec.Linux!.Seccomp);
        Assert.Null(spec.Linux.MaskedPaths);
        Assert.Equal("1024", spec.Linux.Sysctl!["net.ipv4.ip_unprivileged_port_start"]);
        Assert.Equal("infra", spec.Annotations!["org.example/team"]);
    }

    [Fact]
    public async Task A_bad_configuration_fails_before_anything_is_written()
    {
        await Assert.ThrowsAsync<InvalidArgumentException>(() => SpecAsync(new HostConfig { Memory = 1 }));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => SpecAsync(config: BundleFixture.Shell("true") with { User = "ghost" }));

        Assert.False(Directory.Exists(Path.Combine(_fixture.Options.ContainersDirectory, _id)));
    }
}
