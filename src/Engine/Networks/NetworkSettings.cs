namespace WebEngine.Engine.Networks;

/// <summary>inspect's NetworkSettings of a container, with Docker's field names.</summary>
public sealed record NetworkSettings
{
    public string Bridge { get; init; } = "";
    public string SandboxID { get; init; } = "";

    /// <summary>The path of the container's network namespace (empty for the host's network or when not running).</summary>
    public string SandboxKey { get; init; } = "";

    /// <summary>"80/tcp" → its host bindings; null for a port that is exposed but not published.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PortBinding>?> Ports { get; init; } = new Dictionary<string, IReadOnlyList<PortBinding>?>();

    /// <summary>The container's address on the default bridge network (Docker's legacy top-level fields).</summary>
    public string EndpointID { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public int IPPrefixLen { get; init; }
    public string MacAddress { get; init; } = "";

    /// <summary>Network name → the container's endpoint on it.</summary>
    public IReadOnlyDictionary<string, EndpointSettings> Networks { get; init; } = new Dictionary<string, EndpointSettings>();
}

/// <summary>A container's endpoint on one network, as inspect shows it (empty addresses while the container is not running).</summary>
public sealed record EndpointSettings
{
    public EndpointIpamConfig? IPAMConfig { get; init; }
    public IReadOnlyList<string>? Links { get; init; }
    public IReadOnlyList<string>? Aliases { get; init; }
    public string MacAddress { get; init; } = "";
    public string NetworkID { get; init; } = "";
    public string EndpointID { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public int IPPrefixLen { get; init; }
    public string IPv6Gateway { get; init; } = "";
    public string GlobalIPv6Address { get; init; } = "";
    public int GlobalIPv6PrefixLen { get; init; }

    /// <summary>The names the container resolves by on this network: its name, aliases and short id.</summary>
    public IReadOnlyList<string>? DNSNames { get; init; }
}

/// <summary>The address a container asked for on a network.</summary>
public sealed record EndpointIpamConfig
{
    public string IPv4Address { get; init; } = "";
}

/// <summary>docker ps's Ports: one published (or only exposed) port.</summary>
public sealed record PortSummary
{
    public string? IP { get; init; }
    public int PrivatePort { get; init; }
    public int? PublicPort { get; init; }
    public string Type { get; init; } = "tcp";
}
