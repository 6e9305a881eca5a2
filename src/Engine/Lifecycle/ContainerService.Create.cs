using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using WebEngine.Data.Containers;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Volumes;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    private readonly SemaphoreSlim _namesLock = new(1, 1);
    private readonly HashSet<string> _reservedNames = new(StringComparer.Ordinal);
    private readonly ContainerNameGenerator _nameGenerator = new();

    /// <summary>
    /// docker create: checks everything first, then builds the rootfs and the bundle and records the container in one
    /// transaction. A create that fails leaves nothing behind: no row, no directory, no mount, no new volume.
    /// </summary>
    public async Task<ContainerCreateResult> CreateAsync(ContainerCreateRequest request, CancellationToken cancellationToken)
    {
        var requestedName = request.Name is { Length: > 0 } given ? ContainerName.Normalize(given) : null;
        if (string.IsNullOrEmpty(request.Config.Image))
            throw new InvalidArgumentException("config.Image must be set: no image was given");
        var image = await _images.InspectAsync(request.Config.Image, cancellationToken);
        var config = ContainerConfigMerge.Apply(request.Config, ImageRuntimeConfig.From(image.Config));
        ContainerCreateValidator.Validate(config, request.Host);
        var (host, sharedNamespace) = await ResolveNetworkContainerAsync(request.Host, cancellationToken);
        host = await ResolveNamespaceModesAsync(host, cancellationToken);
        var inherited = await InheritedMountsAsync(host, cancellationToken);
        var runtime = request.Runtime ?? _options.DefaultRuntime;
        _paths.RuntimePath(runtime);

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var name = await ReserveNameAsync(requestedName, id, cancellationToken);
        var volumes = new RecordingVolumeResolver(_volumes);
        try
        {
            var rootfs = await _images.PrepareRootfsAsync(id, image, cancellationToken);
            var bundle = await WithJoinedNamespacesAsync(new BundleRequest(id, config, host, rootfs)
            {
                NetworkNamespacePath = host.IsHostNetwork ? null : sharedNamespace ?? _networks.SandboxPath(id),
                InheritedMounts = inherited,
            }, atStart: false, cancellationToken);
            await new BundleBuilder(_bundleOptions, volumes).BuildAsync(bundle, cancellationToken);
            await _networks.AttachAsync(NetworkIdentity(id, name, config), host, request.Networks, cancellationToken);
            var record = new ContainerRecord
            {
                Id = id,
                Name = name,
                ImageId = image.Id,
                ImageReference = request.Config.Image,
                ConfigJson = JsonSerializer.Serialize(config, ContainerStore.Json),
                HostConfigJson = JsonSerializer.Serialize(host, ContainerStore.Json),
                MountsJson = MountPoint.Serialize(MountPoints(host, inherited, volumes.Resolved)),
                Status = ContainerStatusNames.ToStored(ContainerStatus.Created),
                Runtime = runtime,
                CreatedUtc = DateTime.UtcNow,
            };
            await _store.InsertAsync(record, "create", cancellationToken);
            _logger.LogInformation("Created container {ContainerId} ({Name}) from {Image}", id, name, image.Id);
            return new ContainerCreateResult(id, []);
        }
        catch
        {
            await UndoCreateAsync(id, volumes.Resolved);
            throw;
        }
        finally
        {
            await ReleaseNameAsync(name);
        }
    }

    /// <summary>Removes what a failed create made; none of it is visible yet, so nothing else can be using it.</summary>
    private async Task UndoCreateAsync(string id, IReadOnlyList<(ContainerMount Mount, ResolvedVolume Volume)> volumes)
    {
        await _networks.ForgetAsync(id, CancellationToken.None);
        await _images.ReleaseRootfsAsync(id, CancellationToken.None);
        DeleteContainerDirectory(id);
        foreach (var (_, volume) in volumes.Where(v => v.Volume.Created))
            await _volumes.DeleteUnusedAsync(volume.Name, CancellationToken.None);
    }

    /// <summary>Deletes containers/&lt;id&gt;, but never through a rootfs that is still mounted.</summary>
    private void DeleteContainerDirectory(string id)
    {
        var directory = _paths.Directory(id);
        if (!Directory.Exists(directory))
            return;
        if (_images.Rootfs.IsOverlayMounted(id))
            throw new IOException($"remove {directory}: the rootfs of container {id} is still mounted");
        UnmountShareableShm(id);
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// NetworkMode "container:&lt;id or name&gt;" is stored with the full id, as Docker does, and gives the namespace
    /// to join: the other container's own, or the one it shares in turn.
    /// </summary>
    private async Task<(HostConfig Host, string? SharedNamespace)> ResolveNetworkContainerAsync(HostConfig host, CancellationToken cancellationToken)
    {
        if (host.NetworkContainer is not { } other)
            return (host, null);
        var target = await _store.FindAsync(other, cancellationToken)
                     ?? throw new NotFoundException($"No such container: {other}");
        var targetHost = ContainerStore.HostConfig(target);
        if (targetHost.IsHostNetwork)
            throw new InvalidArgumentException($"cannot join the network of container {other}: it uses the host's network (use --network host)");
        var resolved = host with { NetworkMode = $"container:{target.Id}" };
        return (resolved, targetHost.NetworkContainer is { } shared ? _networks.SandboxPath(shared) : _networks.SandboxPath(target.Id));
    }

    /// <summary>The container as its networks see it; its hostname is what its bundle gives it (Config.Hostname or the short id).</summary>
    private static ContainerNetworkIdentity NetworkIdentity(string id, string name, ContainerConfig config) =>
        new(id, name, string.IsNullOrEmpty(config.Hostname) ? id[..12] : config.Hostname);

    private async Task<string> ReserveNameAsync(string? requested, string id, CancellationToken cancellationToken)
    {
        await _namesLock.WaitAsync(cancellationToken);
        try
        {
            if (requested is null)
            {
                var taken = (await _store.ListAsync(cancellationToken)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
                requested = _nameGenerator.Generate(n => taken.Contains(n) || _reservedNames.Contains(n));
            }
            else
            {
                var owner = await _store.IdOfNameAsync(requested, cancellationToken);
                if (owner is not null || _reservedNames.Contains(requested))
                    throw NameConflict(requested, owner ?? id);
            }
            _reservedNames.Add(requested);
            return requested;
        }
        finally
        {
            _namesLock.Release();
        }
    }

    private async Task ReleaseNameAsync(string name)
    {
        await _namesLock.WaitAsync();
        try
        {
            _reservedNames.Remove(name);
        }
        finally
        {
            _namesLock.Release();
        }
    }

    private static ConflictException NameConflict(string name, string owner) =>
        new($"Conflict. The container name \"/{name}\" is already in use by container \"{owner}\". You have to remove (or rename) that container to be able to reuse that name.");

    /// <summary>inspect's Mounts: binds and tmpfs as asked for, volumes by the name they resolved to.</summary>
    private static List<MountPoint> MountPoints(HostConfig host, IReadOnlyList<ContainerMount> inherited,
        IReadOnlyList<(ContainerMount Mount, ResolvedVolume Volume)> volumes)
    {
        var result = new List<MountPoint>();
        foreach (var mount in ContainerMounts.WithInherited(ContainerMounts.Resolve(host), inherited).Where(m => m.Type != MountType.Volume))
        {
            result.Add(new MountPoint
            {
                Type = mount.Type == MountType.Bind ? "bind" : "tmpfs",
                Source = mount.Source,
                Destination = mount.Target,
                Mode = mount.Type == MountType.Bind ? (mount.ReadOnly ? "ro" : "") : string.Join(",", mount.TmpfsOptions),
                ReadWrite = !mount.ReadOnly,
                Propagation = mount.Type == MountType.Bind ? mount.Propagation : "",
            });
        }
        foreach (var (mount, volume) in volumes)
        {
            result.Add(new MountPoint
            {
                Type = "volume",
                Name = volume.Name,
                Source = volume.Path,
                Destination = mount.Target,
                Driver = "local",
                Mode = mount.ReadOnly ? "ro" : "z",
                ReadWrite = !mount.ReadOnly,
                Anonymous = mount.Source.Length == 0,
            });
        }
        return result;
    }

    /// <summary>Resolves volume mounts through the volume service and remembers them, for the container's record and for undo.</summary>
    private sealed class RecordingVolumeResolver(VolumeService volumes) : IVolumeResolver
    {
        private readonly List<(ContainerMount, ResolvedVolume)> _resolved = [];

        public IReadOnlyList<(ContainerMount Mount, ResolvedVolume Volume)> Resolved => _resolved;

        public async ValueTask<string> ResolveAsync(string containerId, ContainerMount mount, string rootfs, CancellationToken cancellationToken)
        {
            var volume = await volumes.ResolveAsync(mount, rootfs, cancellationToken);
            _resolved.Add((mount, volume));
            return volume.Path;
        }
    }
}
