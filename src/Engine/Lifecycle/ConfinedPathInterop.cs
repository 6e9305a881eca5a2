using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// The fd-relative libc calls docker cp stands on: openat2 (so the kernel, not our code, keeps a path inside the
/// container's root), readlinkat and statx on the handles it returns. Each wrapper throws an <see cref="IOException"/>
/// naming the call, the path and the errno.
/// </summary>
internal static partial class ConfinedPathInterop
{
    public const int Enoent = 2;
    public const int Enotdir = 20;
    public const int Eagain = 11;
    public const int Erofs = 30;
    public const int Eloop = 40;
    public const int Einval = 22;

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const long Openat2Syscall = 437; // the same number on x86_64 and aarch64 (syscalls added after 5.x are unified)

    public const ulong OPath = 0x200000;
    public const ulong OCloexec = 0x80000;
    public const ulong ORdonly = 0;
    public static readonly ulong ODirectory = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000u : 0x10000u;
    public static readonly ulong ONofollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000u : 0x20000u;

    /// <summary>Symlinks are resolved as if the directory handle were "/" (absolute links and ".." stay below it).</summary>
    public const ulong ResolveInRoot = 0x10;

    /// <summary>No /proc/*/fd-style magic link may be followed: a container's /proc cannot hand us a host file.</summary>
    public const ulong ResolveNoMagicLinks = 0x02;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>openat2 on <paramref name="directory"/>; null when a component is missing or not a directory.</summary>
    public static SafeFileHandle? Openat2(SafeFileHandle directory, string path, ulong flags, ulong resolve)
    {
        var how = new OpenHow { Flags = flags | OCloexec, Resolve = resolve };
        for (var attempt = 0; ; attempt++)
        {
            var fd = syscall(Openat2Syscall, (int)directory.DangerousGetHandle(), path, ref how, (nuint)Marshal.SizeOf<OpenHow>());
            if (fd >= 0)
                return new SafeFileHandle((nint)fd, ownsHandle: true);
            var errno = Marshal.GetLastPInvokeError();
            // RESOLVE_IN_ROOT answers EAGAIN when a rename raced with a ".." walk: the kernel asks us to try again.
            if (errno == Eagain && attempt < 16)
                continue;
            if (errno is Enoent or Enotdir)
                return null;
            if (errno == Eloop)
                throw new InvalidArgumentException($"{path}: too many levels of symbolic links, or a symbolic link where a file was expected");
            throw Error(errno, "openat2", path);
        }
    }

    /// <summary>Opens a host path (a trusted one: the rootfs, a volume's directory) as an O_PATH handle.</summary>
    public static SafeFileHandle? OpenHostPath(string path, bool directory)
    {
        var fd = open(path, (int)(OPath | OCloexec | (directory ? ODirectory : 0)));
        if (fd >= 0)
            return new SafeFileHandle(fd, ownsHandle: true);
        var errno = Marshal.GetLastPInvokeError();
        if (errno is Enoent or Enotdir)
            return null;
        throw Error(errno, "open", path);
    }

    /// <summary>The target of the symlink <paramref name="name"/> in <paramref name="directory"/>; null when it is gone or no longer a symlink.</summary>
    public static string? ReadLink(SafeFileHandle directory, string name)
    {
        var buffer = new byte[4096];
        var n = readlinkat((int)directory.DangerousGetHandle(), name, buffer, (nuint)buffer.Length);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Enoent or Enotdir or Einval)
                return null;
            throw Error(errno, "readlinkat", name);
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
    }

    /// <summary>statx of <paramref name="name"/> in <paramref name="directory"/> (the handle itself when empty), never following a final symlink; null when missing.</summary>
    public static unsafe ConfinedFileStat? Stat(SafeFileHandle? directory, string name)
    {
        var buffer = stackalloc byte[256];
        var dirFd = directory is null ? AtFdCwd : (int)directory.DangerousGetHandle();
        var flags = AtSymlinkNoFollow | (name.Length == 0 ? AtEmptyPath : 0);
        if (statx(dirFd, name, flags, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Enoent or Enotdir)
                return null;
            throw Error(errno, "statx", name);
        }
        // struct statx has the same layout on every architecture.
        var mtime = DateTimeOffset.FromUnixTimeSeconds(*(long*)(buffer + 112)).AddTicks(*(uint*)(buffer + 120) / 100);
        return new ConfinedFileStat(*(ushort*)(buffer + 28), *(long*)(buffer + 40), mtime, *(int*)(buffer + 20), *(int*)(buffer + 24),
            *(int*)(buffer + 128), *(int*)(buffer + 132), ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140), *(ulong*)(buffer + 32));
    }

    public static IOException Error(int errno, string operation, string path) =>
        new($"{operation} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial long syscall(long number, int directoryFd, string path, ref OpenHow how, nuint size);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint readlinkat(int directoryFd, string path, byte[] buffer, nuint size);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int statx(int directoryFd, string path, int flags, uint mask, byte* buffer);
}

/// <summary>What statx says about a file: type and permission bits, size, mtime, owner, device numbers, and its identity (Dev, Ino).</summary>
internal readonly record struct ConfinedFileStat(uint Mode, long Size, DateTimeOffset Mtime, int Uid, int Gid, int RdevMajor, int RdevMinor, ulong Dev, ulong Ino)
{
    public uint Type => Mode & 0xF000;
}
