namespace WebEngine.Engine.Networks;

/// <summary>
/// One host side of a published port (Docker's PortBinding): an empty <see cref="HostIp"/> means every address of the
/// host, an empty <see cref="HostPort"/> a port the engine picks.
/// </summary>
public sealed record PortBinding
{
    public string HostIp { get; init; } = "";
    public string HostPort { get; init; } = "";
}
