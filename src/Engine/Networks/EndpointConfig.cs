namespace WebEngine.Engine.Networks;

/// <summary>How a container asks to join one network (Docker's EndpointSettings as sent by create and connect).</summary>
public sealed record EndpointConfig
{
    /// <summary>More names the container answers to on that network, besides its own name.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>A fixed IPv4 address in the network's subnet (IPAMConfig.IPv4Address); empty for the next free one.</summary>
    public string IPv4Address { get; init; } = "";

    /// <summary>A fixed MAC address (EndpointSettings.MacAddress, `docker run --mac-address`); empty for one derived from the IP address.</summary>
    public string MacAddress { get; init; } = "";
}
