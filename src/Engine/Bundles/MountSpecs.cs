using WebEngine.Engine.Containers;
using WebEngine.Oci;

namespace WebEngine.Engine.Bundles;

/// <summary>
/// The OCI mounts of a container, in Docker's order: its default filesystems (minus the ones the
/// user replaces), then /etc/hosts, /etc/hostname, /etc/resolv.conf and the user's binds, volumes
/// and tmpfs, parents before children.
/// </summary>
internal static class MountSpecs
{
    private const string ShmTarget = "/dev/shm";

    // Kernel filesystems that stay writable under ReadonlyRootfs: the process needs them to run.
    private static readonly HashSet<string> WritableUnderReadonlyRootfs = ["/proc", "/dev/pts", ShmTarget, "/dev/mqueue", "/dev"];

    /// <param name="host">The container's host configuration.</param>
    /// <param name="userMounts">Binds, volumes and tmpfs, each with its host source resolved.</param>
    /// <param name="networkFiles">Container path to host file for hosts, hostname and resolv.conf.</param>
    /// <param name="initBinary">Host path of the init binary, when HostConfig.Init is set.</param>
    /// <param name="writableCgroups">Mount /sys/fs/cgroup read-write.</param>
    /// <param name="shmSource">A host directory bound at /dev/shm instead of the container's own tmpfs (shared IPC).</param>
    public static List<Mount> Create(HostConfig host, IReadOnlyList<ContainerMount> userMounts, IReadOnlyDictionary<string, string> networkFiles, string? initBinary,
        bool writableCgroups, string? shmSource)
    {
        var userTargets = userMounts.Select(m => Clean(m.Target)).ToHashSet();
        var userMountsDev = userTargets.Contains("/dev");
        var shmSize = host.ShmSize > 0 ? host.ShmSize : ContainerDefaults.ShmSize;

        var mounts = ContainerDefaults.Mounts(shmSize)
            .Where(m => !userTargets.Contains(m.Destination))
            .Where(m => !(userMountsDev && m.Destination.StartsWith("/dev/", StringComparison.Ordinal)))
            .Where(m => m.Destination != ShmTarget || host.IpcMode != NamespaceModes.None)
            .Select(m => m.Destination == ShmTarget && shmSource is not null
                ? new Mount { Destination = ShmTarget, Type = "bind", Source = shmSource, Options = ["rbind", "rprivate"] }
                : m)
            .ToList();
        foreach (var mount in mounts)
        {
            if (host.ReadonlyRootfs && !WritableUnderReadonlyRootfs.Contains(mount.Destination))
                AddOption(mount, "ro");
            if (host.Privileged && mount.Destination == "/sys")
                mount.Options!.Remove("ro");
            if (writableCgroups && mount.Type == "cgroup")
                mount.Options!.Remove("ro");
        }

        var added = new List<(string Target, Mount Mount)>();
        foreach (var (target, source) in networkFiles)
        {
            // A user mount at /etc/hosts (etc.) replaces the engine's file.
            if (userTargets.Contains(target))
                continue;
            List<string> options = ["rbind", "rprivate"];
            if (host.ReadonlyRootfs)
                options.Add("ro");
            added.Add((target, new Mount { Destination = target, Type = "bind", Source = source, Options = options }));
        }
        added.AddRange(userMounts.Select(m => (Clean(m.Target), ToOci(m))));

        // Parents first: a mount at /data/logs must come after the one at /data.
        mounts.AddRange(added.OrderBy(a => Depth(a.Target)).Select(a => a.Mount));

        if (initBinary is not null)
            mounts.Add(new Mount { Destination = ContainerDefaults.InitPathInContainer, Type = "bind", Source = initBinary, Options = ["bind", "ro"] });
        return mounts;
    }

    private static Mount ToOci(ContainerMount mount)
    {
        if (mount.Type == MountType.Tmpfs)
        {
            return new Mount
            {
                Destination = mount.Target,
                Type = "tmpfs",
                Source = "tmpfs",
                Options = TmpfsOptions.Merge([.. TmpfsOptions.Defaults, .. mount.TmpfsOptions]),
            };
        }
        List<string> options = [mount.Recursive ? "rbind" : "bind"];
        if (mount.ReadOnly)
            options.Add("ro");
        options.Add(mount.Propagation);
        return new Mount { Destination = mount.Target, Type = "bind", Source = mount.Source, Options = options };
    }

    private static void AddOption(Mount mount, string option)
    {
        mount.Options ??= [];
        if (!mount.Options.Contains(option))
            mount.Options.Add(option);
    }

    private static string Clean(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    private static int Depth(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
}
