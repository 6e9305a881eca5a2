using WebEngine.Engine.Bundles;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>docker cp's stat of a path in the container (HEAD archive): resolved inside the container, never on the host.</summary>
    public async Task<ContainerPathStat> StatPathAsync(string idOrName, string path, CancellationToken cancellationToken)
    {
        var (id, files) = await FileSystemAsync(idOrName, path, cancellationToken);
        using (files)
            return ContainerArchive.Stat(files, path, id);
    }

    /// <summary>
    /// docker cp out of the container (GET archive): the path's stat, and a writer that streams its tar. Both are
    /// resolved before anything is written, so a missing path is an error and not a broken stream.
    /// </summary>
    public async Task<(ContainerPathStat Stat, Func<Stream, CancellationToken, Task> WriteTar)> ArchiveAsync(string idOrName, string path,
        CancellationToken cancellationToken)
    {
        var (id, files) = await FileSystemAsync(idOrName, path, cancellationToken);
        ContainerPathStat stat;
        try
        {
            stat = ContainerArchive.Stat(files, path, id);
        }
        catch
        {
            files.Dispose();
            throw;
        }
        return (stat, async (output, token) =>
        {
            using (files)
                await ContainerArchive.WriteAsync(files, path, id, output, token);
        });
    }

    /// <summary>docker cp into the container (PUT archive): extracts the tar into the directory at <paramref name="path"/>.</summary>
    public async Task ExtractArchiveAsync(string idOrName, string path, Stream tar, ArchiveExtractOptions options, CancellationToken cancellationToken)
    {
        var (id, files) = await FileSystemAsync(idOrName, path, cancellationToken);
        using var _ = files;
        try
        {
            if (options.CopyUidGid && ContainerStore.Config(await _store.GetAsync(id, cancellationToken)).User is { Length: > 0 } user)
            {
                var owner = ContainerUser.Resolve(_images.Rootfs.RootfsPath(id), user, []);
                options = options with { Owner = ((int)owner.Uid, (int)owner.Gid) };
            }
            await ContainerArchive.ExtractAsync(files, path, id, tar, options, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidArgumentException($"invalid archive: {e.Message}", e);
        }
        catch (IOException e) when (e.HResult == ConfinedPathInterop.Erofs || e.InnerException?.HResult == ConfinedPathInterop.Erofs)
        {
            throw new ForbiddenException($"container rootfs is marked read-only: extracting into {path} of container {id}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Includes a file or directory that vanished under us: the container renamed or removed it mid-copy.
            throw new InvalidArgumentException($"extracting into {path} of container {id}: {e.Message}", e);
        }
    }

    /// <summary>docker export: a writer that streams the tar of the container's root file system (its mounts left out).</summary>
    public async Task<Func<Stream, CancellationToken, Task>> ExportAsync(string idOrName, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(idOrName, cancellationToken);
        var rootfs = _images.Rootfs.RootfsPath(record.Id);
        if (!Directory.Exists(rootfs))
            throw new ConflictException($"container {record.Id} has no root file system (it is being removed)");
        return async (output, token) =>
        {
            using var files = ContainerFileSystem.OfRootfs(rootfs, [], readonlyRootfs: false);
            await ContainerArchive.ExportAsync(files, output, token);
        };
    }

    /// <summary>
    /// The container's files: while it runs, as its process sees them (its tmpfs and volumes included); otherwise
    /// its rootfs with its volumes and binds laid over.
    /// </summary>
    private async Task<(string Id, ContainerFileSystem Files)> FileSystemAsync(string idOrName, string path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(path))
            throw new InvalidArgumentException("path cannot be empty");
        var record = await _store.GetAsync(idOrName, cancellationToken);
        var status = ContainerStore.Status(record);
        if (status is ContainerStatus.Removing or ContainerStatus.Dead)
            throw new ConflictException($"container {record.Id} is {ContainerStatusNames.ToDocker(status)}: its files cannot be copied");
        var rootfs = _images.Rootfs.RootfsPath(record.Id);
        var mounts = MountPoint.ParseList(record.MountsJson);
        var readonlyRootfs = ContainerStore.HostConfig(record).ReadonlyRootfs;
        var running = ContainerStatusNames.HasProcess(status) && record.Pid > 0
            ? ContainerFileSystem.OfProcess(record.Pid, rootfs, mounts, readonlyRootfs)
            : null;
        return (record.Id, running ?? ContainerFileSystem.OfRootfs(rootfs, mounts, readonlyRootfs));
    }
}
