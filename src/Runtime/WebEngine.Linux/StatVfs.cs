using System.Runtime.InteropServices;

namespace WebEngine.Linux;

/// <summary>statvfs(3) mount flags, translated to the MS_* flags that mount(2) takes; statfs(2)'s filesystem type.</summary>
public static unsafe partial class StatVfs
{
    private const ulong ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8, ST_NOATIME = 1024,
        ST_NODIRATIME = 2048, ST_RELATIME = 4096;

    public static bool TryGetFlags(string path, out ulong mountFlags)
    {
        // struct statvfs on 64-bit Linux: eleven 8-byte fields then spare ints; f_flag is the tenth field.
        var buffer = stackalloc ulong[16];
        mountFlags = 0;
        if (statvfs(path, buffer) == -1)
            return false;
        var st = buffer[9];
        if ((st & ST_RDONLY) != 0) mountFlags |= Libc.MS_RDONLY;
        if ((st & ST_NOSUID) != 0) mountFlags |= Libc.MS_NOSUID;
        if ((st & ST_NODEV) != 0) mountFlags |= Libc.MS_NODEV;
        if ((st & ST_NOEXEC) != 0) mountFlags |= Libc.MS_NOEXEC;
        if ((st & ST_NOATIME) != 0) mountFlags |= Libc.MS_NOATIME;
        if ((st & ST_NODIRATIME) != 0) mountFlags |= Libc.MS_NODIRATIME;
        if ((st & ST_RELATIME) != 0) mountFlags |= Libc.MS_RELATIME;
        return true;
    }

    /// <summary>statfs(2)'s f_type of the filesystem holding <paramref name="path"/> (e.g. <see cref="Cgroup2Magic"/>); false when it fails.</summary>
    public static bool TryGetFilesystemType(string path, out long type)
    {
        // struct statfs on 64-bit Linux: f_type is the first word; the whole struct is 120 bytes.
        var buffer = stackalloc long[32];
        type = 0;
        if (statfs(path, buffer) == -1)
            return false;
        type = buffer[0];
        return true;
    }

    public const long Cgroup2Magic = 0x63677270;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statvfs(string path, ulong* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statfs(string path, long* buffer);
}
