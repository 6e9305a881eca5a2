namespace WebEngine.Shim;

/// <summary>Listening and connecting unix stream sockets, close-on-exec.</summary>
internal static unsafe class UnixSocket
{
    public static FileDescriptor Listen(string path, int backlog)
    {
        var socket = Create(path);
        var address = Interop.UnixAddress(path);
        fixed (byte* a = address)
        {
            if (Interop.bind(socket.Fd, a, address.Length) < 0)
            {
                var error = SystemCallException.FromLastError($"bind {path}");
                socket.Dispose();
                throw error;
            }
        }
        if (Interop.listen(socket.Fd, backlog) < 0)
        {
            var error = SystemCallException.FromLastError($"listen {path}");
            socket.Dispose();
            throw error;
        }
        return socket;
    }

    public static FileDescriptor Connect(string path)
    {
        var socket = Create(path);
        var address = Interop.UnixAddress(path);
        fixed (byte* a = address)
        {
            if (Interop.connect(socket.Fd, a, address.Length) < 0)
            {
                var error = SystemCallException.FromLastError($"connect {path}");
                socket.Dispose();
                throw error;
            }
        }
        return socket;
    }

    private static FileDescriptor Create(string path)
    {
        var fd = Interop.socket(Interop.AF_UNIX, Interop.SOCK_STREAM | Interop.SOCK_CLOEXEC, 0);
        return fd < 0 ? throw SystemCallException.FromLastError($"socket for {path}") : new FileDescriptor(fd);
    }
}
