using System.Runtime.InteropServices;

namespace WebEngine.Shim;

/// <summary>An owned file descriptor, closed exactly once.</summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>The raw number, for system calls; valid while this object is not disposed.</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.close((int)handle) == 0;

    public static FileDescriptor OpenDevNull(int flags) => Open("/dev/null", flags, 0);

    public static FileDescriptor Open(string path, int flags, int mode)
    {
        var fd = Interop.open(path, flags | Interop.O_CLOEXEC, mode);
        return fd < 0 ? throw SystemCallException.FromLastError($"open {path}") : new FileDescriptor(fd);
    }

    /// <summary>A close-on-exec pipe: (read end, write end).</summary>
    public static unsafe (FileDescriptor Read, FileDescriptor Write) Pipe(int size = 0)
    {
        int* fds = stackalloc int[2];
        if (Interop.pipe2(fds, Interop.O_CLOEXEC) < 0)
            throw SystemCallException.FromLastError("pipe2");
        if (size > 0)
            Interop.fcntl(fds[0], Interop.F_SETPIPE_SZ, size); // best effort: a smaller pipe is only slower
        return (new FileDescriptor(fds[0]), new FileDescriptor(fds[1]));
    }
}
