namespace WebEngine.Data.Networks;

/// <summary>
/// A container connected to a network. The row lives as long as the connection; the address, MAC and devices are set
/// while the container runs and cleared when it stops.
/// </summary>
public sealed class NetworkEndpointRecord
{
    public required string NetworkId { get; set; }
    public required string ContainerId { get; set; }

    /// <summary>64 hex digits, new at each start.</summary>
    public string EndpointId { get; set; } = "";

    /// <summary>The container's name, for name resolution and network inspect.</summary>
    public required string ContainerName { get; set; }

    /// <summary>The container's hostname, which its own address is listed under in its /etc/hosts.</summary>
    public string Hostname { get; set; } = "";
    public string AliasesJson { get; set; } = "[]";

    /// <summary>The address the container asked for; empty for any free one.</summary>
    public string RequestedAddress { get; set; } = "";

    /// <summary>The MAC address the container asked for (lower case, colons); empty for one derived from the address.</summary>
    public string RequestedMacAddress { get; set; } = "";
    public string Address { get; set; } = "";
    public string MacAddress { get; set; } = "";

    /// <summary>eth0, eth1... inside the container's namespace.</summary>
    public string Interface { get; set; } = "";

    /// <summary>The host end of the veth pair.</summary>
    public string HostDevice { get; set; } = "";

    /// <summary>Order of connection: the first endpoint carries the default route and the published ports.</summary>
    public long Position { get; set; }
}
