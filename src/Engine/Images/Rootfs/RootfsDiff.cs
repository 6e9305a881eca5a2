using Microsoft.Win32.SafeHandles;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Images.Rootfs;

/// <summary>
/// A path of a container's own layer, as docker diff reports it and docker commit's layer holds it: the change, and
/// for a directory whose lower entries are all gone (an overlay opaque directory) that it is opaque; a deletion that
/// only follows from such a directory is <see cref="HiddenByOpaque"/> (listed by diff, not written to the layer).
/// </summary>
internal sealed record LayerChange(string Path, RootfsChangeKind Kind, bool Opaque = false, bool HiddenByOpaque = false);

/// <summary>
/// The changes of a container's root file system against its image's layers. With an overlay, the upper dir holds
/// them: an entry there is added when no lower layer has it, else modified; a whiteout (character device 0/0) is a
/// deletion; an opaque directory (trusted.overlay.opaque=y) hides every lower entry below it. Where the rootfs is a
/// plain copy of the layers, the whole tree is compared with them instead, as Docker's naive diff does. A directory
/// that only holds changes below it is listed as modified, as Docker lists it; the paths the engine makes for its own
/// mounts (/etc/hosts, resolv.conf, hostname, /dev, /proc, /sys: Docker's init layer) are never changes.
/// </summary>
internal sealed class RootfsDiff
{
    private const string OpaqueXattr = "trusted.overlay.opaque";

    /// <summary>The mount points the engine makes in every container (Docker keeps them in its init layer).</summary>
    public static readonly IReadOnlyList<string> EngineMountPoints =
        ["/dev", "/proc", "/sys", "/.dockerenv", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/mtab"];

    private readonly string _tree;
    private readonly IReadOnlyList<string> _lowers;
    private readonly bool _completeTree;
    private readonly IReadOnlyList<string> _excluded;

    /// <param name="tree">The upper dir of the overlay, or the whole rootfs when <paramref name="completeTree"/>.</param>
    /// <param name="lowers">The image's unpacked layers (overlay form), topmost first.</param>
    /// <param name="excluded">Absolute container paths that are not changes, nor anything below them.</param>
    public RootfsDiff(string tree, IReadOnlyList<string> lowers, bool completeTree, IReadOnlyList<string> excluded)
    {
        _tree = tree;
        _lowers = lowers;
        _completeTree = completeTree;
        _excluded = excluded;
    }

    /// <summary>The host path of the tree's root.</summary>
    public string TreeRoot => _tree;

    // The tree is the container's to change while it runs: its entries are reached from a handle of the tree's root
    // with openat2 (symlinks resolved inside it, no magic links) and then by name in their directory, never by a host
    // path, so a directory swapped for a symlink meanwhile cannot lead the walk to the host's files.

    /// <summary>statx of a path of the tree (a final symlink not followed); null when it is not there.</summary>
    public ConfinedFileStat? TreeStat(string path) => InTreeDirectory(path, (directory, name) => ConfinedPathInterop.Stat(directory, name));

    /// <summary>The target of a symlink of the tree.</summary>
    public string? TreeLinkTarget(string path) => InTreeDirectory(path, ConfinedPathInterop.ReadLink);

    /// <summary>The xattrs of a path of the tree (of a symlink itself), by name.</summary>
    public IReadOnlyList<(string Name, byte[] Value)> TreeXattrs(string path) => InTreeDirectory(path, (directory, name) =>
    {
        var entry = $"/proc/self/fd/{directory.DangerousGetHandle()}/{name}";
        return FileSystemInterop.Llistxattr(entry).Select(x => (x, FileSystemInterop.Lgetxattr(entry, x))).Where(x => x.Item2 is not null)
            .Select(x => (x.Item1, x.Item2!)).ToList();
    }) ?? [];

    private T? InTreeDirectory<T>(string path, Func<SafeFileHandle, string, T?> read)
    {
        using var directory = OpenTreeDirectory(Path.GetDirectoryName(path) ?? "/");
        return directory is null ? default : read(directory, Path.GetFileName(path));
    }

    private SafeFileHandle? OpenTreeDirectory(string directory)
    {
        using var root = ConfinedPathInterop.OpenHostPath(_tree, directory: true)
                         ?? throw new ConflictException("the container's root file system is gone");
        var relative = directory.TrimStart('/');
        return ConfinedPathInterop.Openat2(root, relative.Length == 0 ? "." : relative,
            ConfinedPathInterop.OPath | ConfinedPathInterop.ODirectory | ConfinedPathInterop.ONofollow,
            ConfinedPathInterop.ResolveInRoot | ConfinedPathInterop.ResolveNoMagicLinks);
    }

    private List<string> TreeNames(string directory)
    {
        using var handle = OpenTreeDirectory(directory);
        return handle is null ? [] : List($"/proc/self/fd/{handle.DangerousGetHandle()}");
    }

    /// <summary>Every change, each directory right before its entries, in ordinal order.</summary>
    public IReadOnlyList<LayerChange> Compute()
    {
        var changes = new List<LayerChange>();
        if (_completeTree)
            AddGone("/", opaque: false, changes);
        WalkDirectory("/", lowerHidden: false, changes);
        changes.Sort((a, b) => ComparePaths(a.Path, b.Path));
        return changes;
    }

    /// <summary>Ordinal order component by component: a directory comes right before what is in it.</summary>
    private static int ComparePaths(string a, string b)
    {
        var left = a.Split('/');
        var right = b.Split('/');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var order = string.CompareOrdinal(left[i], right[i]);
            if (order != 0)
                return order;
        }
        return left.Length.CompareTo(right.Length);
    }

