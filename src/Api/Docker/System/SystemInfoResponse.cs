namespace WebEngine.Api.Docker;

/// <summary>The `SystemInfo` document of `GET /info`, with the fields the docker CLI formats.</summary>
public sealed record SystemInfoResponse
{
    public required string ID { get; init; }
    public int Containers { get; init; }
    public int ContainersRunning { get; init; }
    public int ContainersPaused { get; init; }
    public int ContainersStopped { get; init; }
    public int Images { get; init; }
    public string Driver { get; init; } = "overlay2";
    public required IReadOnlyList<IReadOnlyList<string>> DriverStatus { get; init; }
    public required string DockerRootDir { get; init; }
    public PluginsJson Plugins { get; init; } = new(["local"], ["bridge", "host", "null"], null, ["json-file"]);
    public bool MemoryLimit { get; init; }
    public bool SwapLimit { get; init; }
    public bool KernelMemoryTCP { get; init; }
    public bool CpuCfsPeriod { get; init; }
    public bool CpuCfsQuota { get; init; }
    public bool CPUShares { get; init; }
    public bool CPUSet { get; init; }
    public bool PidsLimit { get; init; }
    public bool OomKillDisable { get; init; }
    public bool IPv4Forwarding { get; init; }
    public bool BridgeNfIptables { get; init; }
    public bool BridgeNfIp6tables { get; init; }
    public bool Debug { get; init; }
    public int NFd { get; init; }
    public int NGoroutines { get; init; }
    public required string SystemTime { get; init; }
    public string LoggingDriver { get; init; } = "json-file";
    public string CgroupDriver { get; init; } = "cgroupfs";
    public required string CgroupVersion { get; init; }
    public int NEventsListener { get; init; }
    public required string KernelVersion { get; init; }
    public required string OperatingSystem { get; init; }
    public required string OSVersion { get; init; }
    public string OSType { get; init; } = "linux";
    public required string Architecture { get; init; }
    public string IndexServerAddress { get; init; } = "https://index.docker.io/v1/";
    public RegistryConfigJson RegistryConfig { get; init; } = new([], [], new Dictionary<string, object>(), []);
    public int NCPU { get; init; }
    public long MemTotal { get; init; }
    public IReadOnlyList<object> GenericResources { get; init; } = [];
    public required string HttpProxy { get; init; }
    public required string HttpsProxy { get; init; }
    public required string NoProxy { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public bool ExperimentalBuild { get; init; }
    public required string ServerVersion { get; init; }
    public required IReadOnlyDictionary<string, RuntimeJson> Runtimes { get; init; }
    public required string DefaultRuntime { get; init; }
    public SwarmJson Swarm { get; init; } = new();

    /// <summary>Containers outlive the daemon: each has its own shim, re-attached at start.</summary>
    public bool LiveRestoreEnabled { get; init; } = true;

    public string Isolation { get; init; } = "";
    public required string InitBinary { get; init; }
    public CommitJson ContainerdCommit { get; init; } = new("", "");
    public CommitJson RuncCommit { get; init; } = new("", "");
    public CommitJson InitCommit { get; init; } = new("", "");
    public IReadOnlyList<string> SecurityOptions { get; init; } = ["name=seccomp,profile=builtin"];
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

public sealed record PluginsJson(IReadOnlyList<string> Volume, IReadOnlyList<string> Network, IReadOnlyList<string>? Authorization, IReadOnlyList<string> Log);

public sealed record RegistryConfigJson(IReadOnlyList<string> InsecureRegistryCIDRs, IReadOnlyList<string> AllowNondistributableArtifactsCIDRs,
    IReadOnlyDictionary<string, object> IndexConfigs, IReadOnlyList<string> Mirrors);

public sealed record RuntimeJson(string path);

public sealed record CommitJson(string ID, string Expected);

/// <summary>Swarm is not supported: the CLI hides its commands when the state is inactive.</summary>
public sealed record SwarmJson
{
    public string NodeID { get; init; } = "";
    public string NodeAddr { get; init; } = "";
    public string LocalNodeState { get; init; } = "inactive";
    public bool ControlAvailable { get; init; }
    public string Error { get; init; } = "";
    public object? RemoteManagers { get; init; }
}
