using System.Text.RegularExpressions;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Layers;

namespace WebEngine.Engine.Images.Rootfs;

/// <summary>
/// A container's root file system: an overlay of the image's shared read-only layers with a private upper dir,
/// mounted at containers/&lt;id&gt;/rootfs (upper/ and work/ beside it), or a plain copy where overlayfs cannot be
/// mounted. containers/&lt;id&gt;/rootfs.image records the image, which is how the store knows it is in use.
/// </summary>
public sealed partial class ContainerRootfs
{
    private const string ImageMarker = "rootfs.image";
    private const int Enodev = 19;
    private const int Einval = 22;
    private const int Ebusy = 16;

    private readonly ImageStoreOptions _options;
    private readonly LayerStore _layers;
    private readonly string _containers;

    internal ContainerRootfs(ImageStoreOptions options, LayerStore layers)
    {
        _options = options;
        _layers = layers;
        _containers = Path.Combine(options.DataRoot, "containers");
        Directory.CreateDirectory(_containers);
    }

    public string RootfsPath(string containerId) => Path.Combine(ContainerDirectory(containerId), "rootfs");

    /// <summary>True when the container's rootfs is an overlay mount (false for the copy fallback or none).</summary>
    public bool IsOverlayMounted(string containerId) => OverlayMount.IsMountPoint(RootfsPath(containerId));

    /// <summary>
    /// The changes of the container's rootfs against <paramref name="image"/>, its image: in the overlay's upper dir,
    /// or the whole tree where the rootfs is a copy. <paramref name="excluded"/> are container paths that are not changes.
    /// </summary>
    internal RootfsDiff DiffOf(string containerId, ImageDetails image, IReadOnlyList<string> excluded)
    {
        var lowers = image.Layers.Select(l => _layers.DiffPath(Digest.Parse(l.ChainId))).Reverse().ToList();
        var upper = Path.Combine(ContainerDirectory(containerId), "upper");
        if (Directory.Exists(upper))
            return new RootfsDiff(upper, lowers, completeTree: false, excluded);
        var rootfs = RootfsPath(containerId);
        if (!Directory.Exists(rootfs))
            throw new ConflictException($"container {containerId} has no root file system (it is being removed)");
        return new RootfsDiff(rootfs, lowers, completeTree: true, excluded);
    }

    internal async Task<string> PrepareAsync(string containerId, ImageDetails image, CancellationToken cancellationToken)
    {
        var directory = ContainerDirectory(containerId);
        var marker = Path.Combine(directory, ImageMarker);
        var rootfs = RootfsPath(containerId);
        if (File.Exists(marker))
        {
            var existing = await File.ReadAllTextAsync(marker, cancellationToken);
            if (existing == image.Id)
                return rootfs;
            throw new ConflictException($"container {containerId} already has a rootfs of image {existing}");
        }
        var chainIds = image.Layers.Select(l => Digest.Parse(l.ChainId)).ToList();
        foreach (var chainId in chainIds.Where(c => !_layers.Exists(c)))
            throw new NotFoundException($"image {image.Id}: layer {chainId} is not unpacked (the layer store is damaged; pull or load the image again)");
        Directory.CreateDirectory(directory);
        // The marker goes first so the layers cannot be collected while the rootfs is being built.
        await File.WriteAllTextAsync(marker, image.Id, cancellationToken);
        try
        {
            Directory.CreateDirectory(rootfs);
            if (chainIds.Count == 0)
                return rootfs;
            if (!_options.ForceCopyRootfs)
            {
                var upper = Path.Combine(directory, "upper");
                var work = Path.Combine(directory, "work");
                Directory.CreateDirectory(upper);
                Directory.CreateDirectory(work);
                var lowerDirs = chainIds.AsEnumerable().Reverse().Select(_layers.ShortLink).ToList();
                try
                {
                    OverlayMount.Mount(_layers.Root, lowerDirs, upper, work, rootfs);
                    return rootfs;
                }
                catch (IOException e) when (e.HResult is Enodev or Einval)
                {
                    // No overlayfs, or a file system it cannot use as upper (e.g. overlay on overlay): copy instead.
                    Directory.Delete(upper, recursive: true);
                    Directory.Delete(work, recursive: true);
                }
            }
            await Task.Run(() => RootfsCopier.Copy(chainIds.Select(_layers.DiffPath).ToList(), rootfs, cancellationToken), cancellationToken);
            return rootfs;
        }
        catch
        {
            Remove(containerId);
            throw;
        }
    }

    /// <summary>Unmounts and deletes the container's rootfs, upper and work dirs; a no-op when there is none.</summary>
    public Task ReleaseAsync(string containerId, CancellationToken cancellationToken)
    {
        ContainerDirectory(containerId);
        return Task.Run(() => Remove(containerId), cancellationToken);
    }

    /// <summary>Ids of the images some container has a rootfs of.</summary>
    public IReadOnlySet<string> ImagesInUse()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in new DirectoryInfo(_containers).EnumerateDirectories())
        {
            var marker = Path.Combine(directory.FullName, ImageMarker);
            if (File.Exists(marker))
                ids.Add(File.ReadAllText(marker).Trim());
        }
        return ids;
    }

    private const int UnmountAttempts = 50;

    private void Remove(string containerId)
    {
        var directory = ContainerDirectory(containerId);
        var rootfs = RootfsPath(containerId);
        // EBUSY is often brief: another container's runtime that cloned its mount namespace while this overlay was
        // mounted holds a copy until it has pivoted and detached its old root. Retry as containerd does, then refuse.
        for (var attempt = 1; OverlayMount.IsMountPoint(rootfs); attempt++)
        {
            try
            {
                FileSystemInterop.Unmount(rootfs, 0);
            }
            catch (IOException e) when (e.HResult == Ebusy)
            {
                if (attempt >= UnmountAttempts)
                    throw new ConflictException($"the rootfs of container {containerId} is still in use (a process or mount holds {rootfs})", e);
                Thread.Sleep(50);
            }
        }
        foreach (var name in new[] { "rootfs", "upper", "work" })
        {
            var path = Path.Combine(directory, name);
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        File.Delete(Path.Combine(directory, ImageMarker));
        if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            Directory.Delete(directory);
    }

    private string ContainerDirectory(string containerId)
    {
        if (!ContainerIdPattern().IsMatch(containerId))
            throw new InvalidArgumentException($"invalid container id \"{containerId}\"");
        return Path.Combine(_containers, containerId);
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$")]
    private static partial Regex ContainerIdPattern();
}
