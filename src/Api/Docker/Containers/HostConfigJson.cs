using WebEngine.Engine;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Networks;

namespace WebEngine.Api.Docker.Containers;

/// <summary>
/// Docker's `HostConfig` as it travels over the API (create's body, inspect's HostConfig). <see cref="ToEngine"/>
/// refuses, with a 400, the options this engine does not implement when they ask for something other than the
/// default, rather than ignoring them.
/// </summary>
public sealed class HostConfigJson
{
    public List<string>? Binds { get; set; }
    public string? ContainerIDFile { get; set; }
    public LogConfigJson? LogConfig { get; set; }
    public string? NetworkMode { get; set; }
    public Dictionary<string, List<PortBindingJson>?>? PortBindings { get; set; }
    public RestartPolicyJson? RestartPolicy { get; set; }
    public bool AutoRemove { get; set; }
    public string? VolumeDriver { get; set; }
    public List<string>? VolumesFrom { get; set; }
    public List<int>? ConsoleSize { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public List<string>? CapAdd { get; set; }
    public List<string>? CapDrop { get; set; }
    public string? CgroupnsMode { get; set; }
    public List<string>? Dns { get; set; }
    public List<string>? DnsOptions { get; set; }
    public List<string>? DnsSearch { get; set; }
    public List<string>? ExtraHosts { get; set; }
    public List<string>? GroupAdd { get; set; }
    public string? IpcMode { get; set; }
    public string? Cgroup { get; set; }
    public List<string>? Links { get; set; }
    public int OomScoreAdj { get; set; }
    public string? PidMode { get; set; }
    public bool Privileged { get; set; }
    public bool PublishAllPorts { get; set; }
    public bool ReadonlyRootfs { get; set; }
    public List<string>? SecurityOpt { get; set; }
    public Dictionary<string, string>? StorageOpt { get; set; }
    public Dictionary<string, string>? Tmpfs { get; set; }
    public string? UTSMode { get; set; }
    public string? UsernsMode { get; set; }
    public long ShmSize { get; set; }
    public Dictionary<string, string>? Sysctls { get; set; }
    public string? Runtime { get; set; }
    public string? Isolation { get; set; }
    public long CpuShares { get; set; }
    public long Memory { get; set; }
    public long NanoCpus { get; set; }
    public string? CgroupParent { get; set; }
    public int BlkioWeight { get; set; }
    public List<object>? BlkioWeightDevice { get; set; }
    public List<object>? BlkioDeviceReadBps { get; set; }
    public List<object>? BlkioDeviceWriteBps { get; set; }
    public List<object>? BlkioDeviceReadIOps { get; set; }
    public List<object>? BlkioDeviceWriteIOps { get; set; }
    public long CpuPeriod { get; set; }
    public long CpuQuota { get; set; }
    public long CpuRealtimePeriod { get; set; }
    public long CpuRealtimeRuntime { get; set; }
    public string? CpusetCpus { get; set; }
    public string? CpusetMems { get; set; }
    public List<DeviceMappingJson>? Devices { get; set; }
    public List<string>? DeviceCgroupRules { get; set; }
    public List<object>? DeviceRequests { get; set; }
    public long MemoryReservation { get; set; }
    public long MemorySwap { get; set; }
    public long? MemorySwappiness { get; set; }
    public bool? OomKillDisable { get; set; }
    public bool? Init { get; set; }
    public long? PidsLimit { get; set; }
    public List<UlimitJson>? Ulimits { get; set; }
    public long CpuCount { get; set; }
    public long CpuPercent { get; set; }
    public long IOMaximumIOps { get; set; }
    public long IOMaximumBandwidth { get; set; }
    public List<MountJson>? Mounts { get; set; }
    public List<string>? MaskedPaths { get; set; }
    public List<string>? ReadonlyPaths { get; set; }

    /// <summary>The engine's host configuration, or an invalid-argument error for what this engine cannot do.</summary>
    public HostConfig ToEngine()
    {
        RefuseUnsupported();
        return new HostConfig
        {
            Binds = Binds ?? [],
            Mounts = (Mounts ?? []).Select(m => m.ToEngine()).ToList(),
            AutoRemove = AutoRemove,
            RestartPolicy = RestartPolicy?.ToEngine() ?? Engine.Containers.RestartPolicy.No,
            Memory = Memory,
            MemoryReservation = MemoryReservation,
            MemorySwap = MemorySwap,
            MemorySwappiness = MemorySwappiness,
            NanoCpus = NanoCpus,
            CpuShares = CpuShares,
            CpuQuota = CpuQuota,
            CpuPeriod = CpuPeriod,
            CpusetCpus = ContainerConfigJson.NullIfEmpty(CpusetCpus),
            CpusetMems = ContainerConfigJson.NullIfEmpty(CpusetMems),
            // The CLI sends 0 when --pids-limit is not given: that is "not set", as in Moby.
            PidsLimit = PidsLimit is 0 ? null : PidsLimit,
            Ulimits = (Ulimits ?? []).Select(u => new Ulimit(u.Name ?? "", u.Soft, u.Hard)).ToList(),
            CapAdd = CapAdd ?? [],
            CapDrop = CapDrop ?? [],
            Privileged = Privileged,
            ReadonlyRootfs = ReadonlyRootfs,
            Init = Init,
            SecurityOpt = SecurityOpt ?? [],
            Sysctls = Sysctls ?? new Dictionary<string, string>(),
            ShmSize = ShmSize,
            Tmpfs = Tmpfs ?? new Dictionary<string, string>(),
            NetworkMode = NetworkMode ?? "",
            PortBindings = (PortBindings ?? []).ToDictionary(p => p.Key, p => (IReadOnlyList<PortBinding>)(p.Value ?? [])
                .Select(b => new PortBinding { HostIp = b.HostIp ?? "", HostPort = b.HostPort ?? "" }).ToList()),
            PublishAllPorts = PublishAllPorts,
            ExtraHosts = ExtraHosts ?? [],
            Dns = Dns ?? [],
            DnsSearch = DnsSearch ?? [],
            DnsOptions = DnsOptions ?? [],
            OomScoreAdj = OomScoreAdj,
            GroupAdd = GroupAdd ?? [],
            Devices = (Devices ?? []).Select(d => new DeviceMapping(d.PathOnHost ?? "", string.IsNullOrEmpty(d.PathInContainer) ? d.PathOnHost ?? "" : d.PathInContainer,
                string.IsNullOrEmpty(d.CgroupPermissions) ? "rwm" : d.CgroupPermissions)).ToList(),
            Annotations = Annotations ?? new Dictionary<string, string>(),
            PidMode = PidMode ?? "",
            IpcMode = IpcMode ?? "",
            UtsMode = UTSMode ?? "",
            UsernsMode = UsernsMode ?? "",
            CgroupnsMode = CgroupnsMode ?? "",
            LogConfig = Engine.Containers.LogConfig.Create(LogConfig?.Type, LogConfig?.Config),
            VolumesFrom = VolumesFrom ?? [],
        };
    }

    /// <summary>inspect's HostConfig.</summary>
    public static HostConfigJson From(HostConfig host, string runtime) => new()
    {
        Binds = host.Binds.Count > 0 ? host.Binds.ToList() : null,
        ContainerIDFile = "",
        LogConfig = new LogConfigJson { Type = host.LogConfig.Type, Config = new Dictionary<string, string>(host.LogConfig.Config) },
        NetworkMode = host.NetworkMode is { Length: > 0 } mode and not "default" ? mode : "bridge",
        PortBindings = host.PortBindings.ToDictionary(p => p.Key, p => (List<PortBindingJson>?)p.Value
            .Select(b => new PortBindingJson { HostIp = b.HostIp, HostPort = b.HostPort }).ToList()),
        PublishAllPorts = host.PublishAllPorts,
        RestartPolicy = new RestartPolicyJson { Name = host.RestartPolicy.IsNone ? "no" : host.RestartPolicy.Name, MaximumRetryCount = host.RestartPolicy.MaximumRetryCount },
        AutoRemove = host.AutoRemove,
        VolumeDriver = "",
        VolumesFrom = host.VolumesFrom.Count > 0 ? host.VolumesFrom.ToList() : null,
        ConsoleSize = [0, 0],
        Annotations = host.Annotations.Count > 0 ? new Dictionary<string, string>(host.Annotations) : null,
        CapAdd = host.CapAdd.Count > 0 ? host.CapAdd.ToList() : null,
        CapDrop = host.CapDrop.Count > 0 ? host.CapDrop.ToList() : null,
        CgroupnsMode = host.CgroupnsMode,
        Dns = host.Dns.ToList(),
        DnsOptions = host.DnsOptions.ToList(),
        DnsSearch = host.DnsSearch.ToList(),
        ExtraHosts = host.ExtraHosts.Count > 0 ? host.ExtraHosts.ToList() : null,
        GroupAdd = host.GroupAdd.Count > 0 ? host.GroupAdd.ToList() : null,
        IpcMode = host.IpcMode,
        Cgroup = "",
        OomScoreAdj = host.OomScoreAdj,
        PidMode = host.PidMode,
        Privileged = host.Privileged,
        ReadonlyRootfs = host.ReadonlyRootfs,
        SecurityOpt = host.SecurityOpt.Count > 0 ? host.SecurityOpt.ToList() : null,
        Tmpfs = host.Tmpfs.Count > 0 ? new Dictionary<string, string>(host.Tmpfs) : null,
        UTSMode = host.UtsMode,
        UsernsMode = host.UsernsMode,
        ShmSize = host.ShmSize > 0 ? host.ShmSize : 64 * 1024 * 1024,
        Sysctls = host.Sysctls.Count > 0 ? new Dictionary<string, string>(host.Sysctls) : null,
        Runtime = runtime,
        Isolation = "",
        CpuShares = host.CpuShares,
        Memory = host.Memory,
        NanoCpus = host.NanoCpus,
        CgroupParent = "",
        CpuPeriod = host.CpuPeriod,
        CpuQuota = host.CpuQuota,
        CpusetCpus = host.CpusetCpus ?? "",
        CpusetMems = host.CpusetMems ?? "",
        Devices = host.Devices.Select(d => new DeviceMappingJson { PathOnHost = d.PathOnHost, PathInContainer = d.PathInContainer, CgroupPermissions = d.CgroupPermissions }).ToList(),
        MemoryReservation = host.MemoryReservation,
        MemorySwap = host.MemorySwap,
        MemorySwappiness = host.MemorySwappiness,
        OomKillDisable = false,
        Init = host.Init,
        PidsLimit = host.PidsLimit,
        Ulimits = host.Ulimits.Select(u => new UlimitJson { Name = u.Name, Soft = u.Soft, Hard = u.Hard }).ToList(),
        Mounts = host.Mounts.Count > 0 ? host.Mounts.Select(MountJson.From).ToList() : null,
    };

    private void RefuseUnsupported()
    {
        Refuse(VolumeDriver is { Length: > 0 } and not "local", $"volume driver \"{VolumeDriver}\" is not supported: only local");
        Refuse(Links is { Count: > 0 }, "legacy container links are not supported");
        Refuse(Cgroup is { Length: > 0 }, "joining another container's cgroup is not supported");
        Refuse(CgroupParent is { Length: > 0 }, "a per-container cgroup parent is not supported: the daemon's CgroupParent applies");
        Refuse(Isolation is { Length: > 0 } and not "default", $"invalid isolation \"{Isolation}\" on linux");
        Refuse(StorageOpt is { Count: > 0 }, "storage options are not supported");
        Refuse(BlkioWeight != 0 || BlkioWeightDevice is { Count: > 0 } || BlkioDeviceReadBps is { Count: > 0 } || BlkioDeviceWriteBps is { Count: > 0 }
               || BlkioDeviceReadIOps is { Count: > 0 } || BlkioDeviceWriteIOps is { Count: > 0 }, "block I/O limits are not supported");
        Refuse(CpuRealtimePeriod != 0 || CpuRealtimeRuntime != 0, "real-time CPU limits are not supported");
        Refuse(DeviceCgroupRules is { Count: > 0 }, "device cgroup rules are not supported");
        Refuse(DeviceRequests is { Count: > 0 }, "device requests (--gpus) are not supported");
        Refuse(OomKillDisable == true, "disabling the OOM killer is not supported");
        Refuse(CpuCount != 0 || CpuPercent != 0 || IOMaximumIOps != 0 || IOMaximumBandwidth != 0, "CpuCount, CpuPercent and IOMaximum* are Windows options");
        Refuse(MaskedPaths is not null || ReadonlyPaths is not null, "custom masked or read-only paths are not supported");
    }

    private static void Refuse(bool condition, string message)
    {
        if (condition)
            throw new InvalidArgumentException(message);
    }
}

public sealed class LogConfigJson
{
    public string? Type { get; set; }
    public Dictionary<string, string>? Config { get; set; }
}

public sealed class PortBindingJson
{
    public string? HostIp { get; set; }
    public string? HostPort { get; set; }
}

public sealed class RestartPolicyJson
{
    public string? Name { get; set; }
    public int MaximumRetryCount { get; set; }

    public RestartPolicy ToEngine()
    {
        var name = Name ?? "";
        if (name is not ("" or "no") && !RestartPolicy.KnownNames.Contains(name))
            throw new InvalidArgumentException($"invalid restart policy: unknown policy '{name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        if (MaximumRetryCount < 0)
            throw new InvalidArgumentException("invalid restart policy: maximum retry count cannot be negative");
        if (MaximumRetryCount > 0 && name != "on-failure")
            throw new InvalidArgumentException($"invalid restart policy: maximum retry count can only be used with 'on-failure'");
        return new RestartPolicy(name is "" ? "no" : name, MaximumRetryCount);
    }
}

public sealed class DeviceMappingJson
{
    public string? PathOnHost { get; set; }
    public string? PathInContainer { get; set; }
    public string? CgroupPermissions { get; set; }
}

public sealed class UlimitJson
{
    public string? Name { get; set; }
    public long Soft { get; set; }
    public long Hard { get; set; }
}
