using Microsoft.Win32.SafeHandles;
using static WebEngine.Engine.Lifecycle.ConfinedPathInterop;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// A container's files seen from the host, for docker cp and export. Every file is reached through openat2 with
/// RESOLVE_IN_ROOT on a handle of the container's root, so the kernel keeps each lookup inside it: ".." stops at the
/// root, a symlink (relative or absolute, or swapped in by the container while we copy) is followed inside the
/// container, and no magic link of the container's /proc is followed. While the container runs, the root is its own
/// (/proc/&lt;pid&gt;/root), so its tmpfs, volumes and binds are seen exactly as it sees them; once stopped, its
/// rootfs with its volumes and binds laid over by us.
/// </summary>
internal sealed class ContainerFileSystem : IDisposable
{
    /// <summary>Linux's limit (MAXSYMLINKS): more links than this in one path is a loop.</summary>
    private const int MaxSymlinks = 40;

    private const ulong Confined = ResolveInRoot | ResolveNoMagicLinks;

    private readonly SafeFileHandle _root;
    private readonly bool _readonlyRootfs;

    /// <summary>Every mount, longest destination first: where writes are allowed, and (Laid) which ones we lay over a stopped rootfs ourselves.</summary>
    private readonly List<(string Destination, string Source, bool ReadWrite, bool Laid)> _mounts;

    private ContainerFileSystem(SafeFileHandle root, IEnumerable<(string Destination, string Source, bool ReadWrite, bool Laid)> mounts, bool readonlyRootfs)
    {
        _root = root;
        _readonlyRootfs = readonlyRootfs;
        _mounts = mounts.OrderByDescending(m => m.Destination.Length).ToList();
    }

    /// <summary>A stopped container's files: its rootfs directory, with its binds and volumes laid over it.</summary>
    public static ContainerFileSystem OfRootfs(string rootfs, IEnumerable<MountPoint> mounts, bool readonlyRootfs)
    {
        var root = OpenHostPath(rootfs, directory: true) ?? throw new ConflictException($"{rootfs} is gone: the container is being removed");
        return new ContainerFileSystem(root,
            mounts.Where(m => m.Type is "bind" or "volume" && m.Source.Length > 0).Select(m => (Clean(m.Destination), m.Source, m.ReadWrite, true)),
            readonlyRootfs);
    }

    /// <summary>
    /// A running container's files as its process sees them, through /proc/&lt;pid&gt;/root; null when that process is not
    /// the container's (it ended, and the pid may belong to someone else now): its root must be the container's rootfs.
    /// </summary>
    public static ContainerFileSystem? OfProcess(int pid, string rootfs, IEnumerable<MountPoint> mounts, bool readonlyRootfs)
    {
        var root = OpenHostPath($"/proc/{pid}/root", directory: true);
        if (root is null)
            return null;
        if (Stat(root, "") is not { } seen || Stat(null, rootfs + "/.") is not { } expected || (seen.Dev, seen.Ino) != (expected.Dev, expected.Ino))
        {
            root.Dispose();
            return null;
        }
        return new ContainerFileSystem(root,
            mounts.Select(m => (Clean(m.Destination), m.Source, m.ReadWrite && !m.Mode.Split(',').Contains("ro"), false)),
            readonlyRootfs);
    }

    public void Dispose() => _root.Dispose();

    /// <summary>The absolute, lexically clean form of a container path ("a/../b" is "/b"; ".." at the root stays at the root).</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    public static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;

    /// <summary>Whether writes to the resolved container path land on something writable (a rw mount, or the rootfs when it is not read-only).</summary>
    public bool IsWritable(string containerPath)
    {
        foreach (var (destination, _, readWrite, _) in _mounts)
        {
            if (Contains(destination, containerPath))
                return readWrite;
        }
        return !_readonlyRootfs;
    }

