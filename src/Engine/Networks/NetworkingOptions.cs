namespace WebEngine.Engine.Networks;

/// <summary>
/// The kernel names and address space the engine's networks use (section WebEngine:Networking). Two engines on one
/// host (tests run many) must not share a device prefix, a firewall table or a pool.
/// </summary>
public sealed class NetworkingOptions
{
    /// <summary>Starts every device (bridges, host ends of veth pairs) and network namespace the engine makes: at most 6 of [a-z0-9].</summary>
    public string DevicePrefix { get; set; } = "we";

    /// <summary>The nftables table (family ip) that holds all the engine's rules: NAT of published ports, masquerading, isolation.</summary>
    public string FirewallTable { get; set; } = "webengine";

    /// <summary>The subnet of the default "bridge" network; empty takes the first free subnet of <see cref="AddressPool"/>.</summary>
    public string DefaultBridgeSubnet { get; set; } = "172.17.0.0/16";

    /// <summary>Where networks created without a subnet get theirs, in blocks of <see cref="PoolSubnetPrefixLength"/>.</summary>
    public string AddressPool { get; set; } = "172.18.0.0/16";

    public int PoolSubnetPrefixLength { get; set; } = 24;

    /// <summary>Host ports picked for -P and for bindings without a host port (the kernel's default ephemeral range).</summary>
    public int EphemeralPortFirst { get; set; } = 32768;

    public int EphemeralPortLast { get; set; } = 60999;

    /// <summary>Where iproute2 keeps named network namespaces (`ip netns`); the engine names its own &lt;prefix&gt;-&lt;container id&gt;.</summary>
    public const string NamespaceDirectory = "/run/netns";
}
