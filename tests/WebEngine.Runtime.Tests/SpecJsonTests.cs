using System.Text;
using System.Text.Json;
using WebEngine.Oci;
using WebEngine.Runtime.Init;
using WebEngine.Runtime.Lifecycle;
using WebEngine.Runtime.Spec;

namespace WebEngine.Runtime.Tests;

/// <summary>
/// The hand-written JSON of config.json, state.json, the init request and `state`: every field of every section
/// round-trips, the output is byte for byte what System.Text.Json's source-generated OCI context writes (the wire
/// format other tools read), and malformed or mistyped input fails with the path of the bad value.
/// </summary>
public sealed class SpecJsonTests
{
    [Fact]
    public void Every_section_reads_and_writes_as_the_generated_context_does()
    {
        var expected = JsonSerializer.Serialize(FullSpec(opaque: false), OciJsonContext.Default.RuntimeSpec);

        var read = SpecReader.Read(Encoding.UTF8.GetBytes(expected));

        Assert.Equal(expected, Encoding.UTF8.GetString(SpecWriter.ToUtf8(read, indented: true)));
    }

    [Fact]
    public void The_default_spec_is_written_as_the_generated_context_does()
    {
        var expected = JsonSerializer.Serialize(DefaultSpec.Create(), OciJsonContext.Default.RuntimeSpec);

        Assert.Equal(expected, Encoding.UTF8.GetString(SpecWriter.ToUtf8(DefaultSpec.Create(), indented: true)));
    }

    [Fact]
    public void Fields_read_into_the_model()
    {
        var spec = SpecReader.Read(SpecWriter.ToUtf8(FullSpec()));

        Assert.Equal(["/bin/sh", "-c", "echo \"hi\" <&>"], spec.Process!.Args);
        Assert.Equal(4294967295u, spec.Process.User.Uid);
        Assert.Equal([10u, 20u], spec.Process.User.AdditionalGids);
        Assert.Equal(-999, spec.Process.OomScoreAdj);
        Assert.Equal(ulong.MaxValue, spec.Process.Rlimits![0].Hard);
        Assert.Equal("tmpfs", spec.Mounts![1].Type);
        Assert.Equal(5, spec.Hooks!.Poststop![0].Timeout);
        Assert.Equal("ü", spec.Annotations!["unicode"]);
        Assert.Equal(-1, spec.Linux!.Resources!.Memory!.Swap);
        Assert.Equal((ushort)500, spec.Linux.Resources.BlockIo!.Weight);
        Assert.Equal(ulong.MaxValue, spec.Linux.Seccomp!.Syscalls![1].Args![0].ValueTwo);
        Assert.Equal("/proc/1/ns/net", spec.Linux.Namespaces!.Single(n => n.Type == "network").Path);
        Assert.Equal("""{"L3":[1,2]}""", Assert.IsType<JsonElement>(spec.Linux.IntelRdt!["schemata"]).GetRawText());
        Assert.Null(spec.Linux.IntelRdt["none"]);
        Assert.Equal(SpecWriter.ToUtf8(FullSpec()), SpecWriter.ToUtf8(spec));
    }

    [Fact]
    public void Unknown_fields_comments_and_nulls_are_accepted()
    {
        var json = """
            // written by hand
            {
              "ociVersion": "1.2.0", "x-vendor": {"deep": [1, {"a": null}]},
              "process": {"args": ["true"], "future": true, "user": {"uid": 1, "gid": 2, "other": "x"}, "consoleSize": null},
              "root": {"path": "rootfs", "readonly": true, "extra": []}, /* inline */
              "hooks": null, "annotations": null,
              "linux": {"namespaces": [{"type": "mount", "newField": 1}], "resources": {"memory": null, "pids": {"limit": null}},
                        "seccomp": null, "intelRdt": {"closID": null}}
            }
            """;

        var spec = SpecReader.Read(Encoding.UTF8.GetBytes(json));

        Assert.Equal(1u, spec.Process!.User.Uid);
        Assert.Equal("/", spec.Process.Cwd);
        Assert.True(spec.Root!.Readonly);
        Assert.Null(spec.Hooks);
        Assert.Null(spec.Linux!.Resources!.Memory);
        Assert.Null(spec.Linux.Resources.Pids!.Limit);
        Assert.Null(spec.Linux.IntelRdt!["closID"]);
        Assert.Equal("mount", spec.Linux.Namespaces![0].Type);
    }

