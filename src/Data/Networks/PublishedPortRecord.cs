namespace WebEngine.Data.Networks;

/// <summary>A port of a running container published on the host (the host port resolved when it was random).</summary>
public sealed class PublishedPortRecord
{
    public long Id { get; set; }
    public required string ContainerId { get; set; }

    /// <summary>"tcp", "udp" or "sctp".</summary>
    public required string Protocol { get; set; }
    public int ContainerPort { get; set; }

    /// <summary>An IPv4 address of the host, or empty for all of them.</summary>
    public string HostIp { get; set; } = "";
    public int HostPort { get; set; }
}
