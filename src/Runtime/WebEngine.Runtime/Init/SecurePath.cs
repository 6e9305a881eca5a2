using System.Runtime.InteropServices;
using System.Text;
using WebEngine.Linux;

namespace WebEngine.Runtime.Init;

/// <summary>
/// Resolves a container path under the rootfs as if the rootfs were "/": symlinks (absolute or with "..")
/// are followed but can never lead out of it, so a hostile image cannot make the runtime mount over host paths.
/// </summary>
public static unsafe class SecurePath
{
    private const int MaxSymlinks = 255;

    public static string Resolve(string rootfs, string unsafePath)
    {
        var resolved = new List<string>();
        var pending = new Stack<string>(Split(unsafePath).Reverse());
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0)
                    resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = Join(rootfs, resolved, part);
            Stat st;
            if (Libc.Lstat(candidate, &st) == -1 || (st.Mode & Libc.S_IFMT) != Libc.S_IFLNK)
            {
                resolved.Add(part);
                continue;
            }
            if (++links > MaxSymlinks)
                throw new LinuxException($"resolve {unsafePath} in {rootfs}", Errno.ELOOP);
            var target = ReadLink(candidate);
            if (target.StartsWith('/'))
                resolved.Clear();
            foreach (var t in Split(target).Reverse())
                pending.Push(t);
        }
        return resolved.Count == 0 ? rootfs : rootfs.TrimEnd('/') + "/" + string.Join('/', resolved);
    }

    /// <summary>Resolves the parent directory of <paramref name="unsafePath"/> but not its last component (to create or replace it).</summary>
    public static string ResolveParent(string rootfs, string unsafePath)
    {
        var name = Path.GetFileName(unsafePath.TrimEnd('/'));
        var parent = Resolve(rootfs, Path.GetDirectoryName(unsafePath.TrimEnd('/')) ?? "/");
        return name is "" or ".." ? parent : parent.TrimEnd('/') + "/" + name;
    }

    /// <summary>Whether anything (even a dangling symlink) exists at <paramref name="path"/>.</summary>
    public static bool Exists(string path)
    {
        Stat st;
        return Libc.Lstat(path, &st) == 0;
    }

    /// <summary>Creates <paramref name="path"/> (a resolved path under <paramref name="rootfs"/>) as a directory or an empty file.</summary>
    public static void Create(string rootfs, string path, bool directory)
    {
        if (Path.Exists(path))
            return;
        var parent = Path.GetDirectoryName(path)!;
        if (!Path.Exists(parent))
            Create(rootfs, parent, directory: true);
        if (directory)
        {
            if (Libc.Mkdir(path, 0b111_101_101) == -1 && Marshal.GetLastPInvokeError() != Errno.EEXIST)
                throw LinuxException.FromLastError($"mkdir {path}");
        }
        else
        {
            var fd = Libc.Open(path, Libc.O_CREAT | Libc.O_WRONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0b110_100_100);
            if (fd == -1)
                throw LinuxException.FromLastError($"create {path}");
            Libc.Close(fd);
        }
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    private static string Join(string rootfs, List<string> resolved, string part) =>
        rootfs.TrimEnd('/') + "/" + (resolved.Count == 0 ? part : string.Join('/', resolved) + "/" + part);

    private static string ReadLink(string path)
    {
        var buffer = stackalloc byte[4096];
        var n = Libc.Readlinkat(Libc.AT_FDCWD, path, buffer, 4096);
        if (n == -1)
            throw LinuxException.FromLastError($"readlink {path}");
        return Encoding.UTF8.GetString(buffer, (int)n);
    }
}