    [Theory]
    [InlineData("""{"ociVersion": "1.2.0", """)]
    [InlineData("""{"ociVersion": "1.2.0",}""")]
    [InlineData("""{"ociVersion": "1.2.0"} {}""")]
    [InlineData("""{"ociVersion": '1.2.0'}""")]
    [InlineData("")]
    public void Malformed_json_is_rejected(string json)
    {
        Assert.ThrowsAny<JsonException>(() => SpecReader.Read(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("""[]""", "config.json: expected an object, found an array")]
    [InlineData("""{"ociVersion": 1}""", "ociVersion: expected a string, found a number")]
    [InlineData("""{"process": []}""", "process: expected an object, found an array")]
    [InlineData("""{"process": {"terminal": "yes"}}""", "process.terminal: expected true or false, found a string")]
    [InlineData("""{"process": {"user": {"uid": -1}}}""", "process.user.uid: expected an integer in 0..4294967295, found a number")]
    [InlineData("""{"process": {"user": {"additionalGids": [1, "2"]}}}""", "process.user.additionalGids[1]: expected an integer in 0..4294967295, found a string")]
    [InlineData("""{"process": {"args": "sh"}}""", "process.args: expected an array of strings, found a string")]
    [InlineData("""{"process": {"env": ["A=1", null]}}""", "process.env[1]: expected a string, found null")]
    [InlineData("""{"process": {"oomScoreAdj": 1.5}}""", "process.oomScoreAdj: expected an integer")]
    [InlineData("""{"process": {"rlimits": [{"type": "RLIMIT_NOFILE", "hard": "1024"}]}}""", "process.rlimits[0].hard: expected an integer in 0..18446744073709551615, found a string")]
    [InlineData("""{"process": {"capabilities": {"bounding": [1]}}}""", "process.capabilities.bounding[0]: expected a string, found a number")]
    [InlineData("""{"root": {"path": null}}""", "root.path: expected a string, found null")]
    [InlineData("""{"mounts": [{"destination": "/a"}, {"destination": "/b", "options": "ro"}]}""", "mounts[1].options: expected an array of strings, found a string")]
    [InlineData("""{"hooks": {"prestart": [{"path": "/x", "timeout": "5"}]}}""", "hooks.prestart[0].timeout: expected an integer")]
    [InlineData("""{"annotations": {"a": 1}}""", "annotations.a: expected a string, found a number")]
    [InlineData("""{"linux": {"namespaces": [{"type": null}]}}""", "linux.namespaces[0].type: expected a string, found null")]
    [InlineData("""{"linux": {"uidMappings": [{"containerID": 0, "hostID": 0, "size": -5}]}}""", "linux.uidMappings[0].size: expected an integer in 0..4294967295")]
    [InlineData("""{"linux": {"devices": [{"type": "c", "path": "/dev/x", "major": 1.5}]}}""", "linux.devices[0].major: expected an integer")]
    [InlineData("""{"linux": {"sysctl": {"net.ipv4.ip_forward": 1}}}""", "linux.sysctl.net.ipv4.ip_forward: expected a string, found a number")]
    [InlineData("""{"linux": {"resources": {"memory": {"limit": "1g"}}}}""", "linux.resources.memory.limit: expected an integer")]
    [InlineData("""{"linux": {"resources": {"cpu": {"shares": -2}}}}""", "linux.resources.cpu.shares: expected an integer in 0..18446744073709551615")]
    [InlineData("""{"linux": {"resources": {"blockIO": {"weight": 70000}}}}""", "linux.resources.blockIO.weight: expected an integer in 0..65535")]
    [InlineData("""{"linux": {"resources": {"devices": [{"allow": "no"}]}}}""", "linux.resources.devices[0].allow: expected true or false, found a string")]
    [InlineData("""{"linux": {"resources": {"unified": {"memory.max": 5}}}}""", "linux.resources.unified.memory.max: expected a string, found a number")]
    [InlineData("""{"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": null}]}}}""", "linux.seccomp.syscalls[0].names: expected an array of strings, found null")]
    [InlineData("""{"linux": {"seccomp": {"syscalls": [{"names": ["x"], "args": [{"index": -1}]}]}}}""", "linux.seccomp.syscalls[0].args[0].index: expected an integer in 0..4294967295")]
    [InlineData("""{"linux": {"timeOffsets": {"monotonic": {"secs": "1"}}}}""", "linux.timeOffsets.monotonic.secs: expected an integer")]
    public void Wrong_types_name_the_path_of_the_value(string json, string expected)
    {
        var e = Assert.ThrowsAny<JsonException>(() => SpecReader.Read(Encoding.UTF8.GetBytes(json)));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void An_exec_process_document_reads_alone()
    {
        var process = SpecReader.ReadProcessDocument("""{"args": ["ls"], "cwd": "/tmp", "env": ["A=1"], "user": {"uid": 3, "gid": 4}}"""u8);

        Assert.Equal(["ls"], process.Args);
        Assert.Equal("/tmp", process.Cwd);
        Assert.Equal(3u, process.User.Uid);
        Assert.Throws<JsonException>(() => SpecReader.ReadProcessDocument("""{"args": 1}"""u8));
    }

    [Fact]
    public void State_json_round_trips_with_its_spec()
    {
        var record = new ContainerRecord
        {
            Id = "abc",
            Bundle = "/b",
            Rootfs = "/b/rootfs",
            Pid = 42,
            PidStartTime = 123456789,
            Created = new DateTime(2026, 12, 7, 18, 0, 0, 123, DateTimeKind.Utc),
            CgroupPath = "/webengine/abc",
            Owner = "root",
            Spec = FullSpec(),
        };

        var bytes = ContainerRecordJson.ToUtf8(record);
        var read = ContainerRecordJson.Read(bytes);

        Assert.StartsWith("""{"id":"abc","bundle":"/b","rootfs":"/b/rootfs","pid":42,"pidStartTime":123456789,"created":"2026-12-07T18:00:00.123Z","cgroupPath":"/webengine/abc","owner":"root","spec":{"ociVersion":"1.2.0",""", Encoding.UTF8.GetString(bytes));
        Assert.Equal(record.Created, read.Created);
        Assert.Equal(DateTimeKind.Utc, read.Created.Kind);
        Assert.Equal((record.Id, record.Pid, record.PidStartTime, record.CgroupPath), (read.Id, read.Pid, read.PidStartTime, read.CgroupPath));
        Assert.Equal(bytes, ContainerRecordJson.ToUtf8(read));
        Assert.Throws<JsonException>(() => ContainerRecordJson.Read("""{"id":"abc","pid":"42"}"""u8));

        // The cgroup mounts kept since create, when there are some, follow the cgroup path.
        record.CgroupMounts = "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n";
        bytes = ContainerRecordJson.ToUtf8(record);
        Assert.Contains("""
            "cgroupPath":"/webengine/abc","cgroupMounts":"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n","owner":"root"
            """, Encoding.UTF8.GetString(bytes));
        Assert.Equal(record.CgroupMounts, ContainerRecordJson.Read(bytes).CgroupMounts);
    }

    [Fact]
    public void The_state_document_is_runcs_shape_as_the_generated_context_wrote_it()
    {
        var state = new ContainerState { Id = "abc", Status = "running", Pid = 7, Bundle = "/b", Annotations = new() { ["k"] = "v<" } };

        Assert.Equal(JsonSerializer.Serialize(state, OciJsonContext.Default.ContainerState), ContainerStatusProbe.StateJson(state));
        state.Annotations = null;
        Assert.Equal(JsonSerializer.Serialize(state, OciJsonContext.Default.ContainerState), ContainerStatusProbe.StateJson(state));
    }

    [Fact]
    public void The_init_request_round_trips_and_shares_the_init_process_with_the_spec()
    {
        var spec = FullSpec();
        var init = new InitRequest
        {
            Id = "abc", Bundle = "/b", Rootfs = "/b/rootfs", Spec = spec, Process = spec.Process!, ExecFifo = "/run/x/exec.fifo",
            PreserveFds = 2, NoPivot = true, UnshareCgroupNamespace = true, HookState = "{\"id\":\"abc\"}",
        };

        var read = InitRequestJson.Read(InitRequestJson.ToUtf8(init));

        Assert.Same(read.Spec.Process, read.Process);
        Assert.Equal((init.Id, init.ExecFifo, init.PreserveFds, init.NoPivot, init.UnshareCgroupNamespace, init.HookState),
            (read.Id, read.ExecFifo, read.PreserveFds, read.NoPivot, read.UnshareCgroupNamespace, read.HookState));
        Assert.Equal(SpecWriter.ToUtf8(spec), SpecWriter.ToUtf8(read.Spec));

        var exec = new InitRequest { Id = "abc", Spec = spec, Process = new Process { Args = ["ls"], Cwd = "/tmp" }, ContainerPid = 9, Detach = true };
        var readExec = InitRequestJson.Read(InitRequestJson.ToUtf8(exec));
        Assert.Equal(["ls"], readExec.Process.Args);
        Assert.Equal((9, true), (readExec.ContainerPid, readExec.Detach));
    }

    [Fact]
    public void List_and_features_documents_keep_their_shape()
    {
        var entry = new ContainerListEntry { OciVersion = "1.2.0", Id = "a", Pid = 1, Status = "running", Bundle = "/b", Rootfs = "/b/r", Created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Owner = "root" };
        Assert.Equal("""[{"ociVersion":"1.2.0","id":"a","pid":1,"status":"running","bundle":"/b","rootfs":"/b/r","created":"2026-01-02T03:04:05Z","owner":"root"}]""",
            Encoding.UTF8.GetString(ContainerList.ToJson([entry])));
        Assert.Equal(JsonSerializer.Serialize(RuntimeFeaturesDocument.Create(), OciFeaturesJsonContext.Default.RuntimeFeatures), RuntimeFeaturesDocument.Json());
    }

    /// <summary>
    /// A spec with every section and field set, with values at the edges of their types. The generated context
    /// cannot write linux.intelRdt and linux.memoryPolicy (objects of any JSON): <paramref name="opaque"/> leaves them out.
    /// </summary>
    private static RuntimeSpec FullSpec(bool opaque = true) => new()
    {
        OciVersion = "1.2.0",
        Process = new Process
        {
            Terminal = true,
            ConsoleSize = new ConsoleSize { Height = 24, Width = 80 },
            User = new User { Uid = uint.MaxValue, Gid = 0, Umask = 18, AdditionalGids = [10, 20], Username = "u" },
            Args = ["/bin/sh", "-c", "echo \"hi\" <&>"],
            CommandLine = "sh",
            Env = ["PATH=/bin", "X=ü"],
            Cwd = "/work",
            Capabilities = new Capabilities { Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Inheritable = [], Permitted = ["CAP_KILL"], Ambient = ["CAP_KILL"] },
            Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Hard = ulong.MaxValue, Soft = 1024 }],
            NoNewPrivileges = true,
            ApparmorProfile = "p",
            OomScoreAdj = -999,
            SelinuxLabel = "l",
            IoPriority = new IoPriority { Class = "IOPRIO_CLASS_RT", Priority = 1 },
            Scheduler = new Scheduler { Policy = "SCHED_OTHER", Nice = -5, Priority = 1, Flags = ["SCHED_FLAG_RESET_ON_FORK"], Runtime = 1, Deadline = 2, Period = 3 },
            ExecCpuAffinity = new ExecCpuAffinity { Initial = "0", Final = "0-1" },
        },
        Root = new Root { Path = "rootfs", Readonly = true },
        Hostname = "h",
        Domainname = "d",
        Mounts =
        [
            new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
            new Mount
            {
                Destination = "/tmp", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "size=1m"],
                UidMappings = [new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 }], GidMappings = [new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 }],
            },
        ],
        Hooks = new Oci.Hooks
        {
            Prestart = [new Hook { Path = "/a", Args = ["a"], Env = ["E=1"], Timeout = 1 }],
            CreateRuntime = [new Hook { Path = "/b" }],
            CreateContainer = [new Hook { Path = "/c" }],
            StartContainer = [new Hook { Path = "/d" }],
            Poststart = [new Hook { Path = "/e" }],
            Poststop = [new Hook { Path = "/f", Timeout = 5 }],
        },
        Annotations = new() { ["a"] = "b", ["unicode"] = "ü" },
        Linux = new Oci.Linux
        {
            Namespaces = [new LinuxNamespace { Type = "pid" }, new LinuxNamespace { Type = "network", Path = "/proc/1/ns/net" }],
            UidMappings = [new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }],
            GidMappings = [new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }],
            TimeOffsets = new() { ["monotonic"] = new TimeOffset { Secs = -1, Nanosecs = 5 } },
            Devices = [new LinuxDevice { Type = "c", Path = "/dev/fuse", Major = 10, Minor = 229, FileMode = 438, Uid = 0, Gid = 0 }],
            NetDevices = new() { ["eth1"] = new NetDevice { Name = "eth0" } },
            CgroupsPath = "/webengine/x",
            Resources = new LinuxResources
            {
                Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" }],
                Memory = new LinuxMemory { Limit = 1 << 30, Reservation = 1 << 20, Swap = -1, Kernel = 1, KernelTcp = 2, Swappiness = 60, DisableOomKiller = true, UseHierarchy = false, CheckBeforeUpdate = true },
                Cpu = new LinuxCpu { Shares = 1024, Quota = 50000, Burst = 1, Period = 100000, RealtimeRuntime = 1, RealtimePeriod = 2, Cpus = "0-1", Mems = "0", Idle = 0 },
                Pids = new LinuxPids { Limit = 100 },
                BlockIo = new LinuxBlockIo
                {
                    Weight = 500, LeafWeight = 300,
                    WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 100, LeafWeight = 50 }],
                    ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1 }],
                    ThrottleWriteBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 2 }],
                    ThrottleReadIopsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 3 }],
                    ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 4 }],
                },
                HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 0 }],
                Network = new LinuxNetwork { ClassId = 7, Priorities = [new LinuxInterfacePriority { Name = "eth0", Priority = 1 }] },
                Rdma = new() { ["mlx"] = new LinuxRdma { HcaHandles = 1, HcaObjects = 2 } },
                Unified = new() { ["memory.high"] = "max" },
            },
            RootfsPropagation = "rslave",
            Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 1, Architectures = ["SCMP_ARCH_X86_64"], Flags = ["SECCOMP_FILTER_FLAG_LOG"],
                ListenerPath = "/l", ListenerMetadata = "m",
                Syscalls =
                [
                    new LinuxSyscall { Names = ["read", "write"], Action = "SCMP_ACT_ALLOW" },
                    new LinuxSyscall { Names = ["personality"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 38, Args = [new LinuxSeccompArg { Index = 0, Value = 8, ValueTwo = ulong.MaxValue, Op = "SCMP_CMP_MASKED_EQ" }] },
                ],
            },
            Sysctl = new() { ["net.ipv4.ip_forward"] = "1" },
            MaskedPaths = ["/proc/kcore"],
            ReadonlyPaths = ["/proc/sys"],
            MountLabel = "m",
            Personality = new Personality { Domain = "LINUX32", Flags = [] },
            IntelRdt = !opaque ? null : new() { ["closID"] = JsonDocument.Parse("\"c\"").RootElement, ["schemata"] = JsonDocument.Parse("{\"L3\":[1,2]}").RootElement, ["none"] = null },
            MemoryPolicy = !opaque ? null : new() { ["mode"] = JsonDocument.Parse("\"MPOL_BIND\"").RootElement },
        },
    };
}
