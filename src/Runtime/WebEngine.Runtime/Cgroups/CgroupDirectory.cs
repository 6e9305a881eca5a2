using System.Runtime.InteropServices;
using WebEngine.Linux;

namespace WebEngine.Runtime.Cgroups;

/// <summary>Creates and removes cgroup directories, remembering which ones this process created.</summary>
internal static class CgroupDirectory
{
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The directories from <paramref name="mountPoint"/> (excluded) down to <paramref name="directory"/>,
    /// outermost first.
    /// </summary>
    public static List<string> Levels(string mountPoint, string directory)
    {
        var levels = new List<string>();
        var relative = Path.GetRelativePath(mountPoint, directory);
        if (relative == ".")
            return levels;
        var current = mountPoint;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            levels.Add(current);
        }
        return levels;
    }

    /// <summary>Creates <paramref name="directory"/> if needed; true when this call created it.</summary>
    public static bool Create(string directory) =>
        TryCreateInExistingParent(directory) ?? throw new CgroupException($"mkdir {directory}", CgroupNative.ENOENT);

    /// <summary>
    /// Creates <paramref name="directory"/> if its parent exists: true when this call created it, false when it was
    /// there already, null when the parent is missing.
    /// </summary>
    public static bool? TryCreateInExistingParent(string directory)
    {
        if (CgroupNative.Mkdir(directory, 0x1ed /* 0755 */) == 0)
            return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == CgroupNative.EEXIST)
            return false;
        if (errno == CgroupNative.ENOENT)
            return null;
        throw new CgroupException($"mkdir {directory}", errno);
    }

    /// <summary>
    /// Removes <paramref name="directory"/> and every cgroup below it, deepest first. A cgroup whose
    /// last process is still exiting reports EBUSY for a moment, so that is retried briefly.
    /// Missing directories are fine: removing twice is not an error.
    /// </summary>
    public static void RemoveTree(string directory)
    {
        // The usual case, a container's cgroup without children, takes one rmdir; listing comes only when it fails.
        if (Libc.Rmdir(directory) == 0 || Marshal.GetLastPInvokeError() == CgroupNative.ENOENT)
            return;
        foreach (var child in Directory.EnumerateDirectories(directory))
            RemoveTree(child);
        Remove(directory);
    }

    public static void Remove(string directory) => Rmdir(directory, keepIfCgroupBelow: false);

    /// <summary>
    /// Removes <paramref name="directory"/> only if it is empty of cgroups; true when it is gone. A parent shared with
    /// other containers (/webengine) can gain a cgroup at any moment, from another runtime's create: an rmdir refused
    /// while a cgroup is below is such a case (false, left in place).
    /// </summary>
    public static bool TryRemoveEmpty(string directory) => Rmdir(directory, keepIfCgroupBelow: true);

    /// <summary>
    /// rmdir, retrying EBUSY briefly: a child just removed, or a last process still exiting, keeps its css online for a
    /// moment. With <paramref name="keepIfCgroupBelow"/>, a refusal because a cgroup is below gives false instead.
    /// </summary>
    private static bool Rmdir(string directory, bool keepIfCgroupBelow)
    {
        var deadline = DateTime.UtcNow + RemoveTimeout;
        var delay = 5;
        while (true)
        {
            if (Libc.Rmdir(directory) == 0)
                return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == CgroupNative.ENOENT)
                return true;
            // cgroupfs answers EBUSY for a cgroup below; a plain directory (the v2 tests' fake cgroupfs) ENOTEMPTY.
            if (keepIfCgroupBelow && (errno == Errno.ENOTEMPTY || (errno == CgroupNative.EBUSY && Directory.EnumerateDirectories(directory).Any())))
                return false;
            if (errno != CgroupNative.EBUSY || DateTime.UtcNow > deadline)
                throw new CgroupException($"rmdir {directory}", errno);
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 100);
        }
    }
}
