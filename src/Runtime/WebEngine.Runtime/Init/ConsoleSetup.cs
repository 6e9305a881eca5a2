using WebEngine.Linux;
using WebEngine.Oci;

namespace WebEngine.Runtime.Init;

/// <summary>
/// runc's console-socket protocol: open a pty from the container's /dev/ptmx, send the master over the socket
/// with SCM_RIGHTS, and make the slave the process's controlling terminal and stdio.
/// </summary>
public static unsafe class ConsoleSetup
{
    /// <summary>Connects to the console socket while its path is still reachable (before pivot_root or setns).</summary>
    public static int Connect(string socketPath) => UnixSocket.Connect(socketPath);

    public static void Setup(int socket, ConsoleSize? size)
    {
        var master = Sys.Open("/dev/ptmx", Libc.O_RDWR | Libc.O_NOCTTY);
        try
        {
            var unlock = 0;
            if (Libc.Ioctl(master, Libc.TIOCSPTLCK, (nint)(&unlock)) == -1)
                throw LinuxException.FromLastError("ioctl TIOCSPTLCK /dev/ptmx");
            uint number;
            if (Libc.Ioctl(master, Libc.TIOCGPTN, (nint)(&number)) == -1)
                throw LinuxException.FromLastError("ioctl TIOCGPTN /dev/ptmx");
            var slavePath = $"/dev/pts/{number}";
            var slave = Sys.Open(slavePath, Libc.O_RDWR | Libc.O_NOCTTY);
            if (size != null)
            {
                var winsize = stackalloc ushort[4];
                winsize[0] = (ushort)size.Height;
                winsize[1] = (ushort)size.Width;
                winsize[2] = winsize[3] = 0;
                if (Libc.Ioctl(slave, Libc.TIOCSWINSZ, (nint)winsize) == -1)
                    throw LinuxException.FromLastError($"ioctl TIOCSWINSZ {slavePath}");
            }
            UnixSocket.SendFd(socket, master, slavePath);
            if (Libc.Setsid() == -1)
                throw LinuxException.FromLastError("setsid");
            if (Libc.Ioctl(slave, Libc.TIOCSCTTY, 0) == -1)
                throw LinuxException.FromLastError($"ioctl TIOCSCTTY {slavePath}");
            for (var fd = 0; fd <= 2; fd++)
            {
                if (Libc.Dup2(slave, fd) == -1)
                    throw LinuxException.FromLastError($"dup2 {slavePath} to {fd}");
            }
            if (slave > 2)
                Libc.Close(slave);
        }
        finally
        {
            Libc.Close(master);
            Libc.Close(socket);
        }
    }
}
