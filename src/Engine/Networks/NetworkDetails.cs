namespace WebEngine.Engine.Networks;

/// <summary>docker network inspect (Docker's Network object, with its field names).</summary>
public sealed record NetworkDetails
{
    public required string Name { get; init; }
    public required string Id { get; init; }
    public required DateTime Created { get; init; }
    public string Scope { get; init; } = "local";
    public required string Driver { get; init; }
    public bool EnableIPv4 { get; init; } = true;
    public bool EnableIPv6 { get; init; }
    public required NetworkIpam IPAM { get; init; }
    public bool Internal { get; init; }
    public bool Attachable { get; init; }
    public bool Ingress { get; init; }
    public NetworkConfigFrom ConfigFrom { get; init; } = new();
    public bool ConfigOnly { get; init; }

    /// <summary>Container id → its endpoint, for the running containers on the network (as in Docker).</summary>
    public required IReadOnlyDictionary<string, NetworkContainer> Containers { get; init; }
    public required IReadOnlyDictionary<string, string> Options { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
}

public sealed record NetworkIpam
{
    public string Driver { get; init; } = "default";
    public IReadOnlyDictionary<string, string>? Options { get; init; }
    public required IReadOnlyList<NetworkIpamConfig> Config { get; init; }
}

public sealed record NetworkIpamConfig
{
    public string? Subnet { get; init; }
    public string? IPRange { get; init; }
    public string? Gateway { get; init; }
}

public sealed record NetworkConfigFrom
{
    public string Network { get; init; } = "";
}

/// <summary>A container on a network, as network inspect lists it (addresses empty while it is not running).</summary>
public sealed record NetworkContainer
{
    public required string Name { get; init; }
    public string EndpointID { get; init; } = "";
    public string MacAddress { get; init; } = "";

    /// <summary>CIDR form: 172.18.0.2/24.</summary>
    public string IPv4Address { get; init; } = "";
    public string IPv6Address { get; init; } = "";
}

/// <summary>docker network create.</summary>
public sealed record NetworkCreateRequest
{
    public required string Name { get; init; }

    /// <summary>Only "bridge" (the default) can be created.</summary>
    public string Driver { get; init; } = "bridge";
    public bool Internal { get; init; }
    public bool Attachable { get; init; }
    public bool EnableIPv6 { get; init; }

    /// <summary>At most one IPv4 subnet, with an optional gateway.</summary>
    public IReadOnlyList<NetworkIpamConfig> IpamConfig { get; init; } = [];
    public string IpamDriver { get; init; } = "default";
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>docker network create's answer.</summary>
public sealed record NetworkCreateResult(string Id, string Warning);