    /// <summary>What the lower layers show in the directory and the tree no longer has is gone.</summary>
    private void AddGone(string directory, bool opaque, List<LayerChange> changes)
    {
        var kept = TreeNames(directory).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in LowerNames(directory).Where(n => !kept.Contains(n) && !IsExcluded(Join(directory, n))))
            changes.Add(new LayerChange(Join(directory, gone), RootfsChangeKind.Deleted, HiddenByOpaque: opaque));
    }

    private void WalkDirectory(string directory, bool lowerHidden, List<LayerChange> changes)
    {
        var names = TreeNames(directory);
        foreach (var name in names)
        {
            var path = Join(directory, name);
            if (IsExcluded(path) || TreeStat(path) is not { } status)
                continue;
            if (!_completeTree && IsWhiteout(status))
            {
                if (!lowerHidden && Lower(path) is not null)
                    changes.Add(new LayerChange(path, RootfsChangeKind.Deleted));
                continue;
            }
            var lower = lowerHidden ? null : Lower(path);
            var isDirectory = status.Type == ContainerFileSystem.DirectoryType;
            if (lower is null || !isDirectory || lower.Value.Type != ContainerFileSystem.DirectoryType)
            {
                if (lower is null)
                    changes.Add(new LayerChange(path, RootfsChangeKind.Added));
                else if (!_completeTree || Differs(status, lower.Value, path, inTree: true))
                    changes.Add(new LayerChange(path, RootfsChangeKind.Modified));
                if (isDirectory)
                    WalkDirectory(path, lowerHidden: true, changes);
                continue;
            }
            var opaque = !_completeTree && InTreeDirectory(path, (directory, name) => FileSystemInterop.Lgetxattr($"/proc/self/fd/{directory.DangerousGetHandle()}/{name}", OpaqueXattr)) is [(byte)'y'];
            var start = changes.Count;
            changes.Add(new LayerChange(path, RootfsChangeKind.Modified, opaque));
            if (opaque || _completeTree)
                AddGone(path, opaque, changes);
            WalkDirectory(path, lowerHidden: opaque, changes);
            if (!opaque && changes.Count == start + 1 && !Differs(status, lower.Value, path, inTree: false))
                changes.RemoveAt(start);
        }
    }

    /// <summary>
    /// Whether the entry's own metadata differs from the lower one's: owner and mode; the mtime too, except for a
    /// directory above one of the engine's mount points (making them touched it); size and link target for the rest.
    /// </summary>
    private bool Differs(ConfinedFileStat upper, ConfinedFileStat lower, string path, bool inTree)
    {
        if (upper.Mode != lower.Mode || upper.Uid != lower.Uid || upper.Gid != lower.Gid)
            return true;
        if (upper.Mtime != lower.Mtime && !_excluded.Any(e => e.StartsWith(path + "/", StringComparison.Ordinal)))
            return true;
        if (upper.Type == ContainerFileSystem.DirectoryType)
            return false;
        if (upper.Size != lower.Size || upper.RdevMajor != lower.RdevMajor || upper.RdevMinor != lower.RdevMinor)
            return true;
        return upper.Type == ContainerFileSystem.SymlinkType && inTree && TreeLinkTarget(path) != LowerLinkTarget(path);
    }

    /// <summary>What the image's layers show at <paramref name="path"/> (the topmost layer that has it, unless a whiteout, an opaque directory or a file above hides it).</summary>
    internal ConfinedFileStat? Lower(string path) => LowerHost(path) is { } found ? Stat(found) : null;

    private string? LowerHost(string path)
    {
        var components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var layer in _lowers)
        {
            var current = layer;
            var opaqueAbove = false;
            for (var i = 0; i < components.Length; i++)
            {
                current = Path.Combine(current, components[i]);
                if (Stat(current) is not { } status)
                    break;
                if (IsWhiteout(status))
                    return null;
                if (i == components.Length - 1)
                    return current;
                if (status.Type != ContainerFileSystem.DirectoryType)
                    return null;
                opaqueAbove |= FileSystemInterop.Lgetxattr(current, OpaqueXattr) is [(byte)'y'];
            }
            if (opaqueAbove)
                return null;
        }
        return null;
    }

    private string? LowerLinkTarget(string path) =>
        LowerHost(path) is { } found ? new FileInfo(found).LinkTarget : null;

    /// <summary>The names the image's layers show in a directory.</summary>
    private IEnumerable<string> LowerNames(string directory) =>
        _lowers.SelectMany(layer => Names(layer + directory)).Distinct(StringComparer.Ordinal)
            .Where(name => Lower(Join(directory, name)) is not null).Order(StringComparer.Ordinal);

    private bool IsExcluded(string path) =>
        _excluded.Any(e => path == e || path.StartsWith(e + "/", StringComparison.Ordinal));

    /// <summary>The names in a directory of a layer, sorted; none when the path is not a directory itself (a symlink is never followed).</summary>
    private static List<string> Names(string directory) =>
        Stat(directory)?.Type == ContainerFileSystem.DirectoryType ? List(directory) : [];

    private static List<string> List(string directory) =>
        new DirectoryInfo(directory)
            .EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false })
            .Select(i => i.Name).Order(StringComparer.Ordinal).ToList();

    internal static ConfinedFileStat? Stat(string hostPath) => ConfinedPathInterop.Stat(null, hostPath);

    internal static bool IsWhiteout(ConfinedFileStat status) =>
        status.Type == FileSystemInterop.S_IFCHR && status.RdevMajor == 0 && status.RdevMinor == 0;

    internal static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;
}
