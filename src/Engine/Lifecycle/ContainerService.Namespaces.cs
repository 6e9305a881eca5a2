using WebEngine.Data.Containers;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Rootfs;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// The namespaces a container shares (PidMode, IpcMode "container:", shareable IPC), its cgroup namespace mode and the
/// mounts it takes from other containers (VolumesFrom), resolved as Docker does: at create and again at each start,
/// where the namespaces to join are the other containers' current processes'.
/// </summary>
public sealed partial class ContainerService
{
    private const string HostShm = "/dev/shm";

    /// <summary>
    /// The modes as stored: "container:" with the other container's full id (which must exist), and Docker's daemon
    /// defaults for an IPC or cgroup namespace mode not asked for.
    /// </summary>
    private async Task<HostConfig> ResolveNamespaceModesAsync(HostConfig host, CancellationToken cancellationToken)
    {
        var pidMode = host.PidContainer is { } pidContainer
            ? NamespaceModes.ContainerPrefix + (await ReferencedContainerAsync(pidContainer, cancellationToken)).Id
            : host.PidMode;
        var ipcMode = host.IpcContainer is { } ipcContainer
            ? NamespaceModes.ContainerPrefix + (await ReferencedContainerAsync(ipcContainer, cancellationToken)).Id
            : host.IpcMode;
        return WithDefaultModes(host with { PidMode = pidMode, IpcMode = ipcMode });
    }

    /// <summary>Docker's daemon defaults for an IPC or cgroup namespace mode not asked for (or stored before modes were).</summary>
    private HostConfig WithDefaultModes(HostConfig host) => host with
    {
        IpcMode = host.IpcMode is "" ? NamespaceModes.DefaultIpcMode : host.IpcMode,
        CgroupnsMode = _bundleOptions.CgroupnsModeOf(host),
    };

    /// <summary>
    /// The namespace paths and /dev/shm of a bundle: the running processes of the containers whose PID or IPC namespace
    /// this one joins (Docker's errors when one is not running or its IPC is not shareable). At create
    /// (<paramref name="atStart"/> false) the other container need not run yet, as with Docker, whose check is at start:
    /// its namespace path is then left out, and each start puts the current one in.
    /// </summary>
    private async Task<BundleRequest> WithJoinedNamespacesAsync(BundleRequest request, bool atStart, CancellationToken cancellationToken)
    {
        var host = request.Host;
        string? pidPath = null, ipcPath = null, shmSource = null;
        if (host.PidContainer is { } pidContainer)
        {
            var (_, pid) = await JoinedContainerAsync(pidContainer, "PID", atStart, cancellationToken);
            pidPath = pid > 0 ? $"/proc/{pid}/ns/pid" : null;
        }
        if (host.IpcContainer is { } ipcContainer)
        {
            var (target, pid) = await JoinedContainerAsync(ipcContainer, "IPC", atStart, cancellationToken);
            shmSource = ContainerStore.HostConfig(target).IpcMode switch
            {
                NamespaceModes.Shareable => _paths.ShmPath(target.Id),
                NamespaceModes.Host => HostShm,
                _ => throw new InvalidArgumentException($"invalid IPC mode: {host.IpcMode}: container {ipcContainer}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)"),
            };
            ipcPath = pid > 0 ? $"/proc/{pid}/ns/ipc" : null;
        }
        else if (host.IpcMode == NamespaceModes.Shareable)
        {
            shmSource = _paths.ShmPath(request.ContainerId);
        }
        else if (host.IpcMode == NamespaceModes.Host)
        {
            shmSource = Directory.Exists(HostShm) ? HostShm : throw new InvalidArgumentException("/dev/shm is not mounted, but must be for --ipc=host");
        }
        return request with { PidNamespacePath = pidPath, IpcNamespacePath = ipcPath, ShmSource = shmSource };
    }

