using System.Runtime.InteropServices;

namespace WebEngine.Shim;

/// <summary>
/// The server end of runc's console-socket protocol: the runtime connects to this unix socket and sends the
/// terminal's master fd with SCM_RIGHTS (see reference/runc-cli/terminals.md).
/// </summary>
internal sealed unsafe class ConsoleSocket : IDisposable
{
    private const int ReceiveTimeoutMs = 10_000;

    private readonly FileDescriptor _listener;
    private readonly DirectoryInfo _directory;

    /// <summary>
    /// Listens in a private directory of its own under the temp directory (mode 0700, as containerd does): a socket
    /// path may have at most 107 bytes, which a state directory holding a 64-hex container id below a long state root
    /// would exceed, and nobody else may connect to it and hand us a terminal.
    /// </summary>
    public ConsoleSocket()
    {
        _directory = Directory.CreateTempSubdirectory("webengine-console-");
        Path = System.IO.Path.Combine(_directory.FullName, "console.sock");
        try
        {
            _listener = UnixSocket.Listen(Path, backlog: 1);
        }
        catch
        {
            _directory.Delete(recursive: true);
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Receives the master; the runtime has already exited, so its connection and message wait in the backlog.</summary>
    public FileDescriptor ReceiveMaster()
    {
        if (!FdIo.WaitReadable(_listener.Fd, ReceiveTimeoutMs))
            throw new SystemCallException($"accept on console socket {Path}", "ETIMEDOUT (the runtime sent no terminal)");
        var fd = Interop.accept4(_listener.Fd, null, null, Interop.SOCK_CLOEXEC);
        if (fd < 0)
            throw SystemCallException.FromLastError($"accept on console socket {Path}");
        using var connection = new FileDescriptor(fd);
        var name = stackalloc byte[4096];
        var control = stackalloc byte[64];
        var iov = new Interop.IoVec { Base = name, Length = 4096 };
        var message = new Interop.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 64 };
        if (Interop.recvmsg(connection.Fd, &message, Interop.MSG_CMSG_CLOEXEC) < 0)
            throw SystemCallException.FromLastError($"recvmsg on console socket {Path}");
        // cmsghdr: size_t cmsg_len, int cmsg_level, int cmsg_type, then the fds.
        var length = *(nuint*)control;
        var level = *(int*)(control + sizeof(nuint));
        var type = *(int*)(control + sizeof(nuint) + 4);
        if (message.ControlLength < (nuint)(sizeof(nuint) + 12) || length < (nuint)(sizeof(nuint) + 12) || level != Interop.SOL_SOCKET || type != Interop.SCM_RIGHTS)
            throw new SystemCallException($"recvmsg on console socket {Path}", "no SCM_RIGHTS file descriptor in the message");
        return new FileDescriptor(*(int*)(control + sizeof(nuint) + 8));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _directory.Delete(recursive: true);
    }
}
