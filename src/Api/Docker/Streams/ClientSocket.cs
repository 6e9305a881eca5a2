using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace WebEngine.Api.Docker.Streams;

/// <summary>
/// Tells a client that has gone from one that only half-closed. Both look the same to a reader (end of input); the socket
/// knows: a hang-up (the peer closed a unix socket, or a write to it failed) shows as POLLHUP or POLLERR, a half-close does not.
/// </summary>
internal static partial class ClientSocket
{
    private const short PollErr = 0x008;
    private const short PollHup = 0x010;

    public static unsafe bool HasHungUp(Socket socket)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = new PollFd { Fd = (int)handle.DangerousGetHandle(), Events = 0 };
            return poll(&fd, 1, 0) > 0 && (fd.Revents & (PollErr | PollHup)) != 0;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeout);
}
