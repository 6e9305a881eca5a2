using WebEngine.Linux;
using WebEngine.Oci;

namespace WebEngine.Runtime.Init;

/// <summary>Creates the default devices, the spec's linux.devices and the /dev symlinks in the rootfs.</summary>
public static class DeviceSetup
{
    private static readonly LinuxDevice[] Defaults =
    [
        new() { Path = "/dev/null", Type = "c", Major = 1, Minor = 3, FileMode = 0x1B6 },
        new() { Path = "/dev/zero", Type = "c", Major = 1, Minor = 5, FileMode = 0x1B6 },
        new() { Path = "/dev/full", Type = "c", Major = 1, Minor = 7, FileMode = 0x1B6 },
        new() { Path = "/dev/random", Type = "c", Major = 1, Minor = 8, FileMode = 0x1B6 },
        new() { Path = "/dev/urandom", Type = "c", Major = 1, Minor = 9, FileMode = 0x1B6 },
        new() { Path = "/dev/tty", Type = "c", Major = 5, Minor = 0, FileMode = 0x1B6 },
    ];

    private static readonly (string Link, string Target)[] Symlinks =
    [
        ("/dev/fd", "/proc/self/fd"), ("/dev/stdin", "/proc/self/fd/0"),
        ("/dev/stdout", "/proc/self/fd/1"), ("/dev/stderr", "/proc/self/fd/2"),
    ];

    public static void Create(RuntimeSpec spec, string rootfs)
    {
        var configured = spec.Linux?.Devices ?? [];
        foreach (var device in Defaults.Where(d => configured.All(c => c.Path != d.Path)).Concat(configured))
            CreateDevice(device, rootfs);

        foreach (var (link, target) in Symlinks)
            CreateSymlink(rootfs, link, target);
        if (File.Exists("/proc/kcore"))
            CreateSymlink(rootfs, "/dev/core", "/proc/kcore");
        // With a devpts of its own, the container's ptmx must be that instance's.
        if (spec.Mounts?.Any(m => m.Destination == "/dev/pts" && m.Type == "devpts") == true)
        {
            var ptmx = SecurePath.ResolveParent(rootfs, "/dev/ptmx");
            if (SecurePath.Exists(ptmx) && !Directory.Exists(ptmx))
                File.Delete(ptmx);
            CreateSymlink(rootfs, "/dev/ptmx", "pts/ptmx");
        }
    }

    private static void CreateDevice(LinuxDevice device, string rootfs)
    {
        var path = SecurePath.ResolveParent(rootfs, device.Path);
        SecurePath.Create(rootfs, Path.GetDirectoryName(path)!, directory: true);
        var type = device.Type switch
        {
            "b" => Libc.S_IFBLK,
            "p" => Libc.S_IFIFO,
            _ => Libc.S_IFCHR,
        };
        var mode = (device.FileMode ?? 0x1B6) & 0xFFF;
        if (SecurePath.Exists(path))
            File.Delete(path);
        if (Libc.Mknod(path, type | mode, Libc.MakeDev(device.Major ?? 0, device.Minor ?? 0)) == -1)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            // In a user namespace mknod is refused: bind the host's node instead, as runc does.
            if (errno != Errno.EPERM || !File.Exists(device.Path))
                throw new LinuxException($"mknod {device.Path} in {rootfs}", errno);
            SecurePath.Create(rootfs, path, directory: false);
            Sys.Mount(device.Path, path, null, Libc.MS_BIND, null);
            return;
        }
        // mknod applies the umask; the spec's mode is meant exactly.
        if (Libc.Chmod(path, mode) == -1)
            throw LinuxException.FromLastError($"chmod {path}");
        Sys.Chown(path, device.Uid ?? 0, device.Gid ?? 0);
    }

    private static void CreateSymlink(string rootfs, string link, string target)
    {
        var path = SecurePath.ResolveParent(rootfs, link);
        if (SecurePath.Exists(path))
            return;
        try
        {
            Sys.Symlink(target, path);
        }
        catch (LinuxException e) when (e.ErrorNumber == Errno.EEXIST)
        {
            // Already there, e.g. a dangling link shipped in the image.
        }
    }
}
