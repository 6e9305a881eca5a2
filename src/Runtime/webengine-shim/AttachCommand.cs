using System.Text;
using WebEngine.ShimProtocol;

namespace WebEngine.Shim;

/// <summary>
/// <c>webengine-shim attach --socket S</c>: a minimal protocol client that copies a process's stdout and stderr to
/// its own and its stdin to the process, and exits with the process's exit code. For debugging a shim by hand, and
/// for tests that need a client they can kill -9 mid-stream.
/// </summary>
internal static class AttachCommand
{
    public static int Run(ShimOptions options)
    {
        using var socket = UnixSocket.Connect(options.Socket);
        Request(socket.Fd, new ShimRequest { Op = ShimOperations.Hello, Version = ShimProtocolVersion.Current });
        Request(socket.Fd, new ShimRequest
        {
            Op = ShimOperations.Attach, ExecId = options.ExecId, Stdin = options.OpenStdin, Stdout = true, Stderr = true,
            StdinOnce = options.OpenStdin,
        });
        if (options.OpenStdin)
            new Thread(() => CopyStdin(socket.Fd)) { IsBackground = true }.Start();
        Span<byte> header = stackalloc byte[StreamFrame.HeaderSize];
        var payload = new byte[64 * 1024];
        while (ReadExactly(socket.Fd, header))
        {
            var (kind, length) = StreamFrame.ReadHeader(header);
            if (payload.Length < length)
                payload = new byte[length];
            if (!ReadExactly(socket.Fd, payload.AsSpan(0, length)))
                break;
            if (kind == StreamFrame.Exit)
                return ShimJson.Parse(payload.AsMemory(0, length)).Int32OrNull("exitCode") ?? 0;
            FdIo.TryWriteAll(kind == StreamFrame.Stderr ? 2 : 1, payload.AsSpan(0, length), socket: false);
        }
        FdIo.TryWriteAll(2, "webengine-shim: the attach stream ended without an exit status\n"u8, socket: false);
        return 125;
    }

    private static void Request(int socket, ShimRequest request)
    {
        FdIo.TryWriteAll(socket, ShimJson.RequestFrame(request), socket: true);
        Span<byte> header = stackalloc byte[ShimFrame.HeaderSize];
        if (!ReadExactly(socket, header))
            throw new ShimProtocolException($"the shim closed the connection after {request.Op}");
        var payload = new byte[ShimFrame.PayloadLength(header)];
        if (!ReadExactly(socket, payload))
            throw new ShimProtocolException($"the shim closed the connection after {request.Op}");
        var (ok, error) = ShimJson.ReadResponse(payload);
        if (!ok)
            throw new ShimRequestException($"{request.Op}: {error}");
    }

    private static void CopyStdin(int socket)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = FdIo.Read(0, buffer, "stdin")) > 0)
        {
            if (!FdIo.TryWriteAll(socket, buffer.AsSpan(0, n), socket: true))
                return;
        }
        Interop.shutdown(socket, Interop.SHUT_WR);
    }

    private static bool ReadExactly(int fd, Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = FdIo.Read(fd, buffer[read..], "shim connection");
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }
}

/// <summary>The shim refused a request of the attach command; the message has its error.</summary>
internal sealed class ShimRequestException(string message) : Exception(message);
