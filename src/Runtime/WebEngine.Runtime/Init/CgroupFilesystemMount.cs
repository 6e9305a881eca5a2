using WebEngine.Linux;

namespace WebEngine.Runtime.Init;

/// <summary>
/// A config mount of type "cgroup": cgroup2 where the host's /sys/fs/cgroup is v2, otherwise a tmpfs holding
/// one cgroup v1 mount per hierarchy the init belongs to (seen through its cgroup namespace when it has one).
/// </summary>
public static class CgroupFilesystemMount
{
    public static void Mount(string destination, MountOptions options)
    {
        var flags = options.Flags & ~Libc.MS_REMOUNT;
        if (HostIsUnified())
        {
            Sys.Mount("cgroup2", destination, "cgroup2", flags, null);
            return;
        }
        Sys.Mount("tmpfs", destination, "tmpfs", flags & ~Libc.MS_RDONLY, "mode=755");
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length < 3)
                continue;
            var controllers = parts[1];
            if (controllers.Length == 0)
            {
                var unified = Path.Combine(destination, "unified");
                Directory.CreateDirectory(unified);
                Sys.Mount("cgroup2", unified, "cgroup2", flags, null);
                continue;
            }
            var name = controllers.StartsWith("name=", StringComparison.Ordinal) ? controllers[5..] : controllers;
            var target = Path.Combine(destination, name);
            Directory.CreateDirectory(target);
            var data = controllers.StartsWith("name=", StringComparison.Ordinal) ? "none," + controllers : controllers;
            Sys.Mount("cgroup", target, "cgroup", flags, data);
            // Mirror the host's cpu -> cpu,cpuacct style links for tools that expect them.
            foreach (var single in controllers.Split(',').Where(c => c != name && !c.StartsWith("name=", StringComparison.Ordinal)))
                Libc.Symlink(name, Path.Combine(destination, single));
        }
        if ((flags & Libc.MS_RDONLY) != 0)
            Sys.Mount(null, destination, null, Libc.MS_REMOUNT | Libc.MS_RDONLY | (flags & ~Libc.MS_RDONLY), null);
    }

    /// <summary>
    /// Whether the host's /sys/fs/cgroup is a cgroup2 mount (checked with statfs: reading /proc/self/mountinfo costs
    /// the kernel a line per mount, and the init's mount namespace holds every host mount).
    /// </summary>
    private static bool HostIsUnified() =>
        StatVfs.TryGetFilesystemType("/sys/fs/cgroup", out var type) && type == StatVfs.Cgroup2Magic;
}
