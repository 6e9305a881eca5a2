using System.Runtime.InteropServices;

namespace WebEngine.Shim;

/// <summary>The libc calls the shim makes (x86-64/arm64 glibc layouts); kept here so the shim depends on no other project's interop.</summary>
internal static unsafe partial class Interop
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_APPEND = 0x400, O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
    public const int MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    public const int SHUT_WR = 1, SHUT_RDWR = 2;
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    public const int EINTR = 4, ECHILD = 10, EAGAIN = 11, ESRCH = 3, EIO = 5;
    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int F_SETPIPE_SZ = 1031;
    public const ulong TIOCSWINSZ = 0x5414;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;
    public const short POLLIN = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows, Columns, XPixels, YPixels;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] public static partial int bind(int fd, byte* address, int length);
    [LibraryImport("libc", SetLastError = true)] public static partial int connect(int fd, byte* address, int length);
    [LibraryImport("libc", SetLastError = true)] public static partial int listen(int fd, int backlog);
    [LibraryImport("libc", SetLastError = true)] public static partial int accept4(int fd, void* address, void* length, int flags);
    [LibraryImport("libc", SetLastError = true)] public static partial nint read(int fd, byte* buffer, nint count);
    [LibraryImport("libc", SetLastError = true)] public static partial nint write(int fd, byte* buffer, nint count);
    [LibraryImport("libc", SetLastError = true)] public static partial nint send(int fd, byte* buffer, nint count, int flags);
    [LibraryImport("libc", SetLastError = true)] public static partial nint recvmsg(int fd, MsgHdr* message, int flags);
    [LibraryImport("libc", SetLastError = true)] public static partial int shutdown(int fd, int how);
    [LibraryImport("libc", SetLastError = true)] public static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] public static partial int pipe2(int* fds, int flags);
    [LibraryImport("libc", SetLastError = true)] public static partial int fcntl(int fd, int command, int argument);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int open(string path, int flags, int mode);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int unlink(string path);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int rename(string from, string to);
    [LibraryImport("libc", SetLastError = true)] public static partial int poll(PollFd* fds, nuint count, int timeoutMs);
    [LibraryImport("libc", SetLastError = true)] public static partial int waitpid(int pid, int* status, int options);
    [LibraryImport("libc", SetLastError = true)] public static partial int kill(int pid, int signal);
    [LibraryImport("libc", SetLastError = true)] public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    [LibraryImport("libc", SetLastError = true)] public static partial int ioctl(int fd, nuint request, void* argument);
    [LibraryImport("libc", SetLastError = true)] public static partial int clock_gettime(int clock, Timespec* time);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn(int* pid, string path, void* fileActions, void* attributes, byte** argv, byte** envp);
    [LibraryImport("libc")] public static partial int posix_spawn_file_actions_init(void* fileActions);
    [LibraryImport("libc")] public static partial int posix_spawn_file_actions_destroy(void* fileActions);
    [LibraryImport("libc")] public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);
    [LibraryImport("libc")] public static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int from);
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, string path, int flags, int mode);
    [LibraryImport("libc")] public static partial int posix_spawnattr_init(void* attributes);
    [LibraryImport("libc")] public static partial int posix_spawnattr_destroy(void* attributes);
    [LibraryImport("libc")] public static partial int posix_spawnattr_setflags(void* attributes, short flags);
    [LibraryImport("libc")] public static partial int posix_spawnattr_setsigdefault(void* attributes, void* signals);
    [LibraryImport("libc")] public static partial int posix_spawnattr_setsigmask(void* attributes, void* signals);
    [LibraryImport("libc")] public static partial int sigfillset(void* set);
    [LibraryImport("libc")] public static partial int sigemptyset(void* set);

    /// <summary>The errno of the P/Invoke that just failed, as its symbolic name (EPERM) for error messages.</summary>
    public static string LastErrorName() => ErrnoName(Marshal.GetLastPInvokeError());

    public static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM", 2 => "ENOENT", 3 => "ESRCH", 4 => "EINTR", 5 => "EIO", 9 => "EBADF", 10 => "ECHILD",
        11 => "EAGAIN", 12 => "ENOMEM", 13 => "EACCES", 17 => "EEXIST", 20 => "ENOTDIR", 22 => "EINVAL",
        24 => "EMFILE", 28 => "ENOSPC", 32 => "EPIPE", 36 => "ENAMETOOLONG", 98 => "EADDRINUSE",
        104 => "ECONNRESET", 110 => "ETIMEDOUT", 111 => "ECONNREFUSED",
        _ => $"errno {errno}",
    };

    /// <summary>A sockaddr_un for <paramref name="path"/>; fails with the path when it does not fit.</summary>
    public static byte[] UnixAddress(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108)
            throw new SystemCallException($"socket path {path}", "ENAMETOOLONG (a unix socket path has at most 107 bytes)");
        var address = new byte[2 + bytes.Length + 1];
        address[0] = AF_UNIX;
        bytes.CopyTo(address, 2);
        return address;
    }
}

/// <summary>A system call failed; the message names what was attempted and the errno.</summary>
internal sealed class SystemCallException(string operation, string errno) : Exception($"{operation}: {errno}")
{
    public static SystemCallException FromLastError(string operation) => new(operation, Interop.LastErrorName());
}
