using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WebEngine.Engine.Logs;

/// <summary>
/// Inode numbers, so that a follower can tell that the file at the log's path is no longer the one it has open
/// (the shim renamed it to .1 and started a new one). .NET has no API for them, hence stat(2).
/// </summary>
internal static unsafe partial class FileIdentity
{
    private const int StatBufferSize = 256; // larger than struct stat on every 64-bit Linux ABI
    private const int InodeOffset = 8;     // st_ino follows the 8-byte st_dev on x86-64 and arm64

    public static ulong Of(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[StatBufferSize];
        return fstat((int)handle.DangerousGetHandle(), buffer) == 0 ? *(ulong*)(buffer + InodeOffset) : 0;
    }

    /// <summary>The inode of the file at <paramref name="path"/>, or null when there is none right now.</summary>
    public static ulong? OfPath(string path)
    {
        var buffer = stackalloc byte[StatBufferSize];
        return stat(path, buffer) == 0 ? *(ulong*)(buffer + InodeOffset) : null;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstat(int fd, byte* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat(string path, byte* buffer);
}
