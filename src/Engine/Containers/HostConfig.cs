using WebEngine.Engine.Networks;

namespace WebEngine.Engine.Containers;

/// <summary>The non-portable part of a container's configuration (Docker's <c>HostConfig</c>).</summary>
public sealed record HostConfig
{
    /// <summary>"source:destination[:options]" with options ro, rw, z, Z, nocopy and a propagation mode.</summary>
    public IReadOnlyList<string> Binds { get; init; } = [];
    public IReadOnlyList<MountSpec> Mounts { get; init; } = [];
    public bool AutoRemove { get; init; }
    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.No;

    public long Memory { get; init; }
    public long MemoryReservation { get; init; }

    /// <summary>Memory plus swap; -1 is unlimited swap, 0 means "twice Memory" as in Docker.</summary>
    public long MemorySwap { get; init; }

    /// <summary>0–100; null or -1 leaves the kernel's value.</summary>
    public long? MemorySwappiness { get; init; }
    public long NanoCpus { get; init; }
    public long CpuShares { get; init; }
    public long CpuQuota { get; init; }
    public long CpuPeriod { get; init; }
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }

    /// <summary>null leaves the default; 0 or negative means unlimited.</summary>
    public long? PidsLimit { get; init; }
    public IReadOnlyList<Ulimit> Ulimits { get; init; } = [];

    /// <summary>Capability names with or without the CAP_ prefix, in any case, or "ALL".</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public bool Privileged { get; init; }
    public bool ReadonlyRootfs { get; init; }

    /// <summary>Run an init process as PID 1 that forwards signals and reaps zombies.</summary>
    public bool? Init { get; init; }

    /// <summary>"no-new-privileges[:true|false]", "seccomp=unconfined", "seccomp=&lt;profile JSON&gt;", "apparmor=...", "label=...".</summary>
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];
    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = new Dictionary<string, string>();

    /// <summary>Size of /dev/shm in bytes; 0 means Docker's default of 64 MiB.</summary>
    public long ShmSize { get; init; }

    /// <summary>Container path to tmpfs mount options ("size=64m,mode=1777").</summary>
    public IReadOnlyDictionary<string, string> Tmpfs { get; init; } = new Dictionary<string, string>();

    /// <summary>"none", "host", "bridge", "container:&lt;id or name&gt;" or a network's name or id; empty means "bridge".</summary>
    public string NetworkMode { get; init; } = "";

    /// <summary>"80/tcp" (or "80", "53/udp") → where it is published on the host.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PortBinding>> PortBindings { get; init; } = new Dictionary<string, IReadOnlyList<PortBinding>>();

    /// <summary>docker run -P: every exposed port gets a random host port.</summary>
    public bool PublishAllPorts { get; init; }

    /// <summary>"hostname:ip" entries added to /etc/hosts.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];
    public IReadOnlyList<string> Dns { get; init; } = [];
    public IReadOnlyList<string> DnsSearch { get; init; } = [];
    public IReadOnlyList<string> DnsOptions { get; init; } = [];
    public int OomScoreAdj { get; init; }

    /// <summary>Group names or gids added to the process's supplementary groups.</summary>
    public IReadOnlyList<string> GroupAdd { get; init; } = [];
    public IReadOnlyList<DeviceMapping> Devices { get; init; } = [];

    /// <summary>Written into the bundle's config.json annotations, for the runtime and its hooks.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>"" (a private PID namespace), "host" or "container:&lt;id&gt;" (stored with the full id).</summary>
    public string PidMode { get; init; } = "";

    /// <summary>
    /// "private", "shareable" (its /dev/shm can be joined), "none" (no /dev/shm), "host" or "container:&lt;id&gt;";
    /// create stores Docker's default, "private", when none is asked for. "" is a container created before modes existed.
    /// </summary>
    public string IpcMode { get; init; } = "";

    /// <summary>"" (a private UTS namespace) or "host".</summary>
    public string UtsMode { get; init; } = "";

    /// <summary>"" or "host": the engine never remaps users, so both mean the host's user namespace.</summary>
    public string UsernsMode { get; init; } = "";

    /// <summary>"private" or "host"; create stores the daemon's default when none is asked for ("" from before modes existed).</summary>
    public string CgroupnsMode { get; init; } = "";

    /// <summary>Where the process's output is logged; the "none" driver keeps no log.</summary>
    public LogConfig LogConfig { get; init; } = LogConfig.JsonFile;

    /// <summary>"&lt;container&gt;[:ro|:rw]": containers whose volumes and binds this one mounts at the same places.</summary>
    public IReadOnlyList<string> VolumesFrom { get; init; } = [];

    public bool IsHostNetwork => NetworkMode == "host";

    /// <summary>PidMode "container:&lt;id or name&gt;": the container whose PID namespace this one joins, else null.</summary>
    public string? PidContainer => NamespaceModes.ContainerOf(PidMode);

    /// <summary>IpcMode "container:&lt;id or name&gt;": the container whose IPC namespace and /dev/shm this one joins, else null.</summary>
    public string? IpcContainer => NamespaceModes.ContainerOf(IpcMode);

    /// <summary>NetworkMode "container:&lt;id or name&gt;": the container whose network namespace this one shares, else null.</summary>
    public string? NetworkContainer => NamespaceModes.ContainerOf(NetworkMode);
}
