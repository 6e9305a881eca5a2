using System.Runtime.InteropServices;
using System.Text;

namespace WebEngine.Linux;

/// <summary>Throwing wrappers over <see cref="Libc"/>: each failure names the operation, its operands and the errno.</summary>
public static unsafe class Sys
{
    public static void Mount(string? source, string target, string? fstype, ulong flags, string? data)
    {
        if (Libc.Mount(source, target, fstype, flags, data) == -1)
            throw LinuxException.FromLastError($"mount {source ?? fstype ?? "none"} on {target}");
    }

    public static void Umount(string target, int flags)
    {
        if (Libc.Umount2(target, flags) == -1)
            throw LinuxException.FromLastError($"umount {target}");
    }

    public static void PivotRoot(string newRoot, string putOld)
    {
        if (Libc.PivotRoot(newRoot, putOld) == -1)
            throw LinuxException.FromLastError($"pivot_root {newRoot}");
    }

    public static void Unshare(int flags)
    {
        if (Libc.Unshare(flags) == -1)
            throw LinuxException.FromLastError($"unshare 0x{flags:x}");
    }

    /// <summary>Joins the namespace at <paramref name="path"/> (e.g. /proc/42/ns/net) on the calling thread.</summary>
    public static void Setns(string path, int nstype)
    {
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd == -1)
            throw LinuxException.FromLastError($"open namespace {path}");
        try
        {
            if (Libc.Setns(fd, nstype) == -1)
                throw LinuxException.FromLastError($"setns {path}");
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public static void Sethostname(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            if (Libc.Sethostname(p, (nuint)bytes.Length) == -1)
                throw LinuxException.FromLastError($"sethostname {name}");
        }
    }

    public static void Setdomainname(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            if (Libc.Setdomainname(p, (nuint)bytes.Length) == -1)
                throw LinuxException.FromLastError($"setdomainname {name}");
        }
    }

    public static void Chdir(string path)
    {
        if (Libc.Chdir(path) == -1)
            throw LinuxException.FromLastError($"chdir {path}");
    }

    public static void Mknod(string path, uint mode, ulong dev)
    {
        if (Libc.Mknod(path, mode, dev) == -1)
            throw LinuxException.FromLastError($"mknod {path}");
    }

    public static void Chown(string path, uint uid, uint gid)
    {
        if (Libc.Chown(path, uid, gid) == -1)
            throw LinuxException.FromLastError($"chown {path}");
    }

    public static void Symlink(string target, string linkPath)
    {
        if (Libc.Symlink(target, linkPath) == -1)
            throw LinuxException.FromLastError($"symlink {target} to {linkPath}");
    }

    public static int Open(string path, int flags, uint mode = 0)
    {
        var fd = Libc.Open(path, flags | Libc.O_CLOEXEC, mode);
        if (fd == -1)
            throw LinuxException.FromLastError($"open {path}");
        return fd;
    }

    /// <summary>A pipe whose ends are close-on-exec.</summary>
    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_CLOEXEC) == -1)
            throw LinuxException.FromLastError("pipe2");
        return (fds[0], fds[1]);
    }

    public static void SetCloseOnExec(int fd, bool closeOnExec)
    {
        var flags = Libc.Fcntl(fd, Libc.F_GETFD, 0);
        if (flags == -1)
            throw LinuxException.FromLastError($"fcntl F_GETFD {fd}");
        flags = closeOnExec ? flags | Libc.FD_CLOEXEC : flags & ~Libc.FD_CLOEXEC;
        if (Libc.Fcntl(fd, Libc.F_SETFD, flags) == -1)
            throw LinuxException.FromLastError($"fcntl F_SETFD {fd}");
    }

    /// <summary>Marks every fd from <paramref name="first"/> up close-on-exec, so execve passes only what is meant.</summary>
    public static void CloseOnExecFrom(int first)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd >= first)
                Libc.Fcntl(fd, Libc.F_SETFD, Libc.FD_CLOEXEC);
        }
    }

    public static void Prctl(int option, ulong arg2, string what)
    {
        if (Libc.Prctl(option, arg2, 0, 0, 0) == -1)
            throw LinuxException.FromLastError($"prctl {what}");
    }

    public static void WriteAll(int fd, ReadOnlySpan<byte> data, string what)
    {
        fixed (byte* p = data)
        {
            var offset = 0;
            while (offset < data.Length)
            {
                var n = Libc.Write(fd, p + offset, (nuint)(data.Length - offset));
                if (n == -1)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                        continue;
                    throw new LinuxException($"write {what}", errno);
                }
                offset += (int)n;
            }
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false when end of file comes first.</summary>
    public static bool ReadExactly(int fd, Span<byte> buffer, string what)
    {
        fixed (byte* p = buffer)
        {
            var offset = 0;
            while (offset < buffer.Length)
            {
                var n = Libc.Read(fd, p + offset, (nuint)(buffer.Length - offset));
                if (n == -1)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                        continue;
                    throw new LinuxException($"read {what}", errno);
                }
                if (n == 0)
                    return false;
                offset += (int)n;
            }
            return true;
        }
    }

    /// <summary>Reads one byte; false at end of file.</summary>
    public static bool ReadByte(int fd, string what, out byte value)
    {
        byte b;
        while (true)
        {
            var n = Libc.Read(fd, &b, 1);
            if (n == -1)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                    continue;
                throw new LinuxException($"read {what}", errno);
            }
            value = b;
            return n == 1;
        }
    }

    /// <summary>Replaces the calling process with <paramref name="path"/>; returns only by throwing.</summary>
    public static void Execve(string path, IReadOnlyList<string> args, IReadOnlyList<string> env)
    {
        var strings = new List<nint>();
        try
        {
            var pathPtr = Utf8(path, strings);
            var argv = stackalloc byte*[args.Count + 1];
            for (var i = 0; i < args.Count; i++)
                argv[i] = Utf8(args[i], strings);
            argv[args.Count] = null;
            var envp = (byte**)NativeMemory.Alloc((nuint)(env.Count + 1), (nuint)sizeof(byte*));
            strings.Add((nint)envp);
            for (var i = 0; i < env.Count; i++)
                envp[i] = Utf8(env[i], strings);
            envp[env.Count] = null;
            Libc.Execve(pathPtr, argv, envp);
            throw LinuxException.FromLastError($"exec {path}");
        }
        finally
        {
            foreach (var p in strings)
                NativeMemory.Free((void*)p);
        }
    }

    private static byte* Utf8(string s, List<nint> owned)
    {
        var length = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)length + 1);
        owned.Add((nint)p);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, length));
        p[length] = 0;
        return p;
    }

    /// <summary>stat(2), or null when the path does not exist.</summary>
    public static Stat? TryStat(string path)
    {
        Stat st;
        return Libc.StatPath(path, &st) == -1 ? null : st;
    }
}
