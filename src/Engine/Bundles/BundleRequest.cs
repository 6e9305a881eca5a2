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

    /// <summary>
    /// The PID namespace to join (PidMode container:): the other container's /proc/&lt;pid&gt;/ns/pid; null at create when
    /// that container is not running, since each start writes the current one into config.json.
    /// </summary>
    public string? PidNamespacePath { get; init; }

    /// <summary>The IPC namespace to join (IpcMode container:): the other container's /proc/&lt;pid&gt;/ns/ipc; null as <see cref="PidNamespacePath"/>.</summary>
    public string? IpcNamespacePath { get; init; }

    /// <summary>
    /// The host directory bound at /dev/shm: a shareable container's own tmpfs, the one of the container whose IPC it
    /// joins, or the host's /dev/shm; null gives the container a tmpfs of its own (or none with IpcMode none).
    /// </summary>
    public string? ShmSource { get; init; }

    /// <summary>The volumes and binds of the containers named in HostConfig.VolumesFrom, at their destinations.</summary>
    public IReadOnlyList<ContainerMount> InheritedMounts { get; init; } = [];
}
