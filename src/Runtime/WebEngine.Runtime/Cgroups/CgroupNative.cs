using System.Runtime.InteropServices;

namespace WebEngine.Runtime.Cgroups;

/// <summary>libc calls whose errno the cgroup code reports (System.IO hides it).</summary>
internal static partial class CgroupNative
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EOPNOTSUPP = 95;

    public const int O_WRONLY = 0x1;
    public const int O_TRUNC = 0x200;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mkdir(string path, uint mode);
}
