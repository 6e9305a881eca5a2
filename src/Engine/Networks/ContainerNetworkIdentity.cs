namespace WebEngine.Engine.Networks;

/// <summary>What the network service needs to know of a container: its id, its name and the hostname it lists itself under.</summary>
public sealed record ContainerNetworkIdentity(string ContainerId, string Name, string Hostname);
