using System.Net;
using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Bundles;

/// <summary>What a bundle is built from.</summary>
/// <param name="ContainerId">64 hex digits; the first 12 are the default hostname.</param>
/// <param name="Config">The container's configuration, already merged with its image's (<see cref="ContainerConfigMerge"/>).</param>
/// <param name="Host">The container's host configuration.</param>
/// <param name="RootfsPath">The container's root filesystem, already mounted.</param>
public sealed record BundleRequest(string ContainerId, ContainerConfig Config, HostConfig Host, string RootfsPath)
{
    /// <summary>The container's own addresses on its network, listed in /etc/hosts under its hostname.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    /// <summary>
    /// The network namespace the container joins (made by the network service, or another container's); null makes
    /// the runtime create an empty one. Ignored on the host's network.
    /// </summary>
    public string? NetworkNamespacePath { get; init; }
}