    /// <summary>
    /// The entry of a resolved container path: a handle of its parent directory, confined to the container, and its
    /// name. Null when the parent directory does not exist.
    /// </summary>
    public ConfinedEntry? Entry(string containerPath)
    {
        if (containerPath == "/")
            return Openat2(_root, ".", OPath | ODirectory, Confined) is { } self ? new ConfinedEntry(self, ".") : null;
        foreach (var (destination, source, _, laid) in _mounts)
        {
            if (laid && destination == containerPath)
            {
                var parent = OpenHostPath(Path.GetDirectoryName(source) ?? "/", directory: true);
                return parent is null ? null : new ConfinedEntry(parent, Path.GetFileName(source) is { Length: > 0 } name ? name : ".");
            }
        }
        var slash = containerPath.LastIndexOf('/');
        var directory = Open(slash == 0 ? "/" : containerPath[..slash], OPath | ODirectory);
        return directory is null ? null : new ConfinedEntry(directory, containerPath[(slash + 1)..]);
    }

    /// <summary>Opens a resolved container path; the kernel follows any symlink in it inside the container only.</summary>
    public SafeFileHandle? Open(string containerPath, ulong flags)
    {
        foreach (var (destination, source, _, laid) in _mounts)
        {
            if (!laid || !Contains(destination, containerPath))
                continue;
            using var mountRoot = OpenHostPath(source, directory: true);
            return mountRoot is null ? null : Openat2(mountRoot, Relative(containerPath[destination.Length..]), flags, Confined);
        }
        return Openat2(_root, Relative(containerPath), flags, Confined);
    }

    /// <summary>
    /// Resolves every symlink of <paramref name="containerPath"/> inside the container (the last component only when
    /// <paramref name="followFinal"/>); components that do not exist are kept as they are. The result names the
    /// file (stat's linkTarget, the mount it is on); the file itself is then reached through <see cref="Entry"/>.
    /// </summary>
    public string Resolve(string containerPath, bool followFinal)
    {
        var pending = new LinkedList<string>(containerPath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        var links = 0;
        while (pending.First is { } first)
        {
            var part = first.Value;
            pending.RemoveFirst();
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (resolved.Count > 0)
                    resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = "/" + string.Join('/', resolved.Append(part));
            if ((pending.Count > 0 || followFinal) && LinkTarget(candidate) is { } target)
            {
                if (++links > MaxSymlinks)
                    throw new InvalidArgumentException($"{containerPath}: too many levels of symbolic links");
                if (target.StartsWith('/'))
                    resolved.Clear();
                foreach (var segment in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                    pending.AddFirst(segment);
                continue;
            }
            resolved.Add(part);
        }
        return "/" + string.Join('/', resolved);
    }

    /// <summary>The target of the symlink at a container path; null when it is not a symlink (or does not exist).</summary>
    private string? LinkTarget(string containerPath)
    {
        using var entry = Entry(containerPath);
        return entry?.Stat() is { Type: SymlinkType } ? entry.ReadLink() : null;
    }

    private static bool Contains(string destination, string containerPath) =>
        containerPath == destination || destination == "/" || containerPath.StartsWith(destination + "/", StringComparison.Ordinal);

    private static string Relative(string path) => path.Trim('/') is { Length: > 0 } relative ? relative : ".";

    public const uint SymlinkType = 0xA000;
    public const uint DirectoryType = 0x4000;
    public const uint RegularType = 0x8000;
    public const uint SocketType = 0xC000;
}

/// <summary>
/// A file of a container as a directory handle (already confined to the container) and a name in it. Its
/// <see cref="Path"/> goes through our own /proc/self/fd, so path-based calls reach exactly that directory; calls
/// that would follow a final symlink must go through <see cref="OpenNoFollow"/> instead.
/// </summary>
internal sealed class ConfinedEntry(SafeFileHandle directory, string name, bool ownsDirectory = true) : IDisposable
{
    public SafeFileHandle Directory { get; } = directory;
    public string Name { get; } = name;
    public string Path => $"/proc/self/fd/{Directory.DangerousGetHandle()}/{Name}";

    public ConfinedFileStat? Stat() => ConfinedPathInterop.Stat(Directory, Name);

    public string? ReadLink() => ConfinedPathInterop.ReadLink(Directory, Name);

    /// <summary>Opens the file itself (never a symlink's target: a final symlink fails with ELOOP).</summary>
    public SafeFileHandle? OpenNoFollow(ulong flags) =>
        Openat2(Directory, Name, flags | ONofollow, ResolveNoMagicLinks);

    public void Dispose()
    {
        if (ownsDirectory)
            Directory.Dispose();
    }
}
