using WebEngine.Linux;
using WebEngine.Oci;

namespace WebEngine.Runtime.Init;

/// <summary>
/// Builds the container's filesystem inside its mount namespace: propagation, the rootfs bind, config mounts,
/// devices, then pivot_root and what must follow it (sysctl, readonly and masked paths, a readonly root).
/// </summary>
public static class RootfsSetup
{
    /// <summary>
    /// The part of the work before pivot_root that the init does while `create` still moves it into its cgroup:
    /// propagation, the rootfs bind and the config mounts, with <paramref name="stopAtCgroupMount"/> only up to the
    /// first of type "cgroup" (in a cgroup namespace of its own, a cgroup mount shows the namespace's root, which is
    /// the cgroup the init is in when it unshares it). Returns how many config mounts it made;
    /// <see cref="PrepareInCgroup"/> does the rest.
    /// </summary>
    public static int PrepareBeforeCgroup(InitRequest request, bool stopAtCgroupMount)
    {
        var spec = request.Spec;
        var rootfs = request.Rootfs;
        // Nothing the container mounts may propagate back to the host.
        var rootPropagation = spec.Linux?.RootfsPropagation is { } p && (MountOptions.PropagationOf(p) & Libc.MS_PRIVATE) != 0
            ? Libc.MS_PRIVATE | Libc.MS_REC
            : Libc.MS_SLAVE | Libc.MS_REC;
        Sys.Mount(null, "/", null, rootPropagation, null);
        Sys.Mount(rootfs, rootfs, null, Libc.MS_BIND | Libc.MS_REC, null);

        var mounts = spec.Mounts ?? [];
        var done = 0;
        while (done < mounts.Count && !(stopAtCgroupMount && mounts[done].Type == "cgroup"))
            MountOne(mounts[done++], request);
        return done;
    }

    /// <summary>The rest of the work before pivot_root: after this, the rootfs holds every mount and device.</summary>
    public static void PrepareInCgroup(InitRequest request, int mountsDone)
    {
        var spec = request.Spec;
        var rootfs = request.Rootfs;
        foreach (var mount in (spec.Mounts ?? []).Skip(mountsDone))
            MountOne(mount, request);

        DeviceSetup.Create(spec, rootfs);
        var cwd = SecurePath.Resolve(rootfs, request.Process.Cwd);
        SecurePath.Create(rootfs, cwd, directory: true);
    }

    /// <summary>Makes the rootfs "/" (pivot_root, or MS_MOVE and chroot with --no-pivot) and detaches the old root.</summary>
    public static void PivotRoot(InitRequest request)
    {
        Sys.Chdir(request.Rootfs);
        if (request.NoPivot)
        {
            Sys.Mount(request.Rootfs, "/", null, Libc.MS_MOVE, null);
            if (Libc.Chroot(".") == -1)
                throw LinuxException.FromLastError($"chroot {request.Rootfs}");
        }
        else
        {
            // pivot_root(".", ".") stacks the old root on the new one; detaching "." then removes it.
            Sys.PivotRoot(".", ".");
            Sys.Mount(null, ".", null, Libc.MS_SLAVE | Libc.MS_REC, null);
            Sys.Umount(".", Libc.MNT_DETACH);
        }
        Sys.Chdir("/");
    }

    /// <summary>Everything after pivot_root, in runc's order: sysctl, readonly paths, masked paths, readonly root.</summary>
    public static void Finish(InitRequest request)
    {
        var linux = request.Spec.Linux;
        foreach (var (key, value) in linux?.Sysctl ?? [])
        {
            var path = "/proc/sys/" + key.Replace('.', '/');
            try
            {
                File.WriteAllText(path, value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidSpecException($"write sysctl {key} to {path}: {e.Message}");
            }
        }
        foreach (var path in linux?.ReadonlyPaths ?? [])
            MakeReadonly(path);
        foreach (var path in linux?.MaskedPaths ?? [])
            Mask(path);
        if (linux?.RootfsPropagation is { } propagation)
            Sys.Mount(null, "/", null, MountOptions.PropagationOf(propagation), null);
        if (request.Spec.Root?.Readonly == true)
            Sys.Mount(null, "/", null, Libc.MS_REMOUNT | Libc.MS_BIND | Libc.MS_RDONLY | LockedFlags("/"), null);
    }

    private static void MountOne(Mount mount, InitRequest request)
    {
        var rootfs = request.Rootfs;
        var options = MountOptions.Parse(mount.Options);
        var destination = SecurePath.Resolve(rootfs, mount.Destination);
        if (options.Bind)
        {
            var source = mount.Source ?? throw new InvalidSpecException($"mounts: bind mount on {mount.Destination} has no source");
            if (!Path.IsPathRooted(source))
                source = Path.Combine(request.Bundle, source);
            var sourceStat = Sys.TryStat(source) ?? throw new LinuxException($"stat bind source {source}", Errno.ENOENT);
            SecurePath.Create(rootfs, destination, (sourceStat.Mode & Libc.S_IFMT) == Libc.S_IFDIR);
            Sys.Mount(source, destination, null, Libc.MS_BIND | (options.Recursive ? Libc.MS_REC : 0), null);
            // A bind mount ignores every flag but MS_REC: the flags take a remount, which must keep the locked ones.
            if ((options.Flags & ~(Libc.MS_REC | Libc.MS_REMOUNT)) != 0)
            {
                var flags = (options.Flags | LockedFlags(destination)) & ~options.ClearedFlags;
                Sys.Mount(null, destination, null, Libc.MS_REMOUNT | Libc.MS_BIND | flags, null);
            }
        }
        else if (mount.Type == "cgroup")
        {
            SecurePath.Create(rootfs, destination, directory: true);
            CgroupFilesystemMount.Mount(destination, options, request.CgroupBinds);
        }
        else
        {
            SecurePath.Create(rootfs, destination, directory: true);
            var data = options.Data;
            try
            {
                Sys.Mount(mount.Source ?? mount.Type, destination, mount.Type, options.Flags, data);
            }
            catch (LinuxException e) when (e.ErrorNumber == Errno.EINVAL && mount.Type == "mqueue")
            {
                // Without an ipc namespace of its own the container shares the host's mqueue: bind it.
                Sys.Mount("/dev/mqueue", destination, null, Libc.MS_BIND, null);
            }
        }
        foreach (var propagation in options.Propagation)
            Sys.Mount(null, destination, null, propagation, null);
    }

    private static void MakeReadonly(string path)
    {
        if (!Path.Exists(path))
            return;
        Sys.Mount(path, path, null, Libc.MS_BIND | Libc.MS_REC, null);
        Sys.Mount(null, path, null, Libc.MS_REMOUNT | Libc.MS_BIND | Libc.MS_RDONLY | Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC | LockedFlags(path), null);
    }

    private static void Mask(string path)
    {
        var st = Sys.TryStat(path);
        if (st == null)
            return;
        if ((st.Value.Mode & Libc.S_IFMT) == Libc.S_IFDIR)
            Sys.Mount("tmpfs", path, "tmpfs", Libc.MS_RDONLY, null);
        else
            Sys.Mount("/dev/null", path, null, Libc.MS_BIND, null);
    }

    /// <summary>The flags of the mount holding <paramref name="path"/> that a remount in a child namespace may not drop.</summary>
    internal static ulong LockedFlags(string path)
    {
        if (!StatVfs.TryGetFlags(path, out var flags))
            return 0;
        return flags & (Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC | Libc.MS_RDONLY | Libc.MS_NOATIME | Libc.MS_NODIRATIME | Libc.MS_RELATIME);
    }
}
