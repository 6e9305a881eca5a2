using WebEngine.Linux;

namespace WebEngine.Runtime.Init;

/// <summary>
/// A config mount of type "cgroup": cgroup2 where the host's /sys/fs/cgroup is v2, otherwise a tmpfs holding
/// one cgroup v1 mount per hierarchy the init belongs to, when the container has a cgroup namespace (which shows
/// each hierarchy from the container's own cgroup). Without one, a cgroupfs mount would show the host's whole tree
/// (and in a user namespace the kernel refuses it: EPERM), so each hierarchy is instead a bind mount of the
/// container's own cgroup directory on the host, as runc does on cgroup v1.
/// </summary>
public static class CgroupFilesystemMount
{
    /// <param name="binds">The container's cgroup directory per hierarchy (<see cref="InitRequest.CgroupBinds"/>), or null to mount cgroupfs.</param>
    public static void Mount(string destination, MountOptions options, IReadOnlyDictionary<string, string>? binds)
    {
        var flags = options.Flags & ~Libc.MS_REMOUNT;
        if (HostIsUnified())
        {
            if (binds != null)
                Bind(binds[""], destination, flags);
            else
                Sys.Mount("cgroup2", destination, "cgroup2", flags, null);
            return;
        }
        Sys.Mount("tmpfs", destination, "tmpfs", flags & ~Libc.MS_RDONLY, "mode=755");
        foreach (var controllers in binds != null ? binds.Keys : HierarchiesOfInit())
        {
            if (controllers.Length == 0)
            {
                var unified = Path.Combine(destination, "unified");
                Directory.CreateDirectory(unified);
                if (binds != null)
                    Bind(binds[controllers], unified, flags);
                else
                    Sys.Mount("cgroup2", unified, "cgroup2", flags, null);
                continue;
            }
            var name = controllers.StartsWith("name=", StringComparison.Ordinal) ? controllers[5..] : controllers;
            var target = Path.Combine(destination, name);
            Directory.CreateDirectory(target);
            if (binds != null)
            {
                Bind(binds[controllers], target, flags);
            }
            else
            {
                var data = controllers.StartsWith("name=", StringComparison.Ordinal) ? "none," + controllers : controllers;
                Sys.Mount("cgroup", target, "cgroup", flags, data);
            }
            // Mirror the host's cpu -> cpu,cpuacct style links for tools that expect them.
            foreach (var single in controllers.Split(',').Where(c => c != name && !c.StartsWith("name=", StringComparison.Ordinal)))
                Libc.Symlink(name, Path.Combine(destination, single));
        }
        if ((flags & Libc.MS_RDONLY) != 0)
            Sys.Mount(null, destination, null, Libc.MS_REMOUNT | Libc.MS_RDONLY | (flags & ~Libc.MS_RDONLY), null);
    }

    /// <summary>The controllers field of each line of /proc/self/cgroup ("4:memory:/x" gives "memory").</summary>
    private static List<string> HierarchiesOfInit()
    {
        var hierarchies = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3)
                hierarchies.Add(parts[1]);
        }
        return hierarchies;
    }

    /// <summary>
    /// Bind-mounts a host cgroup directory on <paramref name="target"/>; the mount's flags take a remount, which
    /// must keep the flags the host mount has locked in a user namespace (nosuid, nodev, noexec, atime).
    /// </summary>
    private static void Bind(string source, string target, ulong flags)
    {
        Sys.Mount(source, target, null, Libc.MS_BIND | Libc.MS_REC, null);
        if ((flags & ~Libc.MS_REC) != 0)
            Sys.Mount(null, target, null, Libc.MS_REMOUNT | Libc.MS_BIND | (flags & ~Libc.MS_REC) | RootfsSetup.LockedFlags(target), null);
    }

    /// <summary>
    /// Whether the host's /sys/fs/cgroup is a cgroup2 mount (checked with statfs: reading /proc/self/mountinfo costs
    /// the kernel a line per mount, and the init's mount namespace holds every host mount).
    /// </summary>
    private static bool HostIsUnified() =>
        StatVfs.TryGetFilesystemType("/sys/fs/cgroup", out var type) && type == StatVfs.Cgroup2Magic;
}