    /// <summary>
    /// Before a start: a shareable container's /dev/shm tmpfs is mounted on the host (where the containers that join
    /// it find it), and the namespaces the bundle joins are the other containers' current ones.
    /// </summary>
    private async Task PrepareNamespacesAsync(ContainerRecord record, ContainerConfig config, HostConfig host, CancellationToken cancellationToken)
    {
        if (host.IpcMode == NamespaceModes.Shareable)
            MountShareableShm(record.Id, host);
        if (host.PidContainer is null && host.IpcContainer is null)
            return;
        var joined = await WithJoinedNamespacesAsync(new BundleRequest(record.Id, config, host, ""), atStart: true, cancellationToken);
        await RewriteBundleAsync(record.Id, (_, spec) =>
        {
            foreach (var ns in spec.Linux?.Namespaces ?? [])
            {
                ns.Path = ns.Type switch
                {
                    "pid" when joined.PidNamespacePath is not null => joined.PidNamespacePath,
                    "ipc" when joined.IpcNamespacePath is not null => joined.IpcNamespacePath,
                    _ => ns.Path,
                };
            }
        }, cancellationToken);
    }

    private void MountShareableShm(string id, HostConfig host)
    {
        var shm = _paths.ShmPath(id);
        Directory.CreateDirectory(shm);
        if (OverlayMount.IsMountPoint(shm))
            return;
        var size = host.ShmSize > 0 ? host.ShmSize : ContainerDefaults.ShmSize;
        FileSystemInterop.Mount("shm", shm, "tmpfs", FileSystemInterop.MsNoSuid | FileSystemInterop.MsNoDev | FileSystemInterop.MsNoExec, $"mode=1777,size={size}");
    }

    /// <summary>A shareable container's /dev/shm goes with the container (its directory is deleted next).</summary>
    private void UnmountShareableShm(string id)
    {
        var shm = _paths.ShmPath(id);
        if (Directory.Exists(shm) && OverlayMount.IsMountPoint(shm))
            FileSystemInterop.Unmount(shm, FileSystemInterop.MntDetach);
    }

    /// <summary>
    /// VolumesFrom as Docker reads it: every volume and bind of each named container, at the same destination, read-only
    /// or read-write as there unless ":ro" or ":rw" says otherwise.
    /// </summary>
    private async Task<List<ContainerMount>> InheritedMountsAsync(HostConfig host, CancellationToken cancellationToken)
    {
        var inherited = new List<ContainerMount>();
        foreach (var entry in host.VolumesFrom)
        {
            var (name, readOnly) = NamespaceModes.ParseVolumesFrom(entry);
            var source = await ReferencedContainerAsync(name, cancellationToken);
            foreach (var mount in MountPoint.ParseList(source.MountsJson).Where(m => m.Type is "volume" or "bind"))
            {
                inherited.Add(new ContainerMount
                {
                    Type = mount.Type == "volume" ? MountType.Volume : MountType.Bind,
                    Source = mount.Type == "volume" ? mount.Name : mount.Source,
                    Target = mount.Destination,
                    ReadOnly = readOnly ?? !mount.ReadWrite,
                    Propagation = mount.Propagation is { Length: > 0 } propagation ? propagation : "rprivate",
                    CopyImageData = false,
                });
            }
        }
        return inherited;
    }

    /// <summary>A container named in a mode or VolumesFrom; Docker answers a missing one with a 400.</summary>
    private async Task<ContainerRecord> ReferencedContainerAsync(string idOrName, CancellationToken cancellationToken) =>
        await _store.FindAsync(idOrName, cancellationToken) ?? throw new InvalidArgumentException($"No such container: {idOrName}");

    /// <summary>The container whose namespace is joined and its init's pid; one without a process is an error only at start (pid 0 otherwise).</summary>
    private async Task<(ContainerRecord Record, int Pid)> JoinedContainerAsync(string idOrName, string kind, bool atStart, CancellationToken cancellationToken)
    {
        var target = await ReferencedContainerAsync(idOrName, cancellationToken);
        var running = ContainerStatusNames.HasProcess(ContainerStore.Status(target)) && target.Pid > 0;
        if (!running && atStart)
            throw new InvalidArgumentException($"cannot join {kind} of a non running container: {idOrName}");
        return (target, running ? target.Pid : 0);
    }
}
