using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Tests.Bundles;

public sealed class ContainerCreateValidatorTests
{
    private static readonly ContainerConfig Config = new() { Image = "busybox", Cmd = ["true"] };

    public static TheoryData<string, HostConfig> InvalidHostConfigs() => new()
    {
        { "Minimum memory limit allowed is 6MB", new HostConfig { Memory = 5 * 1024 * 1024 } },
        { "invalid memory limit -1", new HostConfig { Memory = -1 } },
        { "Minimum memoryswap limit should be larger than memory limit", new HostConfig { Memory = 64 << 20, MemorySwap = 32 << 20 } },
        { "You should always set the Memory limit when using Memoryswap limit", new HostConfig { MemorySwap = 64 << 20 } },
        { "Minimum memory reservation allowed is 6MB", new HostConfig { MemoryReservation = 1024 } },
        { "Minimum memory limit can not be less than memory reservation limit", new HostConfig { Memory = 64 << 20, MemoryReservation = 128 << 20 } },
        { "valid memory swappiness range is 0-100", new HostConfig { MemorySwappiness = 101 } },
        { "SHM size can not be less than 0", new HostConfig { ShmSize = -1 } },
        { "Nano CPUs and CPU Period cannot both be set", new HostConfig { NanoCpus = 500_000_000, CpuPeriod = 100_000 } },
        { "Nano CPUs and CPU Quota cannot both be set", new HostConfig { NanoCpus = 500_000_000, CpuQuota = 50_000 } },
        { "range of CPUs is from 0.01", new HostConfig { NanoCpus = (Environment.ProcessorCount + 1) * 1_000_000_000L } },
        { "CPU cfs period can not be less than 1ms", new HostConfig { CpuPeriod = 999 } },
        { "CPU cfs quota can not be less than 1ms", new HostConfig { CpuQuota = 999 } },
        { "Invalid value x for cpuset cpus", new HostConfig { CpusetCpus = "x" } },
        { "Requested CPUs are not available - requested 4095", new HostConfig { CpusetCpus = "4095" } },
        { "Requested memory nodes are not available - requested 1023", new HostConfig { CpusetMems = "1023" } },
        { "Invalid value 3-1 for cpuset mems", new HostConfig { CpusetMems = "3-1" } },
        { "Invalid value 0-99999999 for cpuset cpus", new HostConfig { CpusetCpus = "0-99999999" } },
        { "range for oom score adj is [-1000, 1000]", new HostConfig { OomScoreAdj = 1001 } },
        { "invalid ulimit type: bogus", new HostConfig { Ulimits = [new Ulimit("bogus", 1, 1)] } },
        { "invalid PID mode: shared", new HostConfig { PidMode = "shared" } },
        { "invalid PID mode: container:", new HostConfig { PidMode = "container:" } },
        { "invalid IPC mode: bogus", new HostConfig { IpcMode = "bogus" } },
        { "invalid UTS mode: private", new HostConfig { UtsMode = "private" } },
        { "invalid USER mode: private", new HostConfig { UsernsMode = "private" } },
        { "invalid cgroup namespace mode: shared", new HostConfig { CgroupnsMode = "shared" } },
        { "invalid mode for volumes-from: rx", new HostConfig { VolumesFrom = ["other:rx"] } },
        { "unknown log opt 'max-size' for none log driver", new HostConfig { LogConfig = new LogConfig("none", new Dictionary<string, string> { ["max-size"] = "1m" }) } },
        { "invalid max-size: lots", new HostConfig { LogConfig = new LogConfig("json-file", new Dictionary<string, string> { ["max-size"] = "lots" }) } },
        { "max-file cannot be less than 1", new HostConfig { LogConfig = new LogConfig("json-file", new Dictionary<string, string> { ["max-file"] = "0" }) } },
        { "logging driver \"syslog\" is not supported", new HostConfig { LogConfig = new LogConfig("syslog", new Dictionary<string, string>()) } },
        { "is not allowed with IPC mode host", new HostConfig { IpcMode = "host", Sysctls = new Dictionary<string, string> { ["kernel.shmmax"] = "1" } } },
        { "ulimit soft limit must be less than or equal to hard limit: 10 > 5", new HostConfig { Ulimits = [new Ulimit("nofile", 10, 5)] } },
        { "invalid restart policy: unknown policy 'sometimes'", new HostConfig { RestartPolicy = new RestartPolicy("sometimes") } },
        { "maximum retry count can only be used with 'on-failure'", new HostConfig { RestartPolicy = new RestartPolicy("always", 3) } },
        { "maximum retry count cannot be negative", new HostConfig { RestartPolicy = new RestartPolicy("on-failure", -1) } },
        { "can't create 'AutoRemove' container with restart policy", new HostConfig { AutoRemove = true, RestartPolicy = new RestartPolicy("always") } },
        { "invalid CapAdd: unknown capability: \"CAP_BOGUS\"", new HostConfig { CapAdd = ["bogus"] } },
        { "invalid CapDrop: unknown capability: \"CAP_NOPE\"", new HostConfig { CapDrop = ["CAP_NOPE"] } },
        { "invalid --security-opt 2: \"bogus=1\"", new HostConfig { SecurityOpt = ["bogus=1"] } },
        { "decoding seccomp profile failed", new HostConfig { SecurityOpt = ["seccomp={not json"] } },
        { "sysctl \"net.ipv4.ip_forward\" is not allowed in the host's network namespace", new HostConfig { NetworkMode = "host", Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" } } },
        { "sysctl \"vm.swappiness\" is not allowed", new HostConfig { Sysctls = new Dictionary<string, string> { ["vm.swappiness"] = "1" } } },
        { "invalid IP address in add-host: \"not-an-ip\"", new HostConfig { ExtraHosts = ["db:not-an-ip"] } },
        { "bad format for add-host: \"nocolon\"", new HostConfig { ExtraHosts = ["nocolon"] } },
        { "1.2.3 is not an ip address", new HostConfig { Dns = ["1.2.3"] } },
        { "invalid mount config for type \"bind\": bind source path does not exist: /does/not/exist", new HostConfig { Mounts = [new MountSpec { Type = MountType.Bind, Source = "/does/not/exist", Target = "/x" }] } },
        { "invalid mount config for type \"bind\": invalid mount path: 'relative' mount path must be absolute", new HostConfig { Mounts = [new MountSpec { Type = MountType.Bind, Source = "relative", Target = "/x" }] } },
        { "invalid mount config for type \"tmpfs\": invalid mount path: 'x' mount path must be absolute", new HostConfig { Tmpfs = new Dictionary<string, string> { ["x"] = "" } } },
        { "destination can't be '/'", new HostConfig { Binds = ["/tmp:/"] } },
        { "includes invalid characters for a local volume name", new HostConfig { Binds = ["./data:/data"] } },
        { "invalid mode: bogus", new HostConfig { Binds = ["/tmp:/data:bogus"] } },
        { "Duplicate mount point: /data", new HostConfig { Binds = ["/tmp:/data"], Tmpfs = new Dictionary<string, string> { ["/data"] = "" } } },
        { "invalid device mode: rx", new HostConfig { Devices = [new DeviceMapping("/dev/null", "/dev/null", "rx")] } },
    };

    [Theory]
    [MemberData(nameof(InvalidHostConfigs))]
    public void Invalid_host_configs_fail_with_Dockers_message(string message, HostConfig host)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => ContainerCreateValidator.Validate(Config, host));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Ports_cannot_be_published_from_another_containers_network()
    {
        // Which networks exist is the network service's question (NetworkModeTests); the validator checks the form.
        var error = Assert.Throws<InvalidArgumentException>(() => ContainerCreateValidator.Validate(Config, new HostConfig
        {
            NetworkMode = "container:web",
            PortBindings = new Dictionary<string, IReadOnlyList<WebEngine.Engine.Networks.PortBinding>> { ["80/tcp"] = [new()] },
        }));

        Assert.Equal("conflicting options: port publishing and the container type network mode", error.Message);
    }

    [Fact]
    public void A_hostname_cannot_be_set_in_the_hosts_uts_namespace()
    {
        var error = Assert.Throws<InvalidArgumentException>(() =>
            ContainerCreateValidator.Validate(Config with { Hostname = "web" }, new HostConfig { UtsMode = "host" }));

        Assert.Equal("conflicting options: hostname and the UTS mode", error.Message);
    }

    [Fact]
    public void Dockers_namespace_modes_are_valid()
    {
        foreach (var host in new[]
        {
            new HostConfig { PidMode = "host", IpcMode = "host", UtsMode = "host", UsernsMode = "host", CgroupnsMode = "host" },
            new HostConfig { PidMode = "container:web", IpcMode = "container:web", CgroupnsMode = "private", VolumesFrom = ["web", "db:ro", "cache:rw"] },
            new HostConfig { IpcMode = "shareable", LogConfig = new LogConfig("json-file", new Dictionary<string, string> { ["max-size"] = "1m" }) },
            new HostConfig { IpcMode = "none", LogConfig = new LogConfig("none", new Dictionary<string, string>()) },
        })
            ContainerCreateValidator.Validate(Config, host);
    }

    [Theory]
    [InlineData("hostname")]
    [InlineData("env")]
    [InlineData("signal")]
    [InlineData("health")]
    public void Invalid_container_configs_fail(string field)
    {
        var config = field switch
        {
            "hostname" => Config with { Hostname = new string('h', 65) },
            "env" => Config with { Env = ["=value"] },
            "signal" => Config with { StopSignal = "SIGBOGUS" },
            _ => Config with { Healthcheck = new HealthConfig { Interval = 10 } },
        };

        Assert.Throws<InvalidArgumentException>(() => ContainerCreateValidator.Validate(config, new HostConfig()));
    }

    [Fact]
    public void Dockers_usual_options_are_valid()
    {
        var host = new HostConfig
        {
            Memory = 64 << 20, MemorySwap = -1, MemorySwappiness = -1, NanoCpus = 500_000_000, PidsLimit = 0,
            CapAdd = ["net_admin", "CAP_SYS_PTRACE"], CapDrop = ["ALL"], SecurityOpt = ["no-new-privileges:true", "seccomp=unconfined", "label=disable"],
            Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1", ["kernel.shmmax"] = "1000", ["fs.mqueue.msg_max"] = "20" },
            RestartPolicy = new RestartPolicy("on-failure", 3), Ulimits = [new Ulimit("nofile", 1024, -1)],
            ExtraHosts = ["db:10.0.0.2", "v6:::1"], Dns = ["9.9.9.9"], Binds = ["/tmp:/data:ro,rslave", "named:/named:nocopy", "/anonymous"],
            Devices = [new DeviceMapping("/dev/null", "/dev/mynull", "rw")],
        };

        ContainerCreateValidator.Validate(Config with { StopSignal = "SIGRTMIN+3", Env = ["A=1", "UNSET"] }, host);
    }
}
