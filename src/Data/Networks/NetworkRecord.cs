namespace WebEngine.Data.Networks;

/// <summary>A network: a Linux bridge with an IPv4 subnet (driver "bridge"), or the predefined "host" and "none".</summary>
public sealed class NetworkRecord
{
    /// <summary>64 hex digits.</summary>
    public required string Id { get; set; }
    public required string Name { get; set; }

    /// <summary>"bridge", "host" or "null" (the network named "none").</summary>
    public required string Driver { get; set; }

    /// <summary>The bridge device; empty for host and none.</summary>
    public string Bridge { get; set; } = "";

    /// <summary>CIDR, e.g. 172.18.0.0/24; empty for host and none.</summary>
    public string Subnet { get; set; } = "";
    public string Gateway { get; set; } = "";

    /// <summary>No masquerading and no route out: containers reach only each other.</summary>
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public string LabelsJson { get; set; } = "{}";
    public string OptionsJson { get; set; } = "{}";

    /// <summary>The subnet was given by the user (shown as IPAM config) rather than taken from the pool.</summary>
    public bool SubnetGiven { get; set; }
    public DateTime CreatedUtc { get; set; }
}
