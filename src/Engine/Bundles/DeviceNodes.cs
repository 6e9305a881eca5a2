using System.Runtime.InteropServices;
using WebEngine.Engine.Containers;
using WebEngine.Oci;

namespace WebEngine.Engine.Bundles;

/// <summary>Reads host device nodes (type, major, minor, mode, owner) for HostConfig.Devices and privileged containers.</summary>
public static class DeviceNodes
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxTypeModeUidGid = 0x1 | 0x2 | 0x8 | 0x10;
    private const int StatxSize = 256;
    private const uint FileTypeMask = 0xF000;
    private const uint CharacterDevice = 0x2000;
    private const uint BlockDevice = 0x6000;
    private const uint DirectoryType = 0x4000;

    // Not devices of the host but per-container mounts, or links to the caller's own descriptors.
    private static readonly HashSet<string> SkippedDirectories = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"];

    private readonly record struct Node(uint Type, uint Permissions, uint Uid, uint Gid, uint Major, uint Minor);

    /// <summary>
    /// The devices for a HostConfig.Devices entry: the device itself, or every device below a directory
    /// (placed under <paramref name="pathInContainer"/>), with cgroup rules for <paramref name="permissions"/>.
    /// </summary>
    public static (List<LinuxDevice> Devices, List<LinuxDeviceCgroup> Rules) FromPath(string pathOnHost, string pathInContainer, string permissions)
    {
        var devices = new List<LinuxDevice>();
        var target = pathInContainer.Length == 0 ? pathOnHost : pathInContainer;
        var node = Stat(pathOnHost, followSymlinks: true)
            ?? throw new InvalidArgumentException($"error gathering device information while adding custom device \"{pathOnHost}\": no such file or directory");
        if (node.Type == DirectoryType)
        {
            foreach (var (path, child) in Walk(pathOnHost))
                devices.Add(ToDevice(child, Path.Combine(target, Path.GetRelativePath(pathOnHost, path))));
        }
        else if (node.Type is CharacterDevice or BlockDevice)
        {
            devices.Add(ToDevice(node, target));
        }
        else
        {
            throw new InvalidArgumentException($"error gathering device information while adding custom device \"{pathOnHost}\": not a device node");
        }
        var rules = devices.Select(d => new LinuxDeviceCgroup { Allow = true, Type = d.Type, Major = d.Major, Minor = d.Minor, Access = permissions }).ToList();
        return (devices, rules);
    }

    /// <summary>Every device node under /dev: what a privileged container sees.</summary>
    public static List<LinuxDevice> HostDevices() =>
        Walk("/dev").Where(d => d.Path != "/dev/console").Select(d => ToDevice(d.Node, d.Path)).ToList();

    private static IEnumerable<(string Path, Node Node)> Walk(string directory)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory).ToList();
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var entry in entries)
        {
            if (Stat(entry, followSymlinks: false) is not { } node)
                continue;
            if (node.Type == DirectoryType)
            {
                if (SkippedDirectories.Contains(Path.GetFileName(entry)))
                    continue;
                foreach (var child in Walk(entry))
                    yield return child;
            }
            else if (node.Type is CharacterDevice or BlockDevice && (node.Major, node.Minor) != (0, 0))
            {
                yield return (entry, node);
            }
        }
    }

    private static LinuxDevice ToDevice(Node node, string containerPath) => new()
    {
        Type = node.Type == BlockDevice ? "b" : "c",
        Path = containerPath,
        Major = node.Major,
        Minor = node.Minor,
        FileMode = node.Permissions,
        Uid = node.Uid,
        Gid = node.Gid,
    };

    private static unsafe Node? Stat(string path, bool followSymlinks)
    {
        var buffer = stackalloc byte[StatxSize];
        if (statx(AtFdCwd, path, followSymlinks ? 0 : AtSymlinkNoFollow, StatxTypeModeUidGid, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // ENOENT and ENOTDIR: the path is not there; anything else is a real failure to report.
            if (errno is 2 or 20)
                return null;
            throw new IOException($"statx {path}: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})");
        }
        var span = new ReadOnlySpan<byte>(buffer, StatxSize);
        // struct statx: stx_uid at 20, stx_gid at 24, stx_mode at 28, stx_rdev_major at 128, stx_rdev_minor at 132.
        var mode = (uint)MemoryMarshal.Read<ushort>(span[28..]);
        return new Node(
            mode & FileTypeMask,
            mode & 0xFFF,
            MemoryMarshal.Read<uint>(span[20..]),
            MemoryMarshal.Read<uint>(span[24..]),
            MemoryMarshal.Read<uint>(span[128..]),
            MemoryMarshal.Read<uint>(span[132..]));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int statx(int dirfd, string pathname, int flags, uint mask, byte* statxbuf);
}
