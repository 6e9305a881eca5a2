using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Bundles;

/// <summary>
/// Finds (or creates) the host directory behind a volume mount; the engine's volume service
/// implements it. Named volumes are shared between containers; an anonymous one (empty Source)
/// belongs to <paramref name="containerId"/>.
/// </summary>
public interface IVolumeResolver
{
    /// <param name="containerId">The container the mount is for.</param>
    /// <param name="mount">A mount of type <see cref="MountType.Volume"/>.</param>
    /// <param name="rootfs">The container's rootfs, for copying the image's content at the target into a new volume.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The absolute host path to bind-mount at the mount's target.</returns>
    ValueTask<string> ResolveAsync(string containerId, ContainerMount mount, string rootfs, CancellationToken cancellationToken);
}
