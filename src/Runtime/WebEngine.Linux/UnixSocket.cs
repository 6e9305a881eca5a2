using System.Runtime.InteropServices;
using System.Text;

namespace WebEngine.Linux;

/// <summary>Unix stream sockets as the console-socket protocol uses them: listen or connect by path, pass an fd with SCM_RIGHTS.</summary>
public static unsafe class UnixSocket
{
    private const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SCM_RIGHTS = 1;

    /// <summary>Connects to the socket at <paramref name="path"/> and returns the fd (close-on-exec).</summary>
    public static int Connect(string path)
    {
        var fd = NewSocket();
        var address = stackalloc byte[110];
        var length = FillAddress(address, path, "connect", fd);
        if (Libc.Connect(fd, address, length) == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            throw new LinuxException($"connect {path}", errno);
        }
        return fd;
    }

    /// <summary>Creates a socket listening at <paramref name="path"/> (which must not exist) and returns its fd (close-on-exec).</summary>
    public static int Listen(string path)
    {
        var fd = NewSocket();
        var address = stackalloc byte[110];
        var length = FillAddress(address, path, "bind", fd);
        if (Libc.Bind(fd, address, length) == -1 || Libc.Listen(fd, 1) == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            throw new LinuxException($"listen on {path}", errno);
        }
        return fd;
    }

    /// <summary>Accepts one connection on a listening socket; returns its fd (close-on-exec).</summary>
    public static int Accept(int listener, string path)
    {
        while (true)
        {
            var fd = Libc.Accept4(listener, null, null, SOCK_CLOEXEC);
            if (fd >= 0)
                return fd;
            if (Marshal.GetLastPInvokeError() != Errno.EINTR)
                throw LinuxException.FromLastError($"accept on {path}");
        }
    }

    private static int NewSocket()
    {
        var fd = Libc.Socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd == -1)
            throw LinuxException.FromLastError("socket AF_UNIX");
        return fd;
    }

    /// <summary>Writes a struct sockaddr_un for <paramref name="path"/>; closes <paramref name="fd"/> when the path is too long.</summary>
    private static uint FillAddress(byte* address, string path, string operation, int fd)
    {
        new Span<byte>(address, 110).Clear();
        *(ushort*)address = AF_UNIX;
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length > 107)
        {
            Libc.Close(fd);
            throw new LinuxException($"{operation} {path} (path longer than 107 bytes)", Errno.ENAMETOOLONG);
        }
        bytes.CopyTo(new Span<byte>(address + 2, 108));
        return (uint)(2 + bytes.Length + 1);
    }

    /// <summary>Sends <paramref name="fdToSend"/> with <paramref name="name"/> as the message (runc sends the pty's path).</summary>
    public static void SendFd(int socket, int fdToSend, string name)
    {
        var payload = Encoding.UTF8.GetBytes(name.Length == 0 ? "\0" : name);
        var control = stackalloc byte[32];
        new Span<byte>(control, 32).Clear();
        // struct cmsghdr { size_t len; int level; int type; } followed by the int fd.
        *(nuint*)control = (nuint)(sizeof(nuint) + 8 + sizeof(int));
        *(int*)(control + sizeof(nuint)) = SOL_SOCKET;
        *(int*)(control + sizeof(nuint) + 4) = SCM_RIGHTS;
        *(int*)(control + sizeof(nuint) + 8) = fdToSend;
        fixed (byte* p = payload)
        {
            var iov = new IoVec { Base = p, Length = (nuint)payload.Length };
            var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)(sizeof(nuint) + 8 + 8) };
            if (Libc.Sendmsg(socket, &message, 0) == -1)
                throw LinuxException.FromLastError("sendmsg SCM_RIGHTS");
        }
    }

    /// <summary>Receives one fd sent with SCM_RIGHTS and the message that came with it.</summary>
    public static (int Fd, string Name) ReceiveFd(int socket)
    {
        var control = stackalloc byte[32];
        var payload = stackalloc byte[4096];
        var iov = new IoVec { Base = payload, Length = 4096 };
        var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 32 };
        var n = Libc.Recvmsg(socket, &message, 0x40000000 /* MSG_CMSG_CLOEXEC */);
        if (n == -1)
            throw LinuxException.FromLastError("recvmsg SCM_RIGHTS");
        if (message.ControlLength < (nuint)(sizeof(nuint) + 12) || *(int*)(control + sizeof(nuint) + 4) != SCM_RIGHTS)
            throw new LinuxException("recvmsg SCM_RIGHTS (no fd in the message)", Errno.EINVAL);
        return (*(int*)(control + sizeof(nuint) + 8), Encoding.UTF8.GetString(payload, (int)n));
    }
}
