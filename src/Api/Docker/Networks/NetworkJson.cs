using WebEngine.Api.Docker.Containers;
using WebEngine.Engine.Networks;

namespace WebEngine.Api.Docker.Networks;

/// <summary>POST /networks/create's body (Docker's NetworkCreateRequest): only the fields this engine acts on are read.</summary>
public sealed class NetworkCreateJson
{
    public string? Name { get; set; }
    public string? Driver { get; set; }
    public string? Scope { get; set; }
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public bool Ingress { get; set; }
    public bool ConfigOnly { get; set; }
    public NetworkConfigFrom? ConfigFrom { get; set; }
    public bool? EnableIPv4 { get; set; }
    public bool? EnableIPv6 { get; set; }
    public NetworkIpamJson? IPAM { get; set; }
    public Dictionary<string, string>? Options { get; set; }
    public Dictionary<string, string>? Labels { get; set; }

    public NetworkCreateRequest ToEngine()
    {
        if (string.IsNullOrEmpty(Name))
            throw new Engine.InvalidArgumentException("network name cannot be empty");
        if (Ingress || ConfigOnly || ConfigFrom is { Network.Length: > 0 })
            throw new Engine.InvalidArgumentException("ingress, config-only and config-from networks are swarm features and are not supported");
        if (Scope is { Length: > 0 } and not "local")
            throw new Engine.InvalidArgumentException($"scope \"{Scope}\" is not supported: only local");
        if (EnableIPv4 == false)
            throw new Engine.InvalidArgumentException("networks without IPv4 are not supported");
        return new NetworkCreateRequest
        {
            Name = Name,
            Driver = string.IsNullOrEmpty(Driver) ? "bridge" : Driver,
            Internal = Internal,
            Attachable = Attachable,
            EnableIPv6 = EnableIPv6 == true,
            IpamDriver = string.IsNullOrEmpty(IPAM?.Driver) ? "default" : IPAM.Driver,
            IpamConfig = (IPAM?.Config ?? []).Select(c => new NetworkIpamConfig { Subnet = c.Subnet, Gateway = c.Gateway, IPRange = c.IPRange }).ToList(),
            Options = Options ?? [],
            Labels = Labels ?? [],
        };
    }
}

public sealed class NetworkIpamJson
{
    public string? Driver { get; set; }
    public List<NetworkIpamConfigJson>? Config { get; set; }
    public Dictionary<string, string>? Options { get; set; }
}

public sealed class NetworkIpamConfigJson
{
    public string? Subnet { get; set; }
    public string? IPRange { get; set; }
    public string? Gateway { get; set; }
    public Dictionary<string, string>? AuxiliaryAddresses { get; set; }
}

/// <summary>POST /networks/{id}/connect's body.</summary>
public sealed class NetworkConnectJson
{
    public string? Container { get; set; }
    public EndpointSettingsJson? EndpointConfig { get; set; }
}

/// <summary>POST /networks/{id}/disconnect's body.</summary>
public sealed class NetworkDisconnectJson
{
    public string? Container { get; set; }
    public bool Force { get; set; }
}

/// <summary>POST /networks/prune's answer.</summary>
public sealed record NetworkPruneResponseJson(IReadOnlyList<string> NetworksDeleted);
