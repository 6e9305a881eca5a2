using System.Runtime.InteropServices;

namespace WebEngine.Engine.Images;

/// <summary>
/// The libc calls layer unpacking and overlay mounts need and .NET does not offer: each wrapper throws an
/// <see cref="IOException"/> naming the call, the path and the errno.
/// </summary>
internal static partial class FileSystemInterop
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFIFO = 0x1000;
    private const int CloneFs = 0x200;
    public const int MntDetach = 2;
    public const ulong MsNoSuid = 2, MsNoDev = 4, MsNoExec = 8;
    private const int Enodata = 61;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static void Lchown(string path, int uid, int gid) =>
        Check(lchown(path, uid, gid), "lchown", path);

    public static void Chmod(string path, int mode) =>
        Check(chmod(path, (uint)mode & 0xFFF), "chmod", path);

    public static void Mknod(string path, uint type, int mode, int major, int minor) =>
        Check(mknod(path, type | ((uint)mode & 0xFFF), MakeDev(major, minor)), "mknod", path);

    public static void Link(string existing, string newPath) =>
        Check(link(existing, newPath), "link", $"{newPath} -> {existing}");

    public static void Lsetxattr(string path, string name, byte[] value) =>
        Check(lsetxattr(path, name, value, (nuint)value.Length, 0), $"lsetxattr {name}", path);

    /// <summary>Reads an extended attribute of the file itself (not a symlink's target); null when absent.</summary>
    public static byte[]? Lgetxattr(string path, string name)
    {
        var buffer = new byte[4096];
        var n = lgetxattr(path, name, buffer, (nuint)buffer.Length);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Enodata)
                return null;
            throw Error(errno, $"lgetxattr {name}", path);
        }
        return buffer[..(int)n];
    }

    /// <summary>Lists the names of a file's extended attributes (without following a symlink).</summary>
    public static string[] Llistxattr(string path)
    {
        var buffer = new byte[65536];
        var n = llistxattr(path, buffer, (nuint)buffer.Length);
        if (n < 0)
            throw Error(Marshal.GetLastPInvokeError(), "llistxattr", path);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Sets access and modification time of the file itself (a symlink is not followed).</summary>
    public static void Lutimes(string path, DateTimeOffset accessTime, DateTimeOffset modificationTime)
    {
        Span<Timespec> times = [ToTimespec(accessTime), ToTimespec(modificationTime)];
        Check(utimensat(AtFdCwd, path, ref times[0], AtSymlinkNoFollow), "utimensat", path);
    }

    public static void Mount(string source, string target, string type, ulong flags, string? data) =>
        Check(mount(source, target, type, flags, data), $"mount {type} ({data?.Length ?? 0} bytes of options)", target);

    public static void Unmount(string target, int flags) => Check(umount2(target, flags), "umount2", target);

    /// <summary>Gives the calling thread its own current directory, so a chdir does not move the whole process.</summary>
    public static void UnshareFileSystemAttributes() => Check(unshare(CloneFs), "unshare(CLONE_FS)", "");

    public static void Chdir(string path) => Check(chdir(path), "chdir", path);

    public const uint S_IFMT = 0xF000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFLNK = 0xA000;

    /// <summary>The file type bits (S_IFMT) of the path itself, or null when nothing is there.</summary>
    public static uint? LstatType(string path) => Lstat(path) is { } status ? status.Mode & S_IFMT : null;

    /// <summary>True when <paramref name="path"/> is a character device with device number 0/0 (an overlay whiteout).</summary>
    public static bool IsWhiteoutDevice(string path) => Lstat(path) is { } status && (status.Mode & S_IFMT) == S_IFCHR && status.Rdev == 0;

    /// <summary>The device number (st_rdev) of a device node, split into major and minor.</summary>
    public static (int Major, int Minor) DeviceNumber(string path)
    {
        var rdev = (Lstat(path) ?? throw Error(2, "lstat", path)).Rdev;
        var major = (int)(((rdev >> 32) & 0xfffff000) | ((rdev >> 8) & 0xfff));
        var minor = (int)(((rdev >> 12) & 0xffffff00) | (rdev & 0xff));
        return (major, minor);
    }

    /// <summary>lstat: type and mode bits, owner and device number of the path itself; null when it does not exist.</summary>
    public static unsafe FileStatus? Lstat(string path)
    {
        var buffer = stackalloc byte[256];
        if (lstat(path, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is 2 or 20)
                return null;
            throw Error(errno, "lstat", path);
        }
        // struct stat of glibc: the field offsets differ between x86_64 and aarch64.
        return RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? new FileStatus(*(uint*)(buffer + 24), *(int*)(buffer + 28), *(int*)(buffer + 32), *(ulong*)(buffer + 40))
            : new FileStatus(*(uint*)(buffer + 16), *(int*)(buffer + 24), *(int*)(buffer + 28), *(ulong*)(buffer + 32));
    }

    private static ulong MakeDev(int major, int minor) =>
        (((ulong)major & 0xfffff000) << 32) | (((ulong)major & 0xfff) << 8) | (((ulong)minor & 0xffffff00) << 12) | ((ulong)minor & 0xff);

    private static Timespec ToTimespec(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }
        return new Timespec { Seconds = seconds, Nanoseconds = remainder * 100 };
    }

    private static void Check(int result, string operation, string path)
    {
        if (result != 0)
            throw Error(Marshal.GetLastPInvokeError(), operation, path);
    }

    private static IOException Error(int errno, string operation, string path) =>
        new($"{operation} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int lchown(string path, int owner, int group);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int chmod(string path, uint mode);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int link(string oldPath, string newPath);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int lsetxattr(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint lgetxattr(string path, string name, byte[] value, nuint size);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint llistxattr(string path, byte[] list, nuint size);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int utimensat(int dirFd, string path, ref Timespec times, int flags);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int mount(string source, string target, string fileSystemType, ulong flags, string? data);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int umount2(string target, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unshare(int flags);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int chdir(string path);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int lstat(string path, byte* buffer);
}

/// <summary>The fields of struct stat the image code needs.</summary>
internal readonly record struct FileStatus(uint Mode, int Uid, int Gid, ulong Rdev);
